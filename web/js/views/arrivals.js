// views/arrivals.js - 来返人员: the arrivals (落地登记) to communities of the user's
// jurisdiction, newest first, each with the risk level its match found, the measure the
// policy requires and the state of its lead (link to the leads queue). Names and ID
// numbers come masked from the server for roles without clear-data rights.
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get } from '../api.js';
import { instant } from '../format.js';
import { pager } from '../pager.js';
import { go, href } from '../nav.js';

export const nav = 'arrivals';
const LIMIT = 50;

function levelBadge(level) {
  return level ? h('span', { class: `badge risk-${level}`, 'data-testid': 'arrival-level' }, label('risk', level))
    : h('span', { class: 'muted', 'data-testid': 'arrival-level' }, t('arrival.no_match'));
}

function table(items) {
  return h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, ['f.person', 'f.id_number', 'arrival.at', 'arrival.from', 'arrival.via',
      'arrival.community', 'arrival.level', 'lead.measure_required', 'arrival.lead'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, items.map((a) => h('tr', { 'data-testid': 'arrival-row', 'data-id': a.id },
      h('td', {}, h('a', { href: href(`/persons/${a.person_id}`) }, a.person_name)),
      h('td', {}, a.id_number),
      h('td', {}, instant(a.arrived_at)),
      h('td', {}, `${a.from_region}${a.from_area ? ` ${a.from_area}` : ''}`),
      h('td', {}, `${label('placekind', a.place_kind)}${a.place ? ` · ${a.place}` : ''}`),
      h('td', {}, a.community_code),
      h('td', {}, levelBadge(a.level)),
      h('td', {}, a.measure_required ? label('phase', a.measure_required) : '—'),
      h('td', {}, a.lead_id ? h('a', { href: href('/leads'), 'data-testid': 'arrival-lead' },
        `#${a.lead_id} ${label('lstate', a.lead_state)}`) : '—')))));
}

export async function render(root, { query }) {
  const form = h('form', { class: 'filters', 'data-testid': 'arrivals-filter' },
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'matched', checked: query.matched === '1' ? true : null,
      'data-testid': 'arrivals-matched' }), ` ${t('arrival.only_matched')}`),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/arrivals', { matched: form.matched.checked ? '1' : '' });
  });
  root.append(h('h1', {}, t('arrival.title')), form);
  const list = h('div', { class: 'card', 'data-testid': 'arrivals-list' }, t('common.loading'));
  root.append(list);
  const offset = Number(query.offset || 0);
  const r = await get('/travel/arrivals', { limit: LIMIT, offset, matched: query.matched || undefined });
  list.replaceChildren(r.items.length ? table(r.items) : h('p', { class: 'empty' }, t('common.empty')),
    pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/arrivals', { ...query, offset: o }) }));
}
