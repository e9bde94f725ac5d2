// views/cases.js - the cases list: search, filters by classification, status and source,
// paging. Filters live in the hash like the persons list.
import { h, select } from '../dom.js';
import { t, label, options, ENUMS } from '../i18n.js';
import { get } from '../api.js';
import { can } from '../session.js';
import { instant } from '../format.js';
import { pager } from '../pager.js';
import { go, href } from '../nav.js';

export const nav = 'cases';
const LIMIT = 20;

export function statusBadge(s) {
  return h('span', { class: `badge status-${s}` }, label('status', s));
}

export function caseTable(items) {
  return h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, ['f.number', 'f.person', 'f.classification', 'f.severity', 'f.status',
      'f.reported_at', 'f.source', 'f.hospital'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, items.map((c) => h('tr', { 'data-testid': 'case-row', 'data-id': c.id },
      h('td', {}, h('a', { href: href(`/cases/${c.id}`), 'data-testid': 'case-link' }, t('case.number', { n: c.number }))),
      h('td', {}, h('a', { href: href(`/persons/${c.person_id}`) }, c.person_name)),
      h('td', {}, label('classification', c.classification)),
      h('td', {}, label('severity', c.severity)),
      h('td', {}, statusBadge(c.status)),
      h('td', {}, instant(c.reported_at)),
      h('td', {}, label('source', c.source)),
      h('td', {}, c.hospital)))));
}

export async function render(root, { query }) {
  const form = h('form', { class: 'filters', 'data-testid': 'cases-filter' },
    h('input', { name: 'q', type: 'search', value: query.q || '', placeholder: t('case.q'),
      'data-testid': 'cases-q', 'aria-label': t('case.q') }),
    ['classification', 'status', 'source'].map((k) => select(
      { name: k, 'data-testid': `filter-${k}`, 'aria-label': t(`f.${k}`) },
      options(k, ENUMS[k], `f.${k}`), query[k] || '')),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'cases-search' }, t('common.search')),
    h('button', { type: 'button', class: 'btn', onclick: () => go('/cases') }, t('common.reset')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/cases', { q: form.q.value.trim(), classification: form.classification.value,
      status: form.status.value, source: form.source.value });
  });
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('case.list')),
    can('cases.write') ? h('a', { class: 'btn btn-primary', href: '#/cases/new', 'data-testid': 'case-new' }, t('case.new')) : null),
  form);
  const list = h('div', { class: 'card', 'data-testid': 'cases-list' }, t('common.loading'));
  root.append(list);
  const offset = Number(query.offset || 0);
  const r = await get('/cases', { limit: LIMIT, offset, q: query.q, classification: query.classification,
    status: query.status, source: query.source });
  list.replaceChildren(r.items.length ? caseTable(r.items) : h('p', { class: 'empty' }, t('common.empty')),
    pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/cases', { ...query, offset: o }) }));
}
