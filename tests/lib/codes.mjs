// Health-code tokens made as the server makes them (src/codes/token.c): person id and
// expiry (little-endian 64-bit) followed by HMAC-SHA-512-256 (libsodium crypto_auth)
// under the data directory's key, base64url. For tests that need a token the server did
// not hand out: one about to expire, or a forged one.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function makeToken(dataDir, personId, expires) {
  const key = readFileSync(path.join(dataDir, 'code-token.key'));
  const head = Buffer.alloc(16);
  head.writeBigUInt64LE(BigInt(personId), 0);
  head.writeBigUInt64LE(BigInt(expires), 8);
  const mac = createHmac('sha512', key).update(head).digest().subarray(0, 32);
  return Buffer.concat([head, mac]).toString('base64url');
}
