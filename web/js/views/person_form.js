// views/person_form.js - register a person (#/persons/new) or change one (#/persons/ID/edit).
//
// A resident lives in a household of a community; a non-resident (流动人口) at an address
// in a community. Errors from the server appear under the field they name. The check
// digit hint while typing is a courtesy: the server decides.
import { h, select, fill } from '../dom.js';
import { t, label, options, ENUMS } from '../i18n.js';
import { get, post, put } from '../api.js';
import { areaPicker } from '../areas.js';
import { checkDigit } from '../idcheck.js';
import { field, banner, clearErrors, showError, values } from '../form.js';
import { go } from '../nav.js';

export const nav = 'persons';
const HOUSEHOLDS = 1000;

function input(name, attrs = {}) {
  return h('input', { name, 'data-testid': `input-${name}`, ...attrs });
}

export async function render(root, { params }) {
  const editing = !!params.id;
  const p = editing ? await get(`/persons/${params.id}`) : { id_type: 'resident', resident_type: 'resident', flags: [] };
  const msg = banner();

  const idType = select({ name: 'id_type', 'data-testid': 'input-id_type' }, options('id_type', ENUMS.id_type), p.id_type);
  const idNumber = input('id_number', { value: p.id_number || '', autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  const idHint = h('span', { class: 'hint-warn' });
  const bornHint = h('span');
  const residentType = select({ name: 'resident_type', 'data-testid': 'input-resident_type' },
    options('resident_type', ENUMS.resident_type), p.resident_type);

  // Where the person lives: community, then a household or an address.
  const households = select({ name: 'household_id', 'data-testid': 'input-household_id' }, [['', t('hint.pick_community')]]);
  const hhFilter = h('input', { type: 'search', class: 'hh-filter', placeholder: t('f.household_filter'),
    'aria-label': t('f.household_filter'), 'data-testid': 'household-filter' });
  const hhNote = h('span');
  async function loadHouseholds(community, chosen) {
    fill(households, h('option', { value: '' }, t(community ? 'common.choose' : 'hint.pick_community')));
    hhNote.textContent = '';
    if (!community) return;
    const r = await get('/households', { community_code: community, limit: HOUSEHOLDS });
    for (const x of r.items) households.append(h('option', { value: x.id }, `${x.building_name} ${x.room}`));
    if (chosen && ![...households.options].some((o) => o.value === String(chosen))) {
      households.append(h('option', { value: chosen }, `#${chosen}`));
    }
    if (chosen) households.value = String(chosen);
    if (r.total > r.items.length) hhNote.textContent = t('hint.households_cut', { n: r.items.length });
  }
  hhFilter.addEventListener('input', () => {
    const q = hhFilter.value.trim();
    for (const o of households.options) o.hidden = !!o.value && !!q && !o.textContent.includes(q);
  });
  const picker = areaPicker({ name: 'community', value: p.community_code || '', head: 'common.choose',
    onChange: (code, level) => loadHouseholds(level === 'community' ? code : '') });

  const hhRow = field('household_id', 'f.household_id', households, { hint: hhNote, required: true });
  hhRow.insertBefore(hhFilter, households);
  const addrRow = field('address', 'f.address', input('address', { value: p.address || '' }), { required: true });

  const flags = h('div', { class: 'checks', id: 'f-flags' }, ENUMS.flag.map((f) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'flags', value: f, checked: (p.flags || []).includes(f), 'data-testid': `flag-${f}` }),
    label('flag', f))));

  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'person-submit' }, t('common.save'));
  const form = h('form', { class: 'card form', novalidate: true, 'data-testid': 'person-form' },
    msg,
    h('div', { class: 'grid' },
      field('name', 'f.name', input('name', { value: p.name || '', autocomplete: 'off' }), { required: true }),
      field('id_type', 'f.id_type', idType),
      field('id_number', 'f.id_number', idNumber, { hint: idHint, required: true }),
      field('phone', 'f.phone', input('phone', { value: p.phone || '', type: 'tel' })),
      field('sex', 'f.sex', select({ name: 'sex', 'data-testid': 'input-sex' }, options('sex', ENUMS.sex, 'common.choose'), p.sex || ''), { hint: bornHint }),
      field('birth_date', 'f.birth_date', input('birth_date', { type: 'date', value: p.birth_date || '' })),
      field('resident_type', 'f.resident_type', residentType),
      field('community_code', 'f.community_code', picker.el, { required: true }),
      hhRow, addrRow,
      field('work_unit', 'f.work_unit', input('work_unit', { value: p.work_unit || '' })),
      field('flags', 'f.flags', flags)),
    h('div', { class: 'actions' },
      h('a', { class: 'btn', href: editing ? `#/persons/${p.id}` : '#/persons' }, t('common.cancel')),
      submit));

  function sync() {
    const resident = residentType.value === 'resident';
    hhRow.hidden = !resident;
    addrRow.hidden = resident;
    bornHint.textContent = idType.value === 'resident' ? t('hint.derived') : '';
    const c = idType.value === 'resident' ? checkDigit(idNumber.value) : null;
    idHint.textContent = c && c.want !== c.got ? t('hint.id_check', { c: c.want, got: c.got }) : '';
  }
  for (const el of [residentType, idType]) el.addEventListener('change', sync);
  idNumber.addEventListener('input', sync);
  sync();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    idHint.textContent = ''; // the server's word replaces the hint
    const v = values(form);
    const resident = v.resident_type === 'resident';
    const body = {
      name: v.name, id_type: v.id_type, id_number: v.id_number, phone: v.phone,
      resident_type: v.resident_type, work_unit: v.work_unit, flags: v.flags || [],
      household_id: resident && v.household_id ? Number(v.household_id) : null,
      address: resident ? '' : v.address,
      community_code: resident ? '' : picker.value(),
    };
    if (v.sex) body.sex = v.sex;
    if (v.birth_date) body.birth_date = v.birth_date;
    submit.disabled = true;
    try {
      const saved = editing ? await put(`/persons/${p.id}`, body) : await post('/persons', body);
      go(`/persons/${saved.id}`);
    } catch (err) {
      showError(form, msg, err);
    } finally {
      submit.disabled = false;
    }
  });

  root.append(h('div', { class: 'page-head' }, h('h1', {}, t(editing ? 'person.edit' : 'person.new'))), form);
  await picker.ready;
  if (p.community_code && p.community_code.length === 12) await loadHouseholds(p.community_code, p.household_id);
}
