#!/bin/sh
# Installs the npm packages of one folder (web or tests) from its lock file, once.
# Usage: scripts/npm.sh DIR
set -e
dir="$1"
stamp="$dir/node_modules/.fangkong-lock"
if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
    exit 0
fi
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
cp "$dir/package-lock.json" "$stamp"
