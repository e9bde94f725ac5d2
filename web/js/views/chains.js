// views/chains.js - transmission chains (传播链): cases as the nodes of a force-laid
// ECharts graph (labelled 第N号 and the masked name), coloured by classification, and
// the contact edges between them labelled by kind; a click on a case opens it.
// #/chains?case=ID highlights that case. The same edges are listed in a table beneath
// (readable without the graph).
import { h } from '../dom.js';
import { t, label, ENUMS } from '../i18n.js';
import { get } from '../api.js';
import { instant, maskName } from '../format.js';
import { drawChart } from '../chart.js';
import { go, href } from '../nav.js';
import { contactStatusBadge } from './case_contacts.js';

export const nav = 'chains';

const CLASS_COLORS = { screening_positive: '#a86b00', confirmed: '#c0392b', asymptomatic: '#1f5fa8' };

const caseName = (n) => (n ? `${t('case.number', { n: n.number })} ${n.person_name || ''}`.trim() : '');
// The graph is for the wall screen: its labels always carry masked names.
const nodeLabel = (n) => `${t('case.number', { n: n.number })} ${maskName(n.person_name)}`.trim();

function graphOption(nodes, edges, focus) {
  const classes = ENUMS.classification;
  return {
    color: classes.map((c) => CLASS_COLORS[c]),
    legend: { data: classes.map((c) => label('classification', c)), bottom: 0 },
    tooltip: { show: false },
    series: [{
      type: 'graph', layout: 'force', roam: true, draggable: true,
      force: { repulsion: 700, edgeLength: [160, 240], gravity: 0.05, layoutAnimation: false },
      categories: classes.map((c) => ({ name: label('classification', c) })),
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 9,
      label: { show: true, position: 'bottom', fontSize: 12 },
      edgeLabel: { show: true, fontSize: 11, color: '#3a4653' },
      lineStyle: { width: 2, opacity: 0.8, curveness: 0.1 },
      data: nodes.map((n) => ({
        id: String(n.id), name: nodeLabel(n), caseId: n.id,
        category: Math.max(0, classes.indexOf(n.classification)),
        symbolSize: n.id === focus ? 34 : 22,
        itemStyle: n.id === focus ? { borderColor: '#102a4c', borderWidth: 4 } : undefined,
        label: n.id === focus ? { fontWeight: 'bold', fontSize: 14 } : undefined,
      })),
      links: edges.map((e) => ({
        source: String(e.from), target: String(e.to),
        label: { formatter: label('kind', e.kind) },
        lineStyle: { type: e.status === 'confirmed' ? 'solid' : 'dashed',
          color: e.status === 'dismissed' ? '#b8c0ca' : '#66707c' },
      })),
    }],
  };
}

function caseLink(n, id) {
  return h('a', { href: href(`/cases/${id}`) }, caseName(n) || `#${id}`);
}

function edgeTable(edges, byId, focus) {
  const heads = ['chains.from', 'chains.to', 'chains.kind', 'chains.place', 'chains.at', 'contact.status'];
  return h('table', { class: 'table compact', 'data-testid': 'chains-table' },
    h('thead', {}, h('tr', {}, heads.map((k) => h('th', {}, t(k))))),
    h('tbody', {}, edges.map((e) => h('tr', {
      'data-testid': 'chain-edge', 'data-from': e.from, 'data-to': e.to,
      class: focus && (e.from === focus || e.to === focus) ? 'focus' : null,
    },
    h('td', {}, caseLink(byId.get(e.from), e.from)),
    h('td', {}, caseLink(byId.get(e.to), e.to)),
    h('td', {}, label('kind', e.kind), e.degree === 2 ? ` · ${label('degree', 2)}` : ''),
    h('td', {}, e.place),
    h('td', { class: 'nowrap' }, instant(e.at)),
    h('td', {}, contactStatusBadge(e.status))))));
}

export async function render(root, { query }) {
  const focus = Number(query.case) || 0;
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('chains.title'))));
  const r = await get('/chains');
  const nodes = r.nodes || [];
  const edges = r.edges || [];
  if (!edges.length) {
    root.append(h('div', { class: 'card' }, h('p', { class: 'empty', 'data-testid': 'chains-empty' }, t('chains.empty'))));
    return undefined;
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const graphEl = h('div', { class: 'chart chains-graph', 'data-testid': 'chains-graph' });
  root.append(
    h('div', { class: 'card' },
      h('p', { class: 'muted small' }, t('chains.hint'),
        focus && byId.has(focus) ? h('strong', { 'data-testid': 'chains-focus' }, ' ', t('chains.focus', { c: nodeLabel(byId.get(focus)) })) : null),
      graphEl),
    h('div', { class: 'card' }, h('h2', {}, t('chains.edges'), ` (${edges.length})`), edgeTable(edges, byId, focus)));
  try {
    return await drawChart(graphEl, graphOption(nodes, edges, focus), {
      onClick: (p) => { if (p.dataType === 'node' && p.data?.caseId) go(`/cases/${p.data.caseId}`); },
    });
  } catch {
    graphEl.hidden = true; // no ECharts: the table lists the same edges
    return undefined;
  }
}
