// views/dashboard.js - counts as tiles and cases by status as a bar chart.
import { h } from '../dom.js';
import { t, label, ENUMS } from '../i18n.js';
import { get } from '../api.js';
import { barChart } from '../chart.js';

export const nav = 'dashboard';

function tile(testid, title, n, href) {
  const body = [h('div', { class: 'tile-n' }, Number(n || 0).toLocaleString()), h('div', { class: 'tile-t' }, title)];
  return href ? h('a', { class: 'tile', href, 'data-testid': testid }, body) : h('div', { class: 'tile', 'data-testid': testid }, body);
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
