// session.js - the signed-in user and what the console shows them.
//
// The token and user live in sessionStorage (one browser tab, gone when it closes).
// can() reads the permissions the server derived from its role matrix (src/model/role.c)
// at login, only to hide buttons a role could not use; the server judges every request.
const TOKEN = 'fangkong.token';
const USER = 'fangkong.user';

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

// what: a permission name as the server lists it in user.permissions ('person.read',
// 'person.write', 'cases.read', 'cases.write', 'cases.transition', 'audit', 'trace', ...).
export function can(what) {
  return (user()?.permissions || []).includes(what);
}
