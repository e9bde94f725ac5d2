// idcheck.js - the GB 11643 check character, for a hint while typing. The server
// validates every number; this only spares a round trip for the commonest slip.
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const C = '10X98765432';

// For an 18-character number with 17 digits first: {want, got}; otherwise null.
export function checkDigit(id) {
  const s = String(id || '').trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(s)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * W[i];
  return { want: C[sum % 11], got: s[17] };
}
