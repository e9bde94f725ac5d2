// form.js - labelled fields with a slot for their error, and the one place where an API
// error is shown: under its field when the form has that field, else in the banner.
import { h, fill } from './dom.js';
import { t } from './i18n.js';

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
  fill(el, text);
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
    slot.textContent = fieldMessage(err);
    slot.hidden = false;
    row.classList.add('invalid');
    row.querySelector('input, select, textarea')?.focus();
    return true;
  }
  showBanner(bannerEl, err.message);
  return false;
}

// The server says "id_number: check digit is 5 but should be 3 (GB 11643)"; under the
// field the "id_number: " prefix is noise, and a few common messages read better translated.
export function fieldMessage(err) {
  let msg = err.message || '';
  if (err.field && msg.startsWith(`${err.field}: `)) msg = msg.slice(err.field.length + 2);
  const m = /check digit is (\S+) but should be (\S+)/.exec(msg);
  if (m) return t('err.check_digit', { got: m[1], want: m[2] });
  if (msg === 'required') return t('err.required');
  return msg;
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
