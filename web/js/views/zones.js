// views/zones.js - risk zones (风险区) for the command: propose from a case, then one card
// per zone with its level, unit, dates (may downgrade, may lift) and over-reach flags;
// a proposal is edited (level, name), published or rejected; a published zone is
// downgraded or lifted with a written note, forced before its date only with "force"
// ticked (the server records and flags it). The levels come from the policy in force.
import { h, select } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, patch } from '../api.js';
import { instant } from '../format.js';
import { pager } from '../pager.js';
import { go } from '../nav.js';

export const nav = 'zones';
const LIMIT = 20;
const redraw = () => window.dispatchEvent(new Event('fk:route'));

async function levels() {
  const doc = (await get('/policy')).document.zones;
  return doc.schemes[doc.scheme].levels.map((l) => [l.key, l.zh]);
}

function dateLine(z) {
  return h('p', { class: 'lead-meta', 'data-testid': 'zone-dates' },
    `${t('zone.start')}: ${z.start_date} · ${t('zone.last_case')}: ${z.last_case_date}`,
    z.may_downgrade_date ? ` · ${t('zone.may_downgrade', { date: z.may_downgrade_date, to: z.may_downgrade_to })}` : '',
    z.may_lift_date ? ` · ${t('zone.may_lift', { date: z.may_lift_date })}` : '',
    z.needs ? h('span', { class: 'overdue-mark' }, ` · ${t('zone.needs')}: ${z.needs}`) : null);
}

// The note (and force) box of a decision; `what` is publish, reject, downgrade or lift.
function decision(z, what, msg) {
  const note = h('input', { type: 'text', name: 'note', 'aria-label': t('zone.note'), placeholder: t('zone.note'), 'data-testid': `zone-note-${what}` });
  const force = h('input', { type: 'checkbox', name: 'force', 'data-testid': `zone-force-${what}` });
  const act = async () => {
    try {
      await post(`/zones/${z.id}/${what}`, { note: note.value || undefined, force: force.checked || undefined });
      redraw();
    } catch (e) { msg.textContent = e.message; }
  };
  const stepping = what === 'downgrade' || what === 'lift';
  return h('span', { class: 'filters' }, what === 'publish' ? null : note,
    stepping ? h('label', { class: 'check' }, force, ` ${t('zone.force')}`) : null,
    h('button', { type: 'button', class: what === 'publish' ? 'btn btn-primary' : 'btn', 'data-testid': `zone-${what}`, onclick: act }, t(`zone.${what}`)));
}

function editForm(z, lv, msg) {
  const form = h('form', { class: 'filters', 'data-testid': 'zone-edit' },
    select({ name: 'level', 'aria-label': t('zone.level') }, lv, z.level),
    h('input', { type: 'text', name: 'name', value: z.name, 'aria-label': t('zone.name') }),
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'zone-save' }, t('zone.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    if (form.level.value !== z.level) body.level = form.level.value;
    if (form.name.value !== z.name) body.name = form.name.value;
    try { await patch(`/zones/${z.id}`, body); redraw(); } catch (err) { msg.textContent = err.message; }
  });
  return form;
}

function zoneCard(z, lv) {
  const msg = h('p', { class: 'error', role: 'alert' });
  const flagged = z.flags.length > 0;
  const live = z.status === 'proposed' || z.status === 'published';
  return h('div', { class: `card lead${flagged ? ' lead-overdue' : ''}`, 'data-testid': 'zone-card', 'data-id': z.id, 'data-status': z.status },
    h('div', { class: 'lead-head' },
      h('strong', {}, z.name),
      h('span', { class: 'tag', 'data-testid': 'zone-level' }, z.level_zh || z.level),
      h('span', { class: 'tag', 'data-testid': 'zone-status' }, label('zstatus', z.status)),
      z.pending_level ? h('span', { class: 'tag tag-escalated' }, t('zone.pending', { level: z.pending_level })) : null,
      z.flags.map((f) => h('span', { class: 'tag tag-escalated', 'data-testid': 'zone-flag' }, label('zflag', f)))),
    h('p', { class: 'lead-meta' }, `${label('zunit', z.unit_kind)} ${z.area_name || z.area_code} · ${t('zone.cases', { n: z.n_cases })} · ${z.rule}`,
      z.published_at ? ` · ${t('zone.published_by', { who: z.published_by, at: instant(z.published_at) })}` : ''),
    dateLine(z),
    live ? editForm(z, lv, msg) : null,
    z.status === 'proposed' ? h('div', {}, decision(z, 'publish', msg), decision(z, 'reject', msg)) : null,
    z.status === 'published' ? h('div', {}, z.may_downgrade_date ? decision(z, 'downgrade', msg) : null, decision(z, 'lift', msg)) : null,
    msg);
}

function proposeForm() {
  const msg = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'filters', 'data-testid': 'zone-propose-form' },
    h('input', { type: 'number', name: 'case_id', min: '1', required: true, 'aria-label': t('zone.case_id'), placeholder: t('zone.case_id') }),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'zone-propose' }, t('zone.propose')), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await post(`/cases/${Number(form.case_id.value)}/zones/propose`); redraw(); } catch (err) { msg.textContent = err.message; }
  });
  return form;
}

export async function render(root, { query }) {
  root.append(h('h1', {}, t('zones.title')));
  const offset = Number(query.offset || 0);
  const status = query.status || '';
  const filter = select({ 'aria-label': t('zone.status'), 'data-testid': 'zone-filter',
    onchange: (e) => go('/zones', { status: e.target.value }) },
  [['', t('zone.all')], ...['proposed', 'published', 'lifted', 'rejected'].map((s) => [s, label('zstatus', s)])], status);
  const [lv, r] = await Promise.all([levels(), get('/zones', { limit: LIMIT, offset, status: status || undefined })]);
  root.append(proposeForm(), h('div', { class: 'filters' }, filter),
    h('div', { 'data-testid': 'zones' },
      ...(r.items.length ? r.items.map((z) => zoneCard(z, lv)) : [h('p', { class: 'empty' }, t('common.empty'))]),
      pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/zones', { ...query, offset: o }) })));
}
