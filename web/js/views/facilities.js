// views/facilities.js - the isolation command view (集中隔离): the capacity outlook for
// the next hours the policy names, with its warning when rooms would run out (宁让房间等人,
// 决不让人等房间); the facilities of the user's jurisdiction with their rooms by state; and
// the isolations in progress. The server computes everything; this only shows it.
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get } from '../api.js';

export const nav = 'facilities';
const ROOM_STATES = ['vacant', 'reserved', 'occupied', 'cleaning', 'out_of_order'];

function outlookCard(o) {
  return h('div', { class: `card${o.warning ? ' lead-overdue' : ''}`, 'data-testid': 'outlook' },
    h('h2', {}, t('iso.outlook')),
    h('p', {}, t('iso.outlook_now', { vacant: o.rooms.vacant, leads: o.leads_in_flight, rate: o.per_hour.toFixed(2), window: o.trend_window_h })),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, [t('iso.horizon'), t('iso.demand'), t('iso.available'), t('iso.shortfall')].map((x) => h('th', {}, x)))),
      h('tbody', {}, o.horizons.map((x) => h('tr', { 'data-testid': `outlook-${x.hours}`, class: x.runs_out ? 'lead-overdue' : null },
        h('td', {}, t('iso.hours', { n: x.hours })), h('td', {}, x.demand.toFixed(1)), h('td', {}, String(x.available)),
        h('td', {}, x.shortfall > 0 ? h('strong', { class: 'overdue-mark' }, String(x.shortfall)) : '0'))))),
    o.warning ? h('p', { class: 'error', role: 'alert', 'data-testid': 'outlook-warning' }, t('iso.warning')) : null);
}

function facilitiesTable(items) {
  if (items.length === 0) return h('p', { class: 'empty' }, t('common.empty'));
  return h('table', { class: 'table', 'data-testid': 'facilities-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('iso.facility')), h('th', {}, t('iso.area')),
      ...ROOM_STATES.map((s) => h('th', {}, label('room', s))), h('th', {}, t('iso.total')))),
    h('tbody', {}, items.map((f) => h('tr', { 'data-testid': 'facility-row', class: f.state === 'closed' ? 'muted' : null },
      h('td', {}, f.name, f.state === 'closed' ? ` (${t('iso.closed')})` : ''), h('td', {}, f.area_code),
      ...ROOM_STATES.map((s) => h('td', { 'data-testid': `rooms-${s}` }, String(f.rooms[s]))),
      h('td', {}, String(f.rooms.total))))));
}

function isolationsTable(items) {
  if (items.length === 0) return h('p', { class: 'empty' }, t('common.empty'));
  return h('table', { class: 'table', 'data-testid': 'isolations-table' },
    h('thead', {}, h('tr', {}, [t('iso.person'), t('iso.kind'), t('iso.place'), t('iso.day1'), t('iso.end'), t('iso.state')].map((x) => h('th', {}, x)))),
    h('tbody', {}, items.map((i) => h('tr', { 'data-testid': 'isolation-row' },
      h('td', {}, i.person_name), h('td', {}, label('phase', i.kind)),
      h('td', {}, i.facility_name ? `${i.facility_name} ${i.room_number}` : t('iso.at_home')),
      h('td', {}, i.day1_date), h('td', {}, i.end_date), h('td', {}, label('isostate', i.state))))));
}

export async function render(root) {
  root.append(h('h1', {}, t('iso.title')));
  const [o, f, i] = await Promise.all([get('/facilities/outlook'), get('/facilities', { limit: 1000 }), get('/isolations', { state: 'active', limit: 100 })]);
  root.append(outlookCard(o),
    h('h2', {}, t('iso.facilities'), ` (${f.total})`), facilitiesTable(f.items),
    h('h2', {}, t('iso.isolations'), ` (${i.total})`), isolationsTable(i.items));
}
