// public/code.js - a person's own health code (web/code.html), no console login: the
// demo's sign-in by resident ID number and phone (POST /api/v1/public/code), then the
// colour, the QR code, the reasons in plain words, the masked name and the validity, with
// a refresh that asks again (by hand, and by itself shortly before the token expires).
// Phone-sized first.
//
// The pair is kept in this page's memory only (for the refresh), never stored. A wrong
// pair is one message: the server does not say which field was wrong, nor do we.
import { h, fill } from '../dom.js';
import { t, lang, setLang, applyLang } from '../i18n.js';
import { describe } from '../errors.js';
import { errorNodes } from '../form.js';
import { codeBlock, reasonList, overrideNote, validity, lastNegative } from '../code_card.js';

const view = document.getElementById('public-view');
const title = document.getElementById('public-title');
const langBtn = document.getElementById('public-lang');
let pair = null; // {id_number, phone} of the code on screen
let shown = null; // the last answer, redrawn on a language switch
let timer = 0; // the refresh before the token expires
const EARLY_S = 20; // ask again this long before valid_until

class PublicError extends Error {
  constructor(status, body) {
    const e = body?.error || {};
    super(status === 401 ? t('code.wrong_pair')
      : describe({ code: e.code || 'other', field: e.field || '', message: e.message || `HTTP ${status}` }).filter(Boolean).join('\n'));
    this.status = status;
    this.field = status === 401 ? '' : e.field || '';
  }
}

async function fetchCode(p) {
  let res;
  try {
    res = await fetch('/api/v1/public/code', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(p) });
  } catch {
    throw new PublicError(0, { error: { code: 'network', message: t('err.network') } });
  }
  let body = null;
  try { body = await res.json(); } catch { body = null; }
  if (!res.ok) throw new PublicError(res.status, body);
  return body;
}

function chrome() {
  applyLang();
  document.title = t('code.public_title');
  title.textContent = t('code.public_title');
  langBtn.textContent = t('header.lang');
}

function drawForm(message = '') {
  shown = null;
  clearTimeout(timer);
  const msg = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'public-error', hidden: !message }, errorNodes(message));
  const id = h('input', { name: 'id_number', id: 'p-id', 'data-testid': 'public-id', class: 'mono', autocomplete: 'off',
    inputmode: 'text', maxlength: 18, spellcheck: 'false', autocapitalize: 'characters', required: true, value: pair?.id_number || '' });
  const phone = h('input', { name: 'phone', id: 'p-phone', 'data-testid': 'public-phone', type: 'tel', autocomplete: 'tel',
    inputmode: 'tel', maxlength: 20, required: true, value: pair?.phone || '' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'public-submit' }, t('code.show'));
  const form = h('form', { class: 'card public-form', novalidate: true },
    h('p', { class: 'muted' }, t('code.public_hint')), msg,
    h('div', { class: 'field' }, h('label', { for: 'p-id' }, t('code.id_number')), id),
    h('div', { class: 'field' }, h('label', { for: 'p-phone' }, t('code.phone')), phone),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const p = { id_number: id.value.trim().toUpperCase(), phone: phone.value.trim() };
    if (!p.id_number || !p.phone) {
      fill(msg, t('err.required'));
      msg.hidden = false;
      (p.id_number ? phone : id).focus();
      return;
    }
    submit.disabled = true;
    try {
      const code = await fetchCode(p);
      pair = p;
      drawCode(code);
    } catch (err) {
      fill(msg, errorNodes(err.message));
      msg.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  fill(view, form);
  (pair ? phone : id).focus();
}

function drawCode(code) {
  shown = code;
  clearTimeout(timer);
  const msg = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'public-error', hidden: true });
  const refresh = h('button', { type: 'button', class: 'btn', 'data-testid': 'public-refresh' }, t('code.refresh'));
  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    try { drawCode(await fetchCode(pair)); } catch (err) {
      if (err.status === 401) { drawForm(err.message); return; }
      fill(msg, errorNodes(err.message));
      msg.hidden = false;
      refresh.disabled = false;
    }
  });
  const leave = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'public-leave',
    onclick: () => { pair = null; drawForm(); } }, t('code.leave'));
  fill(view, h('div', { class: 'public-code-card', 'data-testid': 'public-code' },
    msg,
    codeBlock(code, { name: code.name_masked }),
    overrideNote(code.override),
    h('div', { class: 'card' },
      h('div', { class: 'code-valid' }, h('span', { class: 'muted' }, `${t('code.valid_until')} `), validity(code), ' ', refresh),
      h('h2', {}, t('code.reasons')), reasonList(code.reasons),
      h('dl', { class: 'facts' },
        h('dt', {}, t('code.last_negative')), h('dd', { 'data-testid': 'code-last-negative' }, lastNegative(code)),
        code.policy_version ? [h('dt', {}, t('code.policy')), h('dd', {}, code.policy_version)] : null)),
    h('div', { class: 'actions' }, leave)));
  // a QR code shown at a gate must not expire on screen: ask for a new one in time
  const wait = (Number(code.valid_until) - EARLY_S) * 1000 - Date.now();
  if (code.valid_until && wait > 0) timer = setTimeout(() => refresh.click(), wait);
}

langBtn.addEventListener('click', () => {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  chrome();
  if (shown) drawCode(shown); else drawForm();
});

chrome();
drawForm();
