// views/audit.js - the audit log in the server's order, filtered by user and record kind
// (command role only: the menu hides it from others and the server refuses them).
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get } from '../api.js';
import { instant } from '../format.js';
import { pager } from '../pager.js';
import { go } from '../nav.js';

export const nav = 'audit';
const LIMIT = 50;

export async function render(root, { query }) {
  const form = h('form', { class: 'filters', 'data-testid': 'audit-filter' },
    h('input', { name: 'actor', value: query.actor || '', placeholder: t('f.actor'), 'aria-label': t('f.actor'), 'data-testid': 'audit-actor' }),
    h('input', { name: 'entity', value: query.entity || '', placeholder: t('f.entity'), 'aria-label': t('f.entity'), 'data-testid': 'audit-entity' }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')),
    h('button', { type: 'button', class: 'btn', onclick: () => go('/audit') }, t('common.reset')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/audit', { actor: form.actor.value.trim(), entity: form.entity.value.trim() });
  });
  root.append(h('h1', {}, t('audit.title')), form);
  const list = h('div', { class: 'card', 'data-testid': 'audit-list' }, t('common.loading'));
  root.append(list);
  const offset = Number(query.offset || 0);
  const r = await get('/audit', { limit: LIMIT, offset, actor: query.actor, entity: query.entity });
  list.replaceChildren(r.items.length === 0 ? h('p', { class: 'empty' }, t('common.empty')) : h('table', { class: 'table compact' },
    h('thead', {}, h('tr', {}, ['f.at', 'f.actor', 'f.role', 'f.action', 'f.entity', 'f.entity_id', 'f.detail', 'f.remote']
      .map((k) => h('th', {}, t(k))))),
    h('tbody', {}, r.items.map((a) => h('tr', { 'data-testid': 'audit-row' },
      h('td', { class: 'nowrap' }, instant(a.at)), h('td', {}, a.actor), h('td', {}, label('role', a.role)),
      h('td', {}, label('action', a.action)), h('td', {}, label('entity', a.entity)), h('td', {}, a.entity_id || ''),
      h('td', { class: 'detail' }, a.detail), h('td', { class: 'mono' }, a.remote))))),
  pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/audit', { ...query, offset: o }) }));
}
