// views/contact_forms.js - the interview's two forms on the tracing card: a place the
// case visited (place, start, end -> POST /cases/{id}/trajectory) and a person the case
// named (contact, place, time, note -> POST /cases/{id}/contacts). The server judges the
// values; its errors are shown under their fields.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { fromLocalInput } from '../format.js';
import { field, banner, showBanner, showError, clearErrors, values } from '../form.js';

// A control with an id unique to its form (both forms have "place" and "start").
function input(prefix, name, type = 'text') {
  return h('input', { type, name, id: `${prefix}-${name}`, 'data-testid': `${prefix}-${name}` });
}

// The body to send: times to ISO, empty optional fields left out, `always` kept.
function bodyOf(form, times, always) {
  const v = values(form);
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === '' && !always.includes(k)) continue;
    out[k] = times.includes(k) ? fromLocalInput(val) : val;
  }
  return out;
}

// A titled form of fields [[name, labelKey, control, required]]; submit(body) posts and
// returns the success text.
function smallForm(prefix, titleKey, hintKey, fields, times, always, submit) {
  const msg = banner();
  const button = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `${prefix}-submit` }, t('trace.add'));
  const form = h('form', { class: 'form small-form', 'data-testid': `${prefix}-form`, novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      clearErrors(form);
      button.disabled = true;
      try {
        showBanner(msg, await submit(bodyOf(form, times, always)), 'ok');
        form.reset();
      } catch (err) {
        showError(form, msg, err);
      }
      button.disabled = false;
    } },
  h('h3', {}, t(titleKey)), h('p', { class: 'muted small' }, t(hintKey)),
  h('div', { class: 'grid' }, fields.map(([name, key, control, required]) => field(name, key, control, { required }))),
  msg, h('div', { class: 'actions' }, button));
  return form;
}

export function trajectoryForm(c) {
  return smallForm('trajectory', 'trace.trajectory', 'trace.trajectory_hint', [
    ['place', 'f.place', input('trajectory', 'place'), true],
    ['start', 'f.start', input('trajectory', 'start', 'datetime-local'), true],
    ['end', 'f.end', input('trajectory', 'end', 'datetime-local'), true],
  ], ['start', 'end'], ['place', 'start', 'end'], async (body) => {
    const r = await post(`/cases/${c.id}/trajectory`, body);
    return t('ok.trajectory', { place: r.place });
  });
}

// onAdded(row) gets the stored contact.
export function namedForm(c, onAdded) {
  return smallForm('named', 'trace.named', 'trace.named_hint', [
    ['contact', 'f.contact', input('named', 'contact'), true],
    ['place', 'f.place', input('named', 'place')],
    ['start', 'f.start', input('named', 'start', 'datetime-local')],
    ['note', 'f.note', input('named', 'note')],
  ], ['start'], ['contact'], async (body) => {
    const row = await post(`/cases/${c.id}/contacts`, body);
    onAdded(row);
    return t('ok.contact', { c: row.person_name || row.contact });
  });
}
