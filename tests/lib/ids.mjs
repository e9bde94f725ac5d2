// ids.mjs - test-side resident ID numbers (GB 11643), written independently of the C
// code so that the tests cross-check it.
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const C = '10X98765432';

export function checkChar(first17) {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * W[i];
  return C[s % 11];
}

// A valid number; `n` varies the date and the sequence so callers get distinct ones.
export function validId(n, region = '519901') {
  const year = 1950 + (n % 50);
  const month = String(1 + (Math.floor(n / 50) % 12)).padStart(2, '0');
  const day = String(1 + (Math.floor(n / 600) % 28)).padStart(2, '0');
  const seq = String(500 + (Math.floor(n / 16800) % 499)).padStart(3, '0');
  const first = `${region}${year}${month}${day}${seq}`;
  return first + checkChar(first);
}

export function withWrongCheck(id) {
  const right = id[17];
  const wrong = right === '0' ? '1' : '0';
  return id.slice(0, 17) + wrong;
}
