// views/notifications.js - the caller's inbox (通知): what the server told the caller's
// role in its area (a pool positive at a site, a screening positive, a positive no tube
// matches, a corrected result, a pool cleared), newest first, unacknowledged first by
// the filter; acknowledging one marks it handled for the whole unit, naming who did.
// The messages are written by the server in Chinese (notices are Chinese-first); the
// kind is labelled in the console's language.
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post } from '../api.js';
import { instant } from '../format.js';
import { areaLabel } from '../areas.js';
import { pager } from '../pager.js';
import { go } from '../nav.js';
import { errorNodes } from '../form.js';

export const nav = 'notifications';
const LIMIT = 50;
const URGENT = new Set(['pool_positive', 'screening_positive', 'unmatched_positive']);

function state(n, redraw) {
  if (n.ack_at) return h('span', { 'data-testid': 'notice-acked' }, t('notice.acked', { who: n.ack_by, at: instant(n.ack_at) }));
  const problem = h('div', { class: 'field-error', role: 'alert' });
  const ack = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'notice-ack',
    onclick: async () => {
      ack.disabled = true;
      try { await post(`/notifications/${n.id}/ack`); redraw(); } catch (err) {
        ack.disabled = false;
        problem.replaceChildren(...errorNodes(err.message));
      }
    } }, t('notice.ack'));
  return h('div', {}, ack, problem);
}

function row(n, redraw) {
  return h('tr', { 'data-testid': 'notice-row', 'data-id': n.id, 'data-kind': n.kind,
    class: !n.ack_at && URGENT.has(n.kind) ? 'notice-urgent' : null },
  h('td', { class: 'nowrap' }, instant(n.created_at)),
  h('td', { 'data-testid': 'notice-kind' }, label('nkind', n.kind)),
  h('td', {}, areaLabel(n.area_code)),
  h('td', { class: 'detail', 'data-testid': 'notice-message' }, n.message),
  h('td', {}, state(n, redraw)));
}

export async function render(root, { query }) {
  const all = query.all === '1';
  const toggle = h('label', { class: 'check' },
    h('input', { type: 'checkbox', checked: !all, 'data-testid': 'notice-unacked',
      onchange: (e) => go('/notifications', e.target.checked ? {} : { all: '1' }) }),
    t('notice.unacked_only'));
  const list = h('div', { class: 'card', 'data-testid': 'notice-list' }, t('common.loading'));
  root.append(h('h1', {}, t('notice.title')), h('div', { class: 'filters' }, toggle), list);
  const offset = Number(query.offset || 0);
  const r = await get('/notifications', { limit: LIMIT, offset, unacked: all ? undefined : 1 });
  const redraw = () => window.dispatchEvent(new Event('fk:route'));
  list.replaceChildren(r.items.length === 0 ? h('p', { class: 'empty' }, t(all ? 'common.empty' : 'notice.none_open')) :
    h('table', { class: 'table compact' },
      h('thead', {}, h('tr', {}, ['notice.at', 'notice.kind', 'notice.area', 'notice.message', 'notice.state']
        .map((k) => h('th', {}, t(k))))),
      h('tbody', {}, r.items.map((n) => row(n, redraw)))),
  pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/notifications', { ...query, offset: o }) }));
}
