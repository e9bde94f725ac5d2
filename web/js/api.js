// api.js - the one way the console talks to /api/v1.
//
// Every call sends the bearer token; every failure becomes an ApiError carrying the
// server's {code, field} and its message put into the console's language (or code
// "network" when the server is unreachable).
// A 401 on any call but the login ends the session and goes back to the login page.
import { token, signOut } from './session.js';
import { t } from './i18n.js';
import { describe } from './errors.js';

// message is what the console shows: the server's error in the console's language, with
// the server's own words on a second line when no Chinese text fits (see errors.js).
// serverMessage keeps the server's text as written ('' for the console's own failures).
export class ApiError extends Error {
  constructor(status, code, message, field = '', serverMessage = '') {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.serverMessage = serverMessage;
  }

  static fromBody(status, body) {
    const e = { code: body?.code || 'http', field: body?.field || '', message: body?.message || `HTTP ${status}` };
    const text = describe(e).filter(Boolean).join('\n');
    return new ApiError(status, e.code, text, e.field, e.message);
  }
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const tok = token();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', t('err.network'));
  }
  if (res.status === 401 && path !== '/session') {
    signOut();
    location.hash = '#/login';
    throw new ApiError(401, 'unauthorized', t('err.session'));
  }
  if (res.status === 204) return null;
  let json = null;
  try { json = await res.json(); } catch { json = null; }
  if (!res.ok) throw ApiError.fromBody(res.status, json?.error);
  return json;
}

// '/persons', {q: 'x', offset: 0, community_code: ''} -> '/persons?q=x&offset=0'
export function withQuery(path, query = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== '' && v !== null && v !== undefined) qs.set(k, v);
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export const get = (path, query) => request('GET', withQuery(path, query));
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);
