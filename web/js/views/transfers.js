// views/transfers.js - transfer (转运) for the transfer team: dispatch a trip (an
// available vehicle, a crew, located leads of close contacts: the server reserves a
// room for each person before the trip exists), then one card per trip: each pickup
// aboard or missed, and arrival, which starts the isolations and controls the leads.
// Late trips are red and show the level they were escalated to.
import { h, select } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, patch } from '../api.js';
import { instant } from '../format.js';
import { pager } from '../pager.js';
import { go } from '../nav.js';

export const nav = 'transfers';
const LIMIT = 20;
const redraw = () => window.dispatchEvent(new Event('fk:route'));

function pickupRow(trip, p, msg) {
  const move = async (state) => {
    try { await patch(`/transfers/${trip.id}/pickups/${p.id}`, { state }); redraw(); } catch (e) { msg.textContent = e.message; }
  };
  const open = trip.state === 'assigned' && p.state === 'assigned';
  return h('li', { 'data-testid': 'pickup', 'data-state': p.state },
    `${p.person_name} · ${t('transfer.room')} ${p.room_number} · `, h('span', { class: 'tag' }, label('pstate', p.state)),
    open ? h('button', { type: 'button', class: 'btn', 'data-testid': 'pickup-aboard', onclick: () => move('aboard') }, label('pstate', 'aboard')) : null,
    open ? h('button', { type: 'button', class: 'btn', 'data-testid': 'pickup-missed', onclick: () => move('missed') }, label('pstate', 'missed')) : null);
}

async function tripCard(summary) {
  const trip = await get(`/transfers/${summary.id}`);
  const msg = h('p', { class: 'error', role: 'alert' });
  const arrive = async () => {
    try { await post(`/transfers/${trip.id}/arrive`); redraw(); } catch (e) { msg.textContent = e.message; }
  };
  return h('div', { class: `card lead${trip.late ? ' lead-overdue' : ''}`, 'data-testid': 'trip-card', 'data-state': trip.state },
    h('div', { class: 'lead-head' },
      h('strong', {}, `${trip.plate} → ${trip.facility_name}`),
      h('span', { class: 'tag', 'data-testid': 'trip-state' }, label('tstate', trip.state)),
      trip.escalation_level > 0 ? h('span', { class: 'tag tag-escalated' }, t('lead.escalated', { to: label('level', trip.escalated_to) })) : null),
    h('p', { class: 'lead-meta' }, `${t('lead.due')}: ${instant(trip.due_at)}`,
      trip.late ? h('strong', { class: 'overdue-mark' }, ` ${t('transfer.late')}`) : null),
    h('ul', {}, trip.pickups.map((p) => pickupRow(trip, p, msg))),
    trip.state === 'picked_up' ? h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'trip-arrive', onclick: arrive }, t('transfer.arrive')) : null,
    msg);
}

async function dispatchForm() {
  const [vehicles, crews, leads] = await Promise.all([get('/transfers/vehicles', { limit: 1000 }),
    get('/transfers/crews', { limit: 1000 }), get('/leads', { state: 'found', limit: 200 }).catch(() => ({ items: [] }))]);
  const free = vehicles.items.filter((v) => v.state === 'available');
  const msg = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'filters', 'data-testid': 'trip-form' },
    select({ name: 'vehicle_id', 'aria-label': t('transfer.vehicle') }, free.map((v) => [String(v.id), `${v.plate} (${v.seats})`])),
    select({ name: 'crew_id', 'aria-label': t('transfer.crew') }, crews.items.map((c) => [String(c.id), `${c.name} · ${c.leader}`])),
    h('fieldset', {}, h('legend', {}, t('transfer.persons')),
      leads.items.filter((l) => l.person_id).map((l) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'lead', value: String(l.id) }), ` ${l.person_name || l.subject} `))),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'trip-create' }, t('transfer.dispatch')), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ids = [...form.querySelectorAll('input[name=lead]:checked')].map((x) => Number(x.value));
    try {
      await post('/transfers', { vehicle_id: Number(form.vehicle_id.value), crew_id: Number(form.crew_id.value), lead_ids: ids });
      redraw();
    } catch (err) { msg.textContent = err.message; }
  });
  return form;
}

export async function render(root, { query }) {
  root.append(h('h1', {}, t('transfers.title')));
  const offset = Number(query.offset || 0);
  const [form, r] = await Promise.all([dispatchForm(), get('/transfers', { limit: LIMIT, offset, late: query.late || undefined })]);
  const cards = await Promise.all(r.items.map(tripCard));
  root.append(form, h('div', { 'data-testid': 'trips' },
    ...(cards.length ? cards : [h('p', { class: 'empty' }, t('common.empty'))]),
    pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/transfers', { ...query, offset: o }) })));
}
