// views/person_detail.js - one person's record and their cases.
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get } from '../api.js';
import { can } from '../session.js';
import { areaLabel } from '../areas.js';
import { instant } from '../format.js';
import { flagTags } from './persons.js';
import { caseTable } from './cases.js';
import { href } from '../nav.js';
import { codeSection } from './person_code.js';

export const nav = 'persons';

// <dl> from [[labelKey, value-or-node], ...], skipping empty values.
export function facts(rows) {
  return h('dl', { class: 'facts' }, rows.filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .map(([k, v]) => [h('dt', {}, t(k)), h('dd', { 'data-testid': `fact-${k.replace(/^f\./, '')}` }, v)]));
}

export async function render(root, { params }) {
  const id = params.id;
  const p = await get(`/persons/${id}`);
  root.append(h('div', { class: 'page-head' },
    h('h1', { 'data-testid': 'person-name' }, p.name),
    h('div', { class: 'actions' },
      h('a', { class: 'btn', href: '#/persons' }, t('common.back')),
      can('person.write') ? h('a', { class: 'btn', href: `#/persons/${id}/edit`, 'data-testid': 'person-edit' }, t('common.edit')) : null,
      can('cases.write') ? h('a', { class: 'btn btn-primary', href: `#/cases/new?person_id=${id}`, 'data-testid': 'person-new-case' }, t('person.new_case')) : null)));
  root.append(h('div', { class: 'card' }, facts([
    ['f.id_type', label('id_type', p.id_type)],
    ['f.id_number', h('span', { class: 'mono' }, p.id_number)],
    ['f.sex', label('sex', p.sex)],
    ['f.birth_date', p.birth_date],
    ['f.phone', p.phone],
    ['f.resident_type', label('resident_type', p.resident_type)],
    ['f.household_id', p.household_id],
    ['f.address', p.address],
    ['f.community_code', p.community_code ? areaLabel(p.community_code) : ''],
    ['f.work_unit', p.work_unit],
    ['f.flags', p.flags?.length ? flagTags(p.flags) : ''],
    ['f.created_at', instant(p.created_at)],
    ['f.updated_at', instant(p.updated_at)],
  ])));
  await codeSection(root, id);
  await samples(root, id);
  if (!can('cases.read')) return;
  const box = h('div', { class: 'card', 'data-testid': 'person-cases' }, h('h2', {}, t('person.cases')), t('common.loading'));
  root.append(box);
  const r = await get('/cases', { person_id: id, limit: 100 });
  box.replaceChildren(h('h2', {}, t('person.cases')),
    r.items.length ? caseTable(r.items) : h('p', { class: 'empty' }, t('common.none')));
}

// The person's testing history (round, site, tube, pool size, time, and the tube's current
// result as the API gives it).
async function samples(root, id) {
  const box = h('div', { class: 'card', 'data-testid': 'person-samples' }, h('h2', {}, t('person.samples')), t('common.loading'));
  root.append(box);
  let r;
  try { r = await get(`/persons/${id}/samples`); } catch (err) {
    if (err.status === 403) { box.remove(); return; }
    throw err;
  }
  const withResult = r.items.some((s) => 'result' in s);
  const result = (s) => (s.result ? h('span', { class: `tag result-${s.result}` }, label('result', s.result)) : t('sample.pending'));
  box.replaceChildren(h('h2', {}, t('person.samples')), r.items.length === 0 ? h('p', { class: 'empty' }, t('common.none'))
    : h('table', { class: 'table compact' },
      h('thead', {}, h('tr', {}, ['sample.round', 'sample.site', 'sample.tube', 'sample.size', 'sample.at', withResult ? 'sample.result' : null]
        .filter(Boolean).map((k) => h('th', {}, t(k))))),
      h('tbody', {}, r.items.map((s) => h('tr', { 'data-testid': 'person-sample', 'data-barcode': s.barcode },
        h('td', {}, can('testing') ? h('a', { href: href(`/rounds/${s.round_id}`) }, s.round_name) : s.round_name),
        h('td', {}, s.site_name), h('td', { class: 'mono', 'data-col': 'tube' }, s.barcode),
        h('td', { class: 'num', 'data-col': 'size' }, String(s.size)), h('td', { 'data-col': 'at' }, instant(s.scanned_at)),
        withResult ? h('td', { 'data-col': 'result' }, result(s)) : null)))),
  ...(r.holds?.length ? holdsTable(r.holds) : []));
}

// The holds a tube's result put on the person (就地管控 after a positive pool, re-sampling
// after an invalid tube) and how each ended.
function holdsTable(holds) {
  return [h('h3', {}, t('hold.title')), h('table', { class: 'table compact', 'data-testid': 'person-holds' },
    h('thead', {}, h('tr', {}, ['hold.reason', 'hold.state', 'sample.round', 'sample.tube', 'hold.at'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, holds.map((x) => h('tr', { 'data-testid': 'person-hold', 'data-state': x.state, class: x.state === 'held' ? 'lead-overdue' : null },
      h('td', {}, label('holdreason', x.reason)), h('td', { 'data-col': 'state' }, label('holdstate', x.state)),
      h('td', {}, x.round_name), h('td', { class: 'mono' }, x.barcode), h('td', {}, instant(x.held_at))))))];
}
