// nav.js - the location.hash side of routing: read it, change it.
//
// Hashes look like "#/persons?q=张&offset=20". go() always renders, even when the hash
// does not change (a repeated search), by sending a "fk:route" event main.js listens to.
import { withQuery } from './api.js';

export function current() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const i = raw.indexOf('?');
  const path = i < 0 ? raw : raw.slice(0, i);
  const query = Object.fromEntries(new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)));
  return { path: path || '/', query };
}

export function go(path, query = {}) {
  const hash = `#${withQuery(path, query)}`;
  if (location.hash === hash) window.dispatchEvent(new Event('fk:route'));
  else location.hash = hash;
}

export function href(path, query = {}) {
  return `#${withQuery(path, query)}`;
}
