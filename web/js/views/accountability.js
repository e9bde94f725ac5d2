// views/accountability.js - the command's view of responsibility (压实责任): for a period,
// the performance of every unit of a level (failures in red), today's daily reports with
// the units that have not reported, and the briefing (通报): every failure with the unit
// and official responsible at the time and the actions decided, each with a button to
// record one. The server computes everything; the names of measures and actions come
// from the server (the measures table, the policy's accountability.actions).
import { h, select } from '../dom.js';
import { t, lang, label } from '../i18n.js';
import { get, post } from '../api.js';
import { instant } from '../format.js';
import { go } from '../nav.js';
import { pager } from '../pager.js';

export const nav = 'accountability';
const pad = (n) => String(n).padStart(2, '0');
const LEVELS = ['district', 'street', 'community'];
const BRIEFING_PAGE = 100; // a city's period can hold a million failures: one page at a time

// A local date "YYYY-MM-DD", `days` from today, in the policy's reporting time
// (reporting.utc_offset_h): the server's periods are dates there, not the browser's.
function localDate(offsetH, days = 0) {
  const d = new Date(Date.now() + offsetH * 3600 * 1000 + days * 86400 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const zhOrEn = (o) => (lang() === 'en' ? o.en : o.zh);

function performanceTable(perf) {
  const cell = (m, v) => {
    const bad = m.failure && v > 0;
    const text = v === null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(1);
    return h('td', { class: `num${bad ? ' cell-failure' : ''}`, 'data-measure': m.name }, text);
  };
  if (perf.items.length === 0) return h('p', { class: 'empty' }, t('common.empty'));
  return h('table', { class: 'table compact', 'data-testid': 'acc-performance' },
    h('thead', {}, h('tr', {}, h('th', {}, t('acc.unit')), perf.measures.map((m) => h('th', {}, zhOrEn(m))))),
    h('tbody', {}, perf.items.map((row) => h('tr', { 'data-testid': 'acc-perf-row', 'data-area': row.area_code },
      h('td', {}, row.name), perf.measures.map((m) => cell(m, row[m.name]))))));
}

function reportsCard(reports) {
  const late = reports.items.filter((i) => i.state === 'missing' || i.state === 'late' || i.state === 'pending');
  const counts = ['submitted', 'zero', 'late', 'missing', 'pending']
    .map((s) => `${label('rstate', s)} ${reports.counts[s] || 0}`).join(' · ');
  return h('div', { class: 'card', 'data-testid': 'acc-reports' },
    h('p', { 'data-testid': 'acc-report-counts' }, `${reports.date}: ${counts}`),
    late.length === 0 ? h('p', { class: 'empty' }, t('acc.all_reported'))
      : h('ul', { class: 'plain' }, late.map((i) => h('li', { 'data-testid': 'acc-report-unit', class: i.state === 'pending' ? '' : 'overdue-mark' },
        `${i.name}（${i.area_code}）${label('rstate', i.state)}`, i.state === 'pending' ? ` · ${t('lead.due')} ${instant(i.deadline)}` : ''))));
}

function actionForm(f, actions, redraw) {
  const msg = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'filters', 'data-testid': 'acc-action-form' },
    select({ name: 'action', 'data-testid': 'acc-action' }, actions.map(([k, v]) => [k, zhOrEn(v)])),
    h('input', { name: 'reason', placeholder: t('acc.reason'), 'aria-label': t('acc.reason'), 'data-testid': 'acc-reason' }),
    f.responsible ? null : h('input', { name: 'official', placeholder: t('acc.official'), 'aria-label': t('acc.official') }),
    f.responsible ? null : h('input', { name: 'unit', placeholder: t('acc.unit'), 'aria-label': t('acc.unit') }),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'acc-action-save' }, t('common.save')), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { failure_ref: f.ref, action: form.action.value, reason: form.reason.value.trim() };
    if (form.official) { body.official = form.official.value.trim(); body.unit = form.unit.value.trim(); }
    try { await post('/accountability/actions', body); redraw(); } catch (err) { msg.textContent = err.message; }
  });
  return form;
}

function failureRow(f, actions, redraw) {
  const names = Object.fromEntries(actions);
  const what = f.source === 'lead' ? t('acc.lead_failure', { id: f.lead_id, step: label('step', f.what) })
    : f.source === 'trip' ? t('acc.trip_failure', { id: f.trip_id, what: label('tlate', f.what) })
      : t('acc.report_failure', { day: f.day, what: label('rstate', f.what) });
  const record = h('button', { type: 'button', class: 'btn', 'data-testid': 'acc-record',
    onclick: () => record.replaceWith(actionForm(f, actions, redraw)) }, t('acc.record'));
  return h('tr', { 'data-testid': 'acc-failure', 'data-ref': f.ref },
    h('td', { class: 'nowrap' }, instant(f.due_at)),
    h('td', {}, what),
    h('td', { class: 'num' }, f.late_h.toFixed(1)),
    h('td', {}, f.responsible ? `${f.responsible.unit} ${f.responsible.official}` : `${f.unit_code || t('level.command')} · ${t('acc.nobody')}`),
    h('td', {}, f.actions.map((a) => h('div', { 'data-testid': 'acc-action-done' },
      `${a.official} ${names[a.action] ? zhOrEn(names[a.action]) : a.action}：${a.reason}`)), record));
}

function briefingTable(b, actions, redraw) {
  if (b.failures.length === 0) return h('p', { class: 'empty' }, t('acc.no_failures'));
  return h('table', { class: 'table compact', 'data-testid': 'acc-briefing' },
    h('thead', {}, h('tr', {}, ['acc.due', 'acc.failure', 'acc.late_h', 'acc.responsible', 'acc.actions'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, b.failures.map((f) => failureRow(f, actions, redraw))));
}

export async function render(root, { query }) {
  const pol = await get('/policy');
  const offset = pol.document.reporting.utc_offset_h;
  const from = query.from || localDate(offset, -7), to = query.to || localDate(offset, 0);
  const level = query.level || 'street';
  const form = h('form', { class: 'filters', 'data-testid': 'acc-filter' },
    h('label', {}, `${t('acc.from')} `, h('input', { type: 'date', name: 'from', value: from })),
    h('label', {}, `${t('acc.to')} `, h('input', { type: 'date', name: 'to', value: to })),
    select({ name: 'level', 'data-testid': 'acc-level' }, LEVELS.map((l) => [l, label('level', l)]), level),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/accountability', { from: form.from.value, to: form.to.value, level: form.level.value });
  });
  root.append(h('h1', {}, t('acc.title')), form);
  const boffset = Number(query.boffset || 0);
  const [perf, reports, briefing] = await Promise.all([
    get('/performance', { from, to, level }), get('/reports/daily'),
    get('/briefings', { from, to, limit: BRIEFING_PAGE, offset: boffset })]);
  const acts = pol.document.accountability.actions;
  const actions = Object.entries(acts).filter(([k]) => k !== 'source');
  const redraw = () => window.dispatchEvent(new Event('fk:route'));
  root.append(
    h('h2', {}, t('acc.performance')), h('div', { class: 'card' }, performanceTable(perf)),
    h('h2', {}, t('acc.reports_today')), reportsCard(reports),
    h('h2', {}, t('acc.briefing', { n: briefing.total })), h('div', { class: 'card' }, briefingTable(briefing, actions, redraw)),
    pager({ total: briefing.total, limit: BRIEFING_PAGE, offset: boffset,
      go: (o) => go('/accountability', { from, to, level, boffset: o }) }));
}
