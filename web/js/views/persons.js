// views/persons.js - the persons list: search, filters, paging. The filters live in the
// hash (#/persons?q=..&offset=..) so Back and reload keep them.
import { h, select } from '../dom.js';
import { t, label, options, ENUMS } from '../i18n.js';
import { get } from '../api.js';
import { can } from '../session.js';
import { areaPicker, areaLabel } from '../areas.js';
import { pager } from '../pager.js';
import { go, href } from '../nav.js';

export const nav = 'persons';
const LIMIT = 20;

// The API query for the hash query: a community is community_code, a higher area a prefix.
export function apiQuery(q, limit = LIMIT) {
  const area = q.area || '';
  return {
    limit, offset: q.offset || 0, q: q.q, resident_type: q.resident_type, flag: q.flag, sex: q.sex,
    community_code: area.length === 12 ? area : '', area: area.length === 12 ? '' : area,
  };
}

export function flagTags(flags) {
  return (flags || []).map((f) => h('span', { class: `tag tag-${f}` }, label('flag', f)));
}

export async function render(root, { query }) {
  const picker = areaPicker({ name: 'area', value: query.area || '' });
  const form = h('form', { class: 'filters', 'data-testid': 'persons-filter' },
    h('input', { name: 'q', type: 'search', value: query.q || '', placeholder: t('person.q'),
      'data-testid': 'persons-q', 'aria-label': t('person.q') }),
    picker.el,
    select({ name: 'resident_type', 'data-testid': 'filter-resident_type', 'aria-label': t('f.resident_type') },
      options('resident_type', ENUMS.resident_type, 'f.resident_type'), query.resident_type || ''),
    select({ name: 'flag', 'data-testid': 'filter-flag', 'aria-label': t('f.flags') },
      options('flag', ENUMS.flag, 'f.flags'), query.flag || ''),
    select({ name: 'sex', 'data-testid': 'filter-sex', 'aria-label': t('f.sex') },
      options('sex', ENUMS.sex, 'f.sex'), query.sex || ''),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'persons-search' }, t('common.search')),
    h('button', { type: 'button', class: 'btn', onclick: () => go('/persons') }, t('common.reset')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/persons', { q: form.q.value.trim(), area: picker.value(), resident_type: form.resident_type.value,
      flag: form.flag.value, sex: form.sex.value });
  });

  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('person.list')),
    can('person.write') ? h('a', { class: 'btn btn-primary', href: '#/persons/new', 'data-testid': 'person-new' }, t('person.new')) : null),
    form);
  const list = h('div', { class: 'card', 'data-testid': 'persons-list' }, t('common.loading'));
  root.append(list);

  const r = await get('/persons', apiQuery(query));
  const offset = Number(query.offset || 0);
  list.replaceChildren(
    r.items.length === 0 ? h('p', { class: 'empty' }, t('common.empty')) : h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['f.name', 'f.sex', 'f.birth_date', 'f.id_number', 'f.phone',
        'f.resident_type', 'f.community_code', 'f.flags'].map((k) => h('th', {}, t(k))))),
      h('tbody', {}, r.items.map((p) => h('tr', { 'data-testid': 'person-row', 'data-id': p.id },
        h('td', {}, h('a', { href: href(`/persons/${p.id}`), 'data-testid': 'person-link' }, p.name)),
        h('td', {}, label('sex', p.sex)),
        h('td', {}, p.birth_date),
        h('td', { class: 'mono' }, p.id_number, p.id_type !== 'resident' ? h('span', { class: 'muted small' }, ` ${label('id_type', p.id_type)}`) : null),
        h('td', { class: 'mono' }, p.phone),
        h('td', {}, label('resident_type', p.resident_type)),
        h('td', {}, areaLabel(p.community_code)),
        h('td', {}, flagTags(p.flags)))))),
    pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/persons', { ...query, offset: o }) }));
}
