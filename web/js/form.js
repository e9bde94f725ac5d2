// form.js - labelled fields with a slot for their error, and the one place where an API
// error is shown: under its field when the form has that field, else in the banner.
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { describe } from './errors.js';

// A row: label, control, optional hint, and an error slot data-testid="error-NAME".
export function field(name, labelKey, control, { hint, required } = {}) {
  if (!control.id) control.id = `f-${name}`;
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: control.id }, t(labelKey), required ? h('span', { class: 'req' }, ' *') : null),
    control,
    hint ? h('div', { class: 'field-hint', 'data-testid': `hint-${name}` }, hint) : null,
    h('div', { class: 'field-error', role: 'alert', 'data-testid': `error-${name}`, hidden: true }));
}

export function banner() {
  return h('div', { class: 'banner', role: 'alert', 'data-testid': 'banner', hidden: true });
}

export function showBanner(el, text, kind = 'error') {
  el.className = `banner banner-${kind}`;
  fill(el, errorNodes(text));
  el.hidden = !text;
}

export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) { e.hidden = true; e.textContent = ''; }
  for (const f of form.querySelectorAll('.field.invalid')) f.classList.remove('invalid');
  for (const b of form.querySelectorAll('.banner')) b.hidden = true;
}

// Show err (an ApiError or any Error) in form; returns true when it went under a field.
export function showError(form, bannerEl, err) {
  const row = err.field && form.querySelector(`.field[data-field="${CSS.escape(err.field)}"]`);
  if (row && !row.hidden && row.offsetParent !== null) {
    const slot = row.querySelector('.field-error');
    fill(slot, errorNodes(fieldMessage(err)));
    slot.hidden = false;
    row.classList.add('invalid');
    row.querySelector('input, select, textarea')?.focus();
    return true;
  }
  showBanner(bannerEl, err.message);
  return false;
}

// The error's text for its field: in English the server's message without the "id_number: "
// prefix, which the field's label already says; in Chinese the same text as the banner.
export function fieldMessage(err) {
  if (!err.serverMessage) return err.message || '';
  return describe({ code: err.code, field: err.field, message: err.serverMessage }, { underField: true })
    .filter(Boolean).join('\n');
}

// An error text as nodes: the first line as is, further lines (the server's own words
// under a translation) smaller beneath it.
export function errorNodes(text) {
  const [head, ...more] = String(text ?? '').split('\n');
  return [head, more.length ? h('small', { class: 'error-detail', style: 'display:block; opacity:.8' }, more.join(' ')) : null];
}

// Values of a form's named controls (checkbox groups become arrays).
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') {
      out[el.name] = out[el.name] || [];
      if (el.checked) out[el.name].push(el.value);
    } else if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
    } else out[el.name] = el.value.trim();
  }
  return out;
}
