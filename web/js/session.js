// session.js - the signed-in user and what the console shows them.
//
// The token and user live in sessionStorage (one browser tab, gone when it closes).
// can() mirrors the server's permission matrix (src/model/role.c) only to hide buttons
// a role could not use; the server is the judge of every request.
const TOKEN = 'fangkong.token';
const USER = 'fangkong.user';

const MATRIX = {
  command: { person: 'rw', cases: 'rwt', audit: true, trace: true },
  epidemiologist: { person: 'rw', cases: 'rwt', trace: true },
  lab: { person: 'r', cases: 'rw' },
  quarantine: { person: 'r', cases: 'rt' },
  transfer: { person: 'r', cases: 'rt' },
  community: { person: 'rw', cases: 'r' },
  checkpoint: { person: 'r', cases: '' },
  viewer: { person: 'r', cases: 'r' },
};

export function token() { return sessionStorage.getItem(TOKEN); }

export function user() {
  try { return JSON.parse(sessionStorage.getItem(USER)); } catch { return null; }
}

export function signIn(tok, u) {
  sessionStorage.setItem(TOKEN, tok);
  sessionStorage.setItem(USER, JSON.stringify(u));
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}

// what: 'person.read' | 'person.write' | 'cases.read' | 'cases.write' | 'cases.transition' |
//       'audit' | 'trace'
export function can(what) {
  const row = MATRIX[user()?.role];
  if (!row) return false;
  if (what === 'audit' || what === 'trace') return !!row[what];
  const [kind, op] = what.split('.');
  const letter = { read: 'r', write: 'w', transition: 't' }[op];
  return (row[kind] || '').includes(letter);
}
