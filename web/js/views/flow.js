// views/flow.js - the sample flow (样本流转) of mass testing: tubes waiting at each step per
// site and per lab (GET /testing/flow), red where they are over the policy's limits or
// were late; for a site, its closed tubes not yet packed (packed into a box), its boxes
// (handed to a courier, received at a lab); the labs; and for a received box the lab's
// result entry: per tube negative, positive with the Ct values of ORF1ab and N, or
// invalid, one at a time or as a batch, and a correction with its reason.
import { h, select } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post } from '../api.js';
import { areaPicker } from '../areas.js';
import { field, banner, clearErrors, showError, showBanner } from '../form.js';
import { go, href } from '../nav.js';
import { can } from '../session.js';
import { testingTabs } from './testing_tabs.js';

export const nav = 'testing';
const FLASH = 'fangkong.flow.ok';
const redraw = (text) => { if (text) sessionStorage.setItem(FLASH, text); window.dispatchEvent(new Event('fk:route')); };
const RESULTS = ['negative', 'positive', 'invalid'];

// [column, label key, value of a row, the over count that makes a waiting cell red]
const COLS = [
  ['waiting_pack', 'flow.waiting_pack', (c) => c.waiting.pack, (c) => c.over.sample_to_lab],
  ['waiting_handover', 'flow.waiting_handover', (c) => c.waiting.handover, (c) => c.over.sample_to_lab],
  ['transit', 'flow.transit', (c) => c.waiting.transit, (c) => c.over.sample_to_lab],
  ['waiting_result', 'flow.waiting_result', (c) => c.waiting.result, (c) => c.over.lab_to_result],
  ['resulted', 'flow.resulted', (c) => c.resulted],
  ['negative', 'flow.negative', (c) => c.results.negative],
  ['positive', 'flow.positive', (c) => c.results.positive, (c) => c.results.positive],
  ['invalid', 'flow.invalid', (c) => c.results.invalid],
  ['over_to_lab', 'flow.over_to_lab', (c) => c.over.sample_to_lab, (c) => c.over.sample_to_lab],
  ['over_result', 'flow.over_result', (c) => c.over.lab_to_result, (c) => c.over.lab_to_result],
  ['late_to_lab', 'flow.late_to_lab', (c) => c.late.sample_to_lab, (c) => c.late.sample_to_lab],
  ['late_result', 'flow.late_result', (c) => c.late.lab_to_result, (c) => c.late.lab_to_result],
];

function flowTable(rows, kind) {
  if (rows.length === 0) return h('p', { class: 'empty' }, t('common.empty'));
  return h('div', { class: 'scroll-x' }, h('table', { class: 'table compact', 'data-testid': `flow-table-${kind}` },
    h('thead', {}, h('tr', {}, h('th', {}, t('flow.name')), COLS.map(([, k]) => h('th', {}, t(k))))),
    h('tbody', {}, rows.map((c) => h('tr', { 'data-testid': `flow-${kind}-row`, 'data-id': c[`${kind}_id`] },
      h('td', {}, c.name),
      COLS.map(([col, , v, red]) => {
        const n = v(c);
        const alarm = n > 0 && red && red(c) > 0;
        return h('td', { class: `num${alarm ? ' cell-failure' : ''}`, 'data-col': col }, String(n));
      }))))));
}

function filters(query, rounds, sites, labs) {
  const form = h('form', { class: 'filters', 'data-testid': 'flow-filter' },
    select({ name: 'round', 'data-testid': 'flow-round', 'aria-label': t('sample.round') },
      [['', t('flow.all_rounds')], ...rounds.map((r) => [String(r.id), r.name])], query.round || ''),
    select({ name: 'site', 'data-testid': 'flow-site', 'aria-label': t('sample.site'), disabled: !query.round },
      [['', t('flow.all_sites')], ...sites.map((s) => [String(s.id), s.name])], query.site || ''),
    select({ name: 'lab', 'data-testid': 'flow-lab', 'aria-label': t('box.lab') },
      [['', t('flow.all_labs')], ...labs.map((l) => [String(l.id), l.name])], query.lab || ''),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')));
  const el = (n) => form.elements.namedItem(n);
  el('round').addEventListener('change', () => go('/flow', { round: el('round').value, lab: el('lab').value }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/flow', { round: el('round').value, site: el('site').value, lab: el('lab').value });
  });
  return form;
}

// Closed tubes of the site in no box, all ticked, into a box of the code typed.
function packCard(siteId, ready) {
  const msg = banner();
  const code = h('input', { name: 'code', class: 'mono', 'data-testid': 'pack-code', autocomplete: 'off' });
  const checks = ready.items.map((tb) => h('label', { class: 'check mono' },
    h('input', { type: 'checkbox', name: 'barcodes', value: tb.barcode, checked: true, 'data-testid': 'pack-tube' }), ` ${tb.barcode} (${tb.n_members})`));
  const form = h('form', { class: 'card form small-form', 'data-testid': 'pack-form', novalidate: true },
    h('h2', {}, t('flow.pack')), msg,
    h('div', { class: 'field', 'data-field': 'barcodes' },
      h('label', {}, t('flow.ready', { n: ready.total })),
      ready.items.length ? h('div', { class: 'checks' }, checks) : h('p', { class: 'empty' }, t('flow.none_ready')),
      h('div', { class: 'field-error', role: 'alert', 'data-testid': 'error-barcodes', hidden: true })),
    field('code', 'box.code', code, { required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'pack-submit', disabled: !ready.items.length }, t('flow.pack'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const barcodes = [...form.querySelectorAll('input[name=barcodes]:checked')].map((x) => x.value);
    const boxCode = code.value.trim().toUpperCase();
    try {
      const b = await post('/testing/boxes', { code: boxCode, site_id: siteId, barcodes });
      redraw(t('ok.packed', { code: b.code, n: b.tube_count }));
    } catch (err) { showError(form, msg, err); }
  });
  return form;
}

function boxRow(b, labs, query) {
  const msg = h('span', { class: 'field-error', role: 'alert', 'data-testid': 'box-error' });
  const act = async (path, body, done) => {
    msg.textContent = '';
    try { await post(`/testing/boxes/${encodeURIComponent(b.code)}/${path}`, body); redraw(done); } catch (err) { msg.textContent = err.message; }
  };
  let actions = null;
  if (b.state === 'packed' && can('testing')) {
    const courier = h('input', { name: 'courier', placeholder: t('box.courier'), 'aria-label': t('box.courier'), 'data-testid': 'box-courier' });
    actions = [courier, h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'box-handover',
      onclick: () => act('handover', { courier: courier.value.trim() }, t('ok.handed', { code: b.code })) }, t('box.handover'))];
  } else if (b.state === 'handed_over' && can('lab')) {
    const lab = select({ name: 'lab_id', 'data-testid': 'box-lab', 'aria-label': t('box.lab') },
      [['', t('common.choose')], ...labs.map((l) => [String(l.id), l.name])], query.lab || '');
    actions = [lab, h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'box-receive',
      onclick: () => act('receive', { lab_id: Number(lab.value) || 0 }, t('ok.received', { code: b.code })) }, t('box.receive'))];
  } else if (b.state === 'received' && can('lab')) {
    actions = h('a', { class: 'btn btn-small btn-primary', href: href('/flow', { ...query, box: b.code }), 'data-testid': 'box-results' }, t('box.results'));
  }
  return h('tr', { 'data-testid': 'box-row', 'data-code': b.code, 'data-state': b.state },
    h('td', { class: 'mono' }, b.code), h('td', {}, h('span', { class: 'tag', 'data-testid': 'box-state' }, label('boxstate', b.state))),
    h('td', { class: 'num' }, String(b.tube_count)), h('td', {}, b.courier || ''), h('td', {}, b.lab_name || ''),
    h('td', {}, h('div', { class: 'lead-actions' }, actions, msg)));
}

function boxesCard(boxes, labs, query) {
  return h('div', { class: 'card', 'data-testid': 'boxes' }, h('h2', {}, t('flow.boxes')),
    boxes.length === 0 ? h('p', { class: 'empty' }, t('flow.no_boxes'))
      : h('table', { class: 'table compact' },
        h('thead', {}, h('tr', {}, ['box.code', 'box.state', 'box.tubes', 'box.courier', 'box.lab', 'site.actions'].map((k) => h('th', {}, t(k))))),
        h('tbody', {}, boxes.map((b) => boxRow(b, labs, query)))));
}

function findBox(query) {
  const code = h('input', { name: 'box', class: 'mono', 'data-testid': 'find-box', placeholder: t('box.code'), 'aria-label': t('box.code') });
  const form = h('form', { class: 'filters' }, code, h('button', { type: 'submit', class: 'btn' }, t('flow.box_open')));
  form.addEventListener('submit', (e) => { e.preventDefault(); go('/flow', { ...query, box: code.value.trim().toUpperCase() }); });
  return form;
}

function labsCard(labs) {
  const msg = banner();
  const picker = areaPicker({ name: 'lab-area', head: 'common.choose' });
  const name = h('input', { name: 'name', 'data-testid': 'lab-name' });
  const form = h('form', { class: 'form small-form', 'data-testid': 'lab-form', novalidate: true }, msg,
    h('div', { class: 'grid' }, field('name', 'lab.name', name, { required: true }), field('area_code', 'lab.area', picker.el, { required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn', 'data-testid': 'lab-create' }, t('lab.new'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const l = await post('/testing/labs', { name: name.value.trim(), area_code: picker.value() });
      redraw(t('ok.lab', { name: l.name }));
    } catch (err) { showError(form, msg, err); }
  });
  return h('div', { class: 'card', 'data-testid': 'labs' }, h('h2', {}, t('flow.labs')),
    h('ul', { class: 'plain', style: 'margin-bottom:12px' }, labs.map((l) => h('li', { 'data-testid': 'lab' }, l.name))), can('lab') ? form : null);
}

// One tube's row of a received box: its current result, the result or correction to send.
function resultRow(tb, box, msg) {
  const res = select({ name: 'result', 'data-testid': 'res-result', 'aria-label': t('f.result') },
    [['', t('common.choose')], ...RESULTS.map((r) => [r, label('result', r)])]);
  const ct = (name) => h('input', { name, type: 'number', step: '0.1', min: '0', max: '45', class: 'ct', 'data-testid': `res-${name}`,
    'aria-label': t(`f.${name}`), disabled: true });
  const orf = ct('ct_orf1ab'), n = ct('ct_n');
  res.addEventListener('change', () => { orf.disabled = n.disabled = res.value !== 'positive'; });
  const reason = tb.result ? h('input', { name: 'reason', 'data-testid': 'res-reason', placeholder: t('results.reason'), 'aria-label': t('results.reason') }) : null;
  const err = h('div', { class: 'field-error', role: 'alert', 'data-testid': 'res-error', hidden: true });
  const say = (text) => { err.textContent = text; err.hidden = !text; };
  const row = h('tr', { 'data-testid': 'res-row', 'data-barcode': tb.barcode, 'data-result': tb.result || '' },
    h('td', { class: 'mono' }, tb.barcode), h('td', { class: 'num' }, String(tb.n_members)),
    h('td', { 'data-testid': 'res-current' }, tb.result ? h('span', { class: `tag result-${tb.result}` }, label('result', tb.result)) : t('results.pending')),
    h('td', {}, h('div', { class: 'lead-actions' }, res, orf, n, reason)),
    h('td', {}, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': tb.result ? 'res-correct' : 'res-submit', onclick: async () => {
      say('');
      try {
        const body = { ...value(), lab_id: box.lab_id };
        if (tb.result) await post(`/testing/tubes/${encodeURIComponent(tb.barcode)}/result/correction`, { ...body, reason: reason.value.trim() });
        else await post(`/testing/tubes/${encodeURIComponent(tb.barcode)}/result`, body);
        redraw(tb.result ? t('ok.corrected', { b: tb.barcode }) : t('ok.recorded', { n: 1 }));
      } catch (e) { say(e.message); }
    } }, t(tb.result ? 'results.correct' : 'results.submit')), err));
  function value() {
    const v = { result: res.value };
    if (res.value === 'positive') {
      if (orf.value !== '') v.ct_orf1ab = Number(orf.value);
      if (n.value !== '') v.ct_n = Number(n.value);
    }
    return v;
  }
  row.pending = !tb.result;
  row.value = value;
  row.showError = say;
  return row;
}

async function resultsCard(code) {
  const box = await get(`/testing/boxes/${encodeURIComponent(code)}`);
  const msg = banner();
  const card = h('div', { class: 'card', 'data-testid': 'results', 'data-code': box.code },
    h('h2', {}, t('results.title', { code: box.code }), ' ', h('span', { class: 'tag' }, label('boxstate', box.state)), box.lab_name ? ` · ${box.lab_name}` : ''), msg);
  if (box.state !== 'received') { card.append(h('p', { class: 'empty', 'data-testid': 'results-not-received' }, t('results.not_received'))); return card; }
  const tubes = (await get(`/testing/sites/${box.site_id}/tubes`, { limit: 1000 })).items.filter((x) => x.box_code === box.code);
  const rows = tubes.map((tb) => resultRow(tb, box, msg));
  const submitAll = async () => {
    clearErrors(card);
    const pending = rows.filter((r) => r.pending && r.value().result);
    try {
      const r = await post(`/testing/boxes/${encodeURIComponent(box.code)}/results`, {
        lab_id: box.lab_id, results: pending.map((row) => ({ barcode: row.dataset.barcode, ...row.value() })),
      });
      redraw(t('ok.recorded', { n: r.recorded }));
    } catch (err) {
      showBanner(msg, err.message);
      const i = /^results\[(\d+)\]/.exec(err.serverMessage || '');
      if (i && pending[Number(i[1])]) pending[Number(i[1])].showError(err.message);
    }
  };
  card.append(h('div', { class: 'scroll-x' }, h('table', { class: 'table compact' },
    h('thead', {}, h('tr', {}, ['sample.tube', 'results.members', 'results.current', 'results.new', 'site.actions'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, rows))),
  rows.some((r) => r.pending)
    ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'results-submit-all', onclick: submitAll }, t('results.submit_all')))
    : h('p', { class: 'muted', 'data-testid': 'results-done' }, t('results.all_done')));
  return card;
}

// The boxes of a site: the distinct boxes of its tubes.
async function siteBoxes(siteId) {
  const all = (await get(`/testing/sites/${siteId}/tubes`, { limit: 1000 })).items;
  const codes = [...new Set(all.map((x) => x.box_code).filter(Boolean))];
  return Promise.all(codes.map((c) => get(`/testing/boxes/${encodeURIComponent(c)}`)));
}

export async function render(root, { query }) {
  root.append(testingTabs('flow'), h('h1', {}, t('flow.title')));
  const flash = sessionStorage.getItem(FLASH);
  sessionStorage.removeItem(FLASH);
  if (flash) root.append(h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'flow-ok' }, flash));
  const [rounds, labs] = await Promise.all([get('/testing/rounds', { limit: 100 }), get('/testing/labs')]);
  const sites = query.round ? (await get(`/testing/rounds/${query.round}/sites`, { limit: 1000 })).items : [];
  root.append(filters(query, rounds.items, sites, labs.items));
  // now=T (an ISO instant in the address) shows the flow as it stands at T
  const fl = await get('/testing/flow', { round: query.round, site: query.site, lab: query.lab, now: query.now });
  root.append(h('p', { class: 'muted', 'data-testid': 'flow-limits' }, t('flow.limits', { a: fl.limits_h.sample_to_lab, b: fl.limits_h.lab_to_result })),
    h('div', { class: 'card' }, h('h2', {}, t('flow.by_site')), flowTable(fl.sites, 'site')),
    h('div', { class: 'card' }, h('h2', {}, t('flow.by_lab')), flowTable(fl.labs, 'lab')));
  if (query.box) root.append(await resultsCard(query.box));
  if (query.site && can('testing')) {
    const [ready, boxes] = await Promise.all([
      get(`/testing/sites/${query.site}/tubes`, { state: 'closed', unboxed: 1, limit: 1000 }), siteBoxes(query.site)]);
    root.append(h('div', { class: 'columns' }, boxesCard(boxes, labs.items, query), packCard(Number(query.site), ready)));
  } else {
    root.append(h('p', { class: 'muted' }, t('flow.pick_site')));
  }
  root.append(h('div', { class: 'card' }, findBox(query)), labsCard(labs.items));
}
