// views/dashboard.js - counts as tiles and cases by status as a bar chart, and the closed
// loop at a glance for whoever works it: leads past their deadline, free rooms (red when
// the outlook warns), late transfer trips, daily reports missing. Each tile is asked only
// of the users whose role may read it, and links to the page that acts on it.
import { h } from '../dom.js';
import { t, label, ENUMS } from '../i18n.js';
import { get } from '../api.js';
import { can } from '../session.js';
import { barChart } from '../chart.js';

export const nav = 'dashboard';

function tile(testid, title, n, href, alert = false) {
  const body = [h('div', { class: 'tile-n' }, Number(n || 0).toLocaleString()), h('div', { class: 'tile-t' }, title)];
  const cls = alert ? 'tile tile-alert' : 'tile';
  return href ? h('a', { class: cls, href, 'data-testid': testid }, body) : h('div', { class: cls, 'data-testid': testid }, body);
}

// The loop's tiles the user may see; a failed one is left out rather than failing the page.
async function loopTiles() {
  const jobs = [];
  if (can('leads')) {
    jobs.push(get('/leads', { overdue: 1, limit: 1 }).then((r) =>
      tile('tile-leads-overdue', t('dash.leads_overdue'), r.total, '#/leads?overdue=1', r.total > 0)));
  }
  if (can('isolation')) {
    jobs.push(get('/facilities/outlook').then((o) =>
      tile('tile-rooms-vacant', t('dash.rooms_vacant'), o.rooms.vacant, '#/facilities', o.warning)));
  }
  if (can('transfer')) {
    jobs.push(get('/transfers', { late: 1, limit: 1 }).then((r) =>
      tile('tile-trips-late', t('dash.trips_late'), r.total, '#/transfers?late=1', r.total > 0)));
  }
  if (can('accountability')) {
    jobs.push(get('/reports/daily').then((r) =>
      tile('tile-reports-missing', t('dash.reports_missing'), r.counts.missing || 0, '#/accountability', (r.counts.missing || 0) > 0)));
  }
  return (await Promise.all(jobs.map((p) => p.catch(() => null)))).filter(Boolean);
}

export async function render(root) {
  root.append(h('h1', {}, t('dash.title')));
  const s = await get('/stats');
  const byStatus = s.cases_by_status || {};
  const byClass = s.cases_by_classification || {};
  root.append(h('div', { class: 'tiles' },
    tile('tile-persons', t('dash.persons'), s.persons, '#/persons'),
    tile('tile-households', t('dash.households'), s.households),
    tile('tile-cases', t('dash.cases'), s.cases, '#/cases'),
    ENUMS.classification.map((c) => tile(`tile-${c}`, label('classification', c), byClass[c],
      `#/cases?classification=${c}`))));
  const loop = await loopTiles();
  if (loop.length) root.append(h('h2', {}, t('dash.loop')), h('div', { class: 'tiles', 'data-testid': 'loop-tiles' }, loop));

  const pairs = ENUMS.status.map((st) => [label('status', st), byStatus[st] || 0]);
  const chartEl = h('div', { class: 'chart', 'data-testid': 'chart-status' });
  const table = h('table', { class: 'table compact' },
    h('tbody', {}, pairs.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { class: 'num' }, v)))));
  root.append(h('div', { class: 'card' }, h('h2', {}, t('dash.by_status')), chartEl, table));
  try {
    const dispose = await barChart(chartEl, pairs);
    table.hidden = true;
    return dispose;
  } catch {
    chartEl.hidden = true; // no ECharts: the table says the same
    return undefined;
  }
}
