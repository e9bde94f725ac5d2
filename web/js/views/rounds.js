// views/rounds.js - testing rounds (核酸轮次): the rounds of the user's area, newest first,
// with their window, state and counts; a form to create one over an area and a window
// (planned, or open at once). A round's own page (round_detail.js) has its sites.
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post } from '../api.js';
import { areaPicker, areaLabel } from '../areas.js';
import { instant, toLocalInput, fromLocalInput } from '../format.js';
import { field, banner, clearErrors, showError } from '../form.js';
import { pager } from '../pager.js';
import { go, href } from '../nav.js';
import { can } from '../session.js';
import { testingTabs } from './testing_tabs.js';

export const nav = 'testing';
const LIMIT = 50;
const HOUR = 3600 * 1000;

export function roundState(state) {
  return h('span', { class: `tag roundstate-${state}`, 'data-testid': 'round-state' }, label('roundstate', state));
}

function table(items) {
  if (items.length === 0) return h('p', { class: 'empty' }, t('common.empty'));
  const num = (v) => h('td', { class: 'num' }, String(v));
  return h('table', { class: 'table compact', 'data-testid': 'rounds' },
    h('thead', {}, h('tr', {}, ['round.name', 'round.area', 'round.window', 'round.state', 'round.sites', 'round.tubes', 'round.scanned']
      .map((k) => h('th', {}, t(k))))),
    h('tbody', {}, items.map((r) => h('tr', { 'data-testid': 'round-row', 'data-id': r.id },
      h('td', {}, h('a', { href: href(`/rounds/${r.id}`), 'data-testid': 'round-link' }, r.name),
        r.kind === 'recheck' ? h('span', { class: 'tag', 'data-testid': 'round-recheck', title: `#${r.parent_id}` }, ` ${t('round.recheck')}`) : null),
      h('td', {}, areaLabel(r.area_code)),
      h('td', { class: 'nowrap' }, `${instant(r.starts_at)} – ${instant(r.ends_at)}`),
      h('td', {}, roundState(r.state)),
      num(r.site_count), num(r.tube_count), num(r.scanned)))));
}

function createForm() {
  const msg = banner();
  const picker = areaPicker({ name: 'round-area', head: 'common.choose' });
  const now = Date.now();
  const input = (name, attrs = {}) => h('input', { name, 'data-testid': `round-${name}`, ...attrs });
  const form = h('form', { class: 'card form small-form', 'data-testid': 'round-form', novalidate: true },
    h('h2', {}, t('rounds.new')), msg,
    h('div', { class: 'grid' },
      field('name', 'round.name', input('name', { required: true }), { required: true }),
      field('area_code', 'round.area', picker.el, { required: true }),
      field('starts_at', 'f.starts_at', input('starts_at', { type: 'datetime-local', value: toLocalInput(new Date(now).toISOString()) }), { required: true }),
      field('ends_at', 'f.ends_at', input('ends_at', { type: 'datetime-local', value: toLocalInput(new Date(now + 24 * HOUR).toISOString()) }), { required: true }),
      field('state', 'round.state', h('label', { class: 'check' },
        input('open_now', { type: 'checkbox', checked: true }), ` ${t('rounds.open_now')}`))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'round-create' }, t('rounds.create'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const el = (n) => form.elements.namedItem(n);
    try {
      const r = await post('/testing/rounds', {
        name: el('name').value.trim(), area_code: picker.value(),
        starts_at: fromLocalInput(el('starts_at').value), ends_at: fromLocalInput(el('ends_at').value),
        state: el('open_now').checked ? 'open' : 'planned',
      });
      go(`/rounds/${r.id}`);
    } catch (err) { showError(form, msg, err); }
  });
  return form;
}

export async function render(root, { query }) {
  root.append(testingTabs('rounds'), h('h1', {}, t('rounds.title')));
  const offset = Number(query.offset || 0);
  const r = await get('/testing/rounds', { limit: LIMIT, offset });
  root.append(h('div', { class: 'card' }, table(r.items),
    pager({ total: r.total, limit: LIMIT, offset, go: (o) => go('/rounds', { offset: o }) })));
  if (can('testing')) root.append(createForm());
}
