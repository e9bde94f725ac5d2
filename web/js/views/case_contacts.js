// views/case_contacts.js - the case page's contact tracing card (流调): a discovery
// form (an optional period, empty for the policy's infectious window; secondary contacts
// or not), the stored contacts grouped by kind and by degree with their evidence and
// Confirm / Dismiss, a timeline of first contacts, and the interview forms
// (contact_forms.js). The server applies the policy's rules; this card shows and reviews.
import { h, fill } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, patch } from '../api.js';
import { instant, fromLocalInput } from '../format.js';
import { field, banner, showBanner, showError, clearErrors } from '../form.js';
import { drawChart } from '../chart.js';
import { href } from '../nav.js';
import { trajectoryForm, namedForm } from './contact_forms.js';

export const KINDS = ['companion', 'venue', 'proximity', 'household', 'interview'];
export const KIND_COLORS = {
  companion: '#7b3fa0', venue: '#1f5fa8', proximity: '#0f6d80', household: '#c0392b', interview: '#a86b00',
};

// "stays+interview" -> "驻留数据 + 流调报告"
function evidence(source) {
  return String(source || '').split('+').filter(Boolean).map((s) => label('evidence', s)).join(' + ');
}

export function contactStatusBadge(status) {
  return h('span', { class: `badge cstatus-${status}`, 'data-testid': 'contact-status' }, label('cstatus', status));
}

function subjectCell(x) {
  if (!x.person_id) return h('td', {}, x.contact);
  return h('td', {},
    h('a', { href: href(`/persons/${x.person_id}`), 'data-testid': 'contact-person' }, x.person_name || x.contact),
    h('div', { class: 'muted small mono' }, x.contact));
}

function reviewCell(x, onReview) {
  const button = (status, key, cls) => h('button', {
    type: 'button', class: `btn btn-small ${cls}`, 'data-testid': `contact-${key}`, disabled: x.status === status,
    onclick: (e) => onReview(x, status, e.target),
  }, t(`trace.${key}`));
  return h('td', { class: 'nowrap' },
    h('div', { class: 'actions review' }, button('confirmed', 'confirm', 'btn-primary'), button('dismissed', 'dismiss', '')),
    x.reviewed_by ? h('div', { class: 'muted small', 'data-testid': 'contact-reviewer' },
      t('trace.reviewed', { who: x.reviewed_by, at: instant(x.reviewed_at) })) : null);
}

// via: a secondary contact's close contact, by name when that contact is a known person.
function viaLabel(x, names) {
  const who = names?.get(x.via) || x.via;
  return h('span', { title: x.via }, t('trace.via', { via: who }));
}

// names: close contacts' subject -> person name, for the secondary rows' "via".
export function contactRow(x, onReview, names) {
  const minutes = x.overlap_seconds ? String(Math.round(x.overlap_seconds / 60)) : '';
  return h('tr', { 'data-testid': 'contact-row', 'data-contact-id': x.id, 'data-kind': x.kind, class: `cstatus-row-${x.status}` },
    subjectCell(x),
    h('td', {}, x.degree === 2 ? viaLabel(x, names) : label('degree', 1)),
    h('td', {}, x.place),
    h('td', { class: 'nowrap' }, instant(x.start)),
    h('td', { class: 'num' }, minutes),
    h('td', {}, evidence(x.source)),
    h('td', {}, contactStatusBadge(x.status), x.note ? h('div', { class: 'muted small' }, x.note) : null),
    reviewCell(x, onReview));
}

const HEADS = ['contact.subject', 'contact.degree', 'contact.place', 'contact.start', 'contact.minutes',
  'contact.source', 'contact.status', 'contact.review'];

// A dense city gives a case thousands of venue contacts or companions: a group shows its
// first SHOWN rows and a button for the rest, so the page stays quick to draw.
const SHOWN = 200;

function degreeBody(r, onReview, names) {
  const body = h('tbody', { 'data-degree': r[0].degree });
  const draw = (all) => {
    const rest = all ? 0 : Math.max(0, r.length - SHOWN);
    const more = rest ? h('tr', {}, h('td', { colspan: HEADS.length },
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'contacts-more',
        onclick: () => draw(true) }, t('trace.more', { n: rest })))) : null;
    fill(body, h('tr', { class: 'group-row' }, h('th', { colspan: HEADS.length }, `${label('degree', r[0].degree)} · ${r.length}`)),
      (all ? r : r.slice(0, SHOWN)).map((x) => contactRow(x, onReview, names)), more);
  };
  draw(false);
  return body;
}

// One table per kind; inside it one tbody per degree, headed by "密接 · n" / "次密接 · n".
function kindSection(kind, rows, onReview, names) {
  const bodies = [1, 2].map((d) => rows.filter((x) => x.degree === d)).filter((r) => r.length)
    .map((r) => degreeBody(r, onReview, names));
  return h('section', { class: 'kind-section', 'data-testid': `contacts-kind-${kind}` },
    h('h3', {}, h('span', { class: 'kind-dot', style: `background:${KIND_COLORS[kind] || '#66707c'}` }),
      `${label('kind', kind)} (${rows.length})`),
    h('table', { class: 'table compact' },
      h('thead', {}, h('tr', {}, HEADS.map((k) => h('th', {}, t(k))))), bodies));
}

const namesOf = (items) => new Map(items.filter((x) => x.degree === 1 && x.person_name).map((x) => [x.contact, x.person_name]));

function groups(items, onReview) {
  if (!items.length) return h('p', { class: 'muted', 'data-testid': 'contacts-none' }, t('trace.none'));
  const names = namesOf(items);
  const kinds = [...KINDS, ...new Set(items.map((x) => x.kind).filter((k) => !KINDS.includes(k)))];
  return kinds.map((k) => [k, items.filter((x) => x.kind === k)]).filter(([, r]) => r.length)
    .map(([k, r]) => kindSection(k, r, onReview, names));
}

function countTags(items) {
  return KINDS.map((k) => [k, items.filter((x) => x.kind === k).length]).filter(([, n]) => n)
    .map(([k, n]) => h('span', { class: 'tag', 'data-testid': `count-${k}` }, t('trace.count', { k: label('kind', k), n })));
}

const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

// Scatter of first contact times, one row and one colour per kind; size grows with minutes.
function timelineOption(items) {
  const kinds = KINDS.filter((k) => items.some((x) => x.kind === k));
  const times = items.filter((x) => x.start).map((x) => new Date(x.start).getTime());
  const pad = Math.max(3600000, (Math.max(...times) - Math.min(...times)) * 0.05);
  return {
    grid: { left: 110, right: 24, top: 16, bottom: 36 },
    tooltip: { trigger: 'item', formatter: (p) => `${esc(p.data[3])}<br>${esc(instant(new Date(p.data[0]).toISOString()))}` },
    xAxis: { type: 'time', min: Math.min(...times) - pad, max: Math.max(...times) + pad },
    yAxis: { type: 'category', data: kinds.map((k) => label('kind', k)) },
    series: kinds.map((k) => ({
      type: 'scatter', name: label('kind', k), itemStyle: { color: KIND_COLORS[k] },
      symbolSize: (v) => Math.min(26, 8 + Math.sqrt(v[2] || 0)),
      data: items.filter((x) => x.kind === k && x.start)
        .map((x) => [new Date(x.start).getTime(), label('kind', k), Math.round((x.overlap_seconds || 0) / 60),
          x.person_name || x.contact]),
    })),
  };
}

// The discovery form; onFound gets the stored list the server returns.
function discoveryForm(c, onFound) {
  const from = h('input', { type: 'datetime-local', name: 'from', id: 'trace-from', 'data-testid': 'contacts-from' });
  const to = h('input', { type: 'datetime-local', name: 'to', id: 'trace-to', 'data-testid': 'contacts-to' });
  const secondary = h('input', { type: 'checkbox', name: 'secondary', id: 'trace-secondary', 'data-testid': 'contacts-secondary' });
  const run = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'contacts-discover' }, t('trace.discover'));
  const msg = banner();
  const form = h('form', { class: 'trace-run', 'data-testid': 'contacts-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { secondary: secondary.checked };
      if (from.value) body.from = fromLocalInput(from.value);
      if (to.value) body.to = fromLocalInput(to.value);
      run.disabled = true;
      try {
        const r = await post(`/cases/${c.id}/contacts/discover`, body);
        onFound(r.items || []);
        showBanner(msg, t('trace.found', { n: r.total ?? (r.items || []).length }), 'ok');
      } catch (err) {
        showError(form, msg, err);
      }
      run.disabled = false;
    } },
  field('from', 'trace.from', from), field('to', 'trace.to', to),
  h('label', { class: 'check', for: 'trace-secondary' }, secondary, t('trace.secondary')),
  run, msg);
  return form;
}

// The card: {el, dispose}; dispose removes the chart when the page is left.
export function contactsCard(c) {
  let items = [];
  let dispose = null;
  let drawing = 0;
  const msg = banner();
  const counts = h('div', { class: 'kind-counts', 'data-testid': 'contacts-counts' });
  const list = h('div', { 'data-testid': 'contacts-groups' });
  const chartEl = h('div', { class: 'chart chart-timeline', 'data-testid': 'contacts-chart', hidden: true });

  async function drawTimeline() {
    const mine = ++drawing;
    if (dispose) { dispose(); dispose = null; }
    chartEl.hidden = !items.some((x) => x.start);
    if (chartEl.hidden) return;
    try {
      const d = await drawChart(chartEl, timelineOption(items));
      if (mine === drawing && chartEl.isConnected) dispose = d; else d();
    } catch {
      chartEl.hidden = true; // no ECharts: the tables say the same
    }
  }

  async function onReview(x, status, button) {
    button.disabled = true;
    try {
      // the note goes along: the API clears a contact's note when a PATCH leaves it out
      const y = await patch(`/contacts/${x.id}`, { status, note: x.note || '' });
      items = items.map((z) => (z.id === y.id ? y : z));
      list.querySelector(`[data-contact-id="${y.id}"]`)?.replaceWith(contactRow(y, onReview, namesOf(items)));
      msg.hidden = true;
    } catch (err) {
      showBanner(msg, err.message);
      button.disabled = false;
    }
  }

  function show(next) {
    items = next;
    fill(counts, countTags(items));
    fill(list, groups(items, onReview));
    drawTimeline();
  }

  const added = (row) => show([...items.filter((x) => x.id !== row.id), row]);
  const el = h('div', { class: 'card trace', 'data-testid': 'contacts-card' },
    h('div', { class: 'trace-head' }, h('h2', {}, t('trace.title')), counts),
    h('p', { class: 'muted small' }, t('trace.hint')),
    discoveryForm(c, show), msg,
    h('h3', {}, t('trace.chart')), chartEl, list,
    h('div', { class: 'trace-forms' }, trajectoryForm(c), namedForm(c, added)));
  get(`/cases/${c.id}/contacts`).then((r) => show(r.items || []), (err) => showBanner(msg, err.message));
  return { el, dispose: () => { drawing++; if (dispose) dispose(); dispose = null; } };
}
