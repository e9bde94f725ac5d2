// views/case_form.js - report a case (#/cases/new[?person_id=ID]) or change one
// (#/cases/ID/edit). Severity is asked only for confirmed cases; the status is changed
// on the case page, never here.
import { h, select, fill } from '../dom.js';
import { t, options, ENUMS } from '../i18n.js';
import { get, post, patch } from '../api.js';
import { fromLocalInput, toLocalInput } from '../format.js';
import { field, banner, clearErrors, showError, values } from '../form.js';
import { go } from '../nav.js';

export const nav = 'cases';

const today = () => toLocalInput(new Date().toISOString()).slice(0, 10);

// Person chooser: shows the chosen person or a search box with results.
function personChooser(initial) {
  const hidden = h('input', { type: 'hidden', name: 'person_id', value: initial ? initial.id : '' });
  const shown = h('div', { class: 'chosen', 'data-testid': 'case-person' });
  const q = h('input', { type: 'search', placeholder: t('hint.person_search'), 'aria-label': t('case.person_pick'), 'data-testid': 'case-person-q' });
  const results = h('ul', { class: 'picks' });
  const set = (p) => { hidden.value = p.id; fill(shown, `${p.name} · ${p.id_number}`); fill(results); };
  if (initial) set(initial);
  let timer = 0;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const s = q.value.trim();
      if (!s) return fill(results);
      const r = await get('/persons', { q: s, limit: 10 }).catch(() => ({ items: [] }));
      fill(results, r.items.map((p) => h('li', {}, h('button', { type: 'button', class: 'link', 'data-testid': 'case-person-pick',
        onclick: () => set(p) }, `${p.name} · ${p.id_number}`))));
    }, 250);
  });
  return h('div', { class: 'chooser', id: 'f-person_id' }, hidden, shown, q, results);
}

export async function render(root, { params, query }) {
  const editing = !!params.id;
  const c = editing ? await get(`/cases/${params.id}`) : {
    classification: 'screening_positive', severity: '', source: 'community_screening',
    reported_at: new Date().toISOString(), sampling_date: today(), onset_date: '', hospital: '',
    person_id: query.person_id ? Number(query.person_id) : 0,
  };
  const person = c.person_id ? await get(`/persons/${c.person_id}`) : null;
  const msg = banner();
  const cls = select({ name: 'classification', 'data-testid': 'input-classification' }, options('classification', ENUMS.classification), c.classification);
  const sev = select({ name: 'severity', 'data-testid': 'input-severity' }, options('severity', ENUMS.severity, 'common.choose'), c.severity);
  const sevRow = field('severity', 'f.severity', sev, { required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'case-submit' }, t('common.save'));
  const form = h('form', { class: 'card form', novalidate: true, 'data-testid': 'case-form' },
    msg,
    h('div', { class: 'grid' },
      editing ? field('person_id', 'f.person', h('div', { class: 'chosen' }, c.person_name))
        : field('person_id', 'f.person', personChooser(person), { required: true }),
      field('classification', 'f.classification', cls),
      sevRow,
      field('reported_at', 'f.reported_at', h('input', { type: 'datetime-local', name: 'reported_at', 'data-testid': 'input-reported_at', value: toLocalInput(c.reported_at) }), { required: true }),
      field('sampling_date', 'f.sampling_date', h('input', { type: 'date', name: 'sampling_date', 'data-testid': 'input-sampling_date', value: c.sampling_date || '' }), { required: true }),
      field('onset_date', 'f.onset_date', h('input', { type: 'date', name: 'onset_date', 'data-testid': 'input-onset_date', value: c.onset_date || '' })),
      field('source', 'f.source', select({ name: 'source', 'data-testid': 'input-source' }, options('source', ENUMS.source), c.source)),
      field('hospital', 'f.hospital', h('input', { name: 'hospital', 'data-testid': 'input-hospital', value: c.hospital || '' }))),
    h('div', { class: 'actions' },
      h('a', { class: 'btn', href: editing ? `#/cases/${c.id}` : '#/cases' }, t('common.cancel')), submit));

  const sync = () => { sevRow.hidden = cls.value !== 'confirmed'; };
  cls.addEventListener('change', sync);
  sync();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = values(form);
    const body = {
      classification: v.classification, severity: v.classification === 'confirmed' ? v.severity : '',
      reported_at: fromLocalInput(v.reported_at), sampling_date: v.sampling_date, onset_date: v.onset_date,
      source: v.source, hospital: v.hospital,
    };
    submit.disabled = true;
    try {
      const saved = editing ? await patch(`/cases/${c.id}`, body)
        : await post('/cases', { person_id: v.person_id ? Number(v.person_id) : null, ...body });
      go(`/cases/${saved.id}`);
    } catch (err) {
      showError(form, msg, err);
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t(editing ? 'case.edit' : 'case.new'))), form);
}
