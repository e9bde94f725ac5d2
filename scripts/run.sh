#!/bin/sh
# `make run`: install what is missing, build, generate the demo city on first run, serve.
set -e
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
sh scripts/npm.sh web
make -j"$(nproc)" MODE=release
bin=build/release/fangkong
data=${FANGKONG_DATA:-./data}
port=${FANGKONG_PORT:-8080}
if [ ! -f "$data/fangkong.db" ]; then
    echo "generating the demo city into $data (first run only)..."
    $bin demo --persons "${FANGKONG_DEMO_PERSONS:-100000}" --days "${FANGKONG_DEMO_DAYS:-7}" \
        --seed 1 --data "$data"
fi
cat <<TXT

  fangkong 防控 - http://127.0.0.1:$port/
  demo accounts (password fangkong2022):
    admin    指挥部 command, whole city       liudiao  流调 epidemiologist
    jiedao   社区 community, first street     shequ    社区 community, first community
    jiance   检测 lab    zhuanyun 转运 transfer    geli 隔离 quarantine
    kakou    卡口 checkpoint                  gongan   公安 police
    guest    只读 viewer (names masked)
  Ctrl-C stops the server.

TXT
exec $bin serve --data "$data" --port "$port" --web web
