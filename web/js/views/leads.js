// views/leads.js - the leads queue (推送、排查、管控) of the user's jurisdiction, one card
// per lead so that it works on a phone: call, the next moves of the lead's state (the
// server's state machine judges them), the measure taken when controlled, a note.
// Overdue leads are red and show the level they were escalated to.
import { h } from '../dom.js';
import { t, label, options } from '../i18n.js';
import { get, patch } from '../api.js';
import { instant } from '../format.js';
import { pager } from '../pager.js';
import { go } from '../nav.js';
import { select } from '../dom.js';

export const nav = 'leads';
const LIMIT = 50;
const STATES = ['pushed', 'received', 'found', 'not_found', 'refused', 'controlled', 'closed'];
const MEASURES = ['transferred_central', 'home_isolation_door_sensor', 'hospital', 'other'];
// The moves offered on a card; the same table as model/lead.c, which stays the judge.
const NEXT = {
  pushed: ['received'], received: ['found', 'not_found'], found: ['controlled', 'refused'],
  refused: ['controlled'], not_found: ['found', 'closed'], controlled: ['closed'], closed: [],
};

function card(l, redraw) {
  const phone = l.person_phone || (/^1\d{10}$/.test(l.subject) ? l.subject : '');
  const note = h('input', { name: 'note', placeholder: t('lead.note'), 'aria-label': t('lead.note'), 'data-testid': 'lead-note' });
  const measure = select({ name: 'measure_taken', 'data-testid': 'lead-measure' }, options('measure', MEASURES, 'lead.measure'), '');
  const msg = h('p', { class: 'error', role: 'alert' });
  const move = async (state) => {
    const body = { state };
    if (note.value.trim()) body.note = note.value.trim();
    if (state === 'controlled') body.measure_taken = measure.value;
    try { await patch(`/leads/${l.id}`, body); redraw(); } catch (e) { msg.textContent = e.message; }
  };
  const next = NEXT[l.state] || [];
  return h('div', { class: `card lead${l.overdue ? ' lead-overdue' : ''}`, 'data-testid': 'lead-card', 'data-state': l.state },
    h('div', { class: 'lead-head' },
      h('strong', {}, l.person_name || l.subject),
      h('span', { class: 'tag' }, label('leadkind', l.kind)),
      h('span', { class: 'tag', 'data-testid': 'lead-state' }, label('lstate', l.state)),
      l.escalation_level > 0 ? h('span', { class: 'tag tag-escalated', 'data-testid': 'lead-level' }, t('lead.escalated', { to: label('level', l.escalated_to) })) : null),
    h('p', { class: 'lead-meta' },
      `${t('lead.measure_required')}: ${label('phase', l.measure_required)} · ${t('lead.due')}: `,
      h('span', { 'data-testid': 'lead-due' }, l.due_at ? instant(l.due_at) : '—'),
      l.overdue ? h('strong', { class: 'overdue-mark' }, ` ${t('lead.overdue')}`) : null,
      l.responsible ? h('span', { 'data-testid': 'lead-responsible' }, ` · ${t('lead.responsible')}: ${l.responsible.unit} ${l.responsible.official}`) : null),
    next.length === 0 ? null : h('div', { class: 'lead-actions' },
      phone ? h('a', { class: 'btn', href: `tel:${phone}`, 'data-testid': 'lead-call' }, t('lead.call')) : null,
      next.includes('controlled') ? measure : null, note,
      next.map((s) => h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': `lead-to-${s}`, onclick: () => move(s) },
        label('lstate', s)))),
    msg);
}

export async function render(root, { query }) {
  const form = h('form', { class: 'filters', 'data-testid': 'leads-filter' },
    select({ name: 'state', 'data-testid': 'leads-state' }, options('lstate', STATES, 'common.all'), query.state || ''),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overdue', checked: query.overdue === '1' ? true : null }),
      ` ${t('lead.only_overdue')}`),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/leads', { state: form.state.value, overdue: form.overdue.checked ? '1' : '' });
  });
  root.append(h('h1', {}, t('leads.title')), form);
  const list = h('div', { 'data-testid': 'leads-list' }, t('common.loading'));
  root.append(list);
  const offset = Number(query.offset || 0);
  const r = await get('/leads', { limit: LIMIT, offset, state: query.state || undefined, overdue: query.overdue || undefined });
  const redraw = () => window.dispatchEvent(new Event('fk:route'));
  list.replaceChildren(...(r.items.length === 0 ? [h('p', { class: 'empty' }, t('common.empty'))] : r.items.map((l) => card(l, redraw))),
    pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/leads', { ...query, offset: o }) }));
}
