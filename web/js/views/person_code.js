// views/person_code.js - the health code (健康码) of one person in the console's person
// record: colour, reasons, QR code and token, the override in force, the colour history;
// for users who may override codes, the request form and the overrides awaiting approval.
// Also the city-wide list of overrides to approve (#/code-overrides).
//
// What is shown follows the server's permission names ('codes', 'codes.override'); the
// server judges every request. An override takes effect only once a second command user
// approves it: the console says so and shows the server's refusal when the same user tries.
import { h, fill, select } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post } from '../api.js';
import { can } from '../session.js';
import { instant } from '../format.js';
import { href } from '../nav.js';
import { field, banner, showBanner, showError, clearErrors } from '../form.js';
import { COLORS, codeBlock, reasonList, overrideNote, validity, lastNegative, unixTime } from '../code_card.js';

export const nav = 'code_overrides';

// A time the API gives as Unix seconds or as an ISO string.
const when = (v) => (typeof v === 'number' ? unixTime(v) : instant(v));

// Appends the code section of person `id` to root; nothing when the user may not read codes.
export async function codeSection(root, id) {
  if (!can('codes')) return;
  const box = h('div', { class: 'card code-section', 'data-testid': 'person-code' }, h('h2', {}, t('code.title')), t('common.loading'));
  root.append(box);
  await drawCode(box, id);
  if (box.isConnected && can('codes.override')) box.append(...overrideParts(id, () => drawCode(box, id)));
}

async function drawCode(box, id) {
  let code;
  let history;
  try {
    [code, history] = await Promise.all([get(`/persons/${id}/code`), get(`/persons/${id}/code/history`)]);
  } catch (err) {
    // 403: not this user's to read; 404: no code on this server (no rules installed)
    if (err.status === 403 || err.status === 404) { box.remove(); return; }
    throw err;
  }
  const failed = banner();
  const refresh = h('button', { type: 'button', class: 'btn', 'data-testid': 'code-refresh',
    onclick: () => drawCode(box, id).catch((err) => showBanner(failed, err.message)) }, t('code.refresh'));
  const head = box.querySelector('.code-main') || h('div', { class: 'code-main' });
  fill(head, failed,
    h('div', { class: 'code-layout' },
      h('div', {}, codeBlock(code),
        h('div', { class: 'muted small' }, t('code.token')),
        h('div', { class: 'mono code-token', 'data-testid': 'code-token' }, code.token || '')),
      h('div', {},
        h('div', { class: 'code-valid' }, h('span', { class: 'muted' }, `${t('code.valid_until')} `), validity(code), ' ', refresh),
        overrideNote(code.override),
        h('h3', {}, t('code.reasons')), reasonList(code.reasons),
        h('dl', { class: 'facts' },
          h('dt', {}, t('code.last_negative')), h('dd', { 'data-testid': 'code-last-negative' }, lastNegative(code)),
          code.policy_version ? [h('dt', {}, t('code.policy')), h('dd', {}, code.policy_version)] : null))),
    h('h3', {}, t('code.history')), historyTable(history.items || []));
  if (!head.isConnected) {
    box.replaceChildren(h('h2', {}, t('code.title')), head);
  }
}

function historyTable(items) {
  if (!items.length) return h('p', { class: 'empty', 'data-testid': 'code-history-none' }, t('code.no_history'));
  const tag = (c) => (c ? h('span', { class: `tag tag-code-${c}` }, label('color', c)) : '—');
  return h('table', { class: 'table compact', 'data-testid': 'code-history' },
    h('thead', {}, h('tr', {}, ['ch.at', 'ch.change', 'ch.rule', 'ch.reason', 'ch.operator', 'ch.source', 'ch.policy', 'ch.override']
      .map((k) => h('th', {}, t(k))))),
    h('tbody', {}, items.map((x) => h('tr', { 'data-testid': 'code-history-row', 'data-to': x.to || '' },
      h('td', { class: 'nowrap' }, when(x.at)), h('td', { class: 'nowrap' }, tag(x.from), ' → ', tag(x.to)),
      h('td', {}, x.rule || ''), h('td', {}, x.reason || ''), h('td', {}, x.operator ?? ''), h('td', {}, x.source || ''),
      h('td', {}, x.policy_version || ''), h('td', {}, x.override_id ?? '')))));
}

// The override request form and this person's pending overrides; onChange redraws the code.
function overrideParts(id, onChange) {
  const msg = banner();
  const pending = h('div', { 'data-testid': 'override-pending' });
  const color = select({ name: 'color', 'data-testid': 'override-color' },
    [['', t('common.choose')], ...COLORS.map((c) => [c, label('color', c)])]);
  const reason = h('textarea', { name: 'reason', rows: 2, 'data-testid': 'override-reason' });
  const until = h('input', { name: 'until', type: 'datetime-local', 'data-testid': 'override-until' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'override-submit' }, t('ov.submit'));
  const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'override-form' },
    h('h3', {}, t('ov.request')), msg,
    h('div', { class: 'grid' }, field('color', 'ov.color', color, { required: true }), field('until', 'ov.until', until),
      field('reason', 'ov.reason', reason, { required: true })),
    h('div', { class: 'actions' }, submit));
  const decided = banner();
  const list = h('div');
  pending.append(h('h3', {}, t('ov.pending')), decided, list);
  const reload = async () => {
    const r = await get('/code-overrides', { status: 'pending', limit: 200 });
    const mine = (r.items || []).filter((o) => String(o.person_id) === String(id));
    fill(list, overridesTable(mine, decided, { onDone: async () => { await reload(); await onChange(); } }));
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    submit.disabled = true;
    try {
      const body = { color: color.value, reason: reason.value.trim() };
      if (until.value) body.until = Math.floor(new Date(until.value).getTime() / 1000);
      const o = await post(`/persons/${id}/code/overrides`, body);
      form.reset();
      showBanner(msg, t('ov.requested', { id: o.id }), 'ok');
      await reload();
    } catch (err) {
      showError(form, msg, err);
    } finally {
      submit.disabled = false;
    }
  });
  reload().catch((err) => showBanner(decided, err.message));
  return [pending, form];
}

// Overrides with approve / reject buttons; the outcome, or a refusal (the requester
// approving their own, one decided meanwhile), is shown in msg, a banner the caller keeps
// above the table (onDone redraws the table). withPerson adds the person column.
export function overridesTable(items, msg, { onDone, withPerson = false } = {}) {
  if (!items.length) return h('p', { class: 'empty', 'data-testid': 'override-none' }, t('ov.none_pending'));
  const decide = async (o, verb, note) => {
    try {
      await post(`/code-overrides/${o.id}/${verb}`, note ? { note } : {});
      showBanner(msg, t(verb === 'approve' ? 'ov.approved' : 'ov.rejected', { id: o.id }), 'ok');
      await onDone?.();
    } catch (err) {
      showBanner(msg, err.message);
    }
  };
  const row = (o) => {
    const note = h('input', { name: 'note', 'data-testid': 'override-note', placeholder: t('ov.note') });
    return h('tr', { 'data-testid': 'override-row', 'data-id': o.id },
      withPerson ? h('td', {}, h('a', { href: href(`/persons/${o.person_id}`) }, o.person_name || String(o.person_id))) : null,
      h('td', {}, h('span', { class: `tag tag-code-${o.color}` }, label('color', o.color))),
      h('td', {}, o.reason || ''), h('td', {}, o.until ? when(o.until) : ''),
      h('td', {}, o.requested_by ?? ''), h('td', { class: 'nowrap' }, when(o.requested_at ?? o.created_at)),
      h('td', {}, label('ovstatus', o.status)),
      h('td', { class: 'nowrap' }, o.status === 'pending' ? [note, ' ',
        h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'override-approve', onclick: () => decide(o, 'approve', note.value.trim()) }, t('ov.approve')), ' ',
        h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'override-reject', onclick: () => decide(o, 'reject', note.value.trim()) }, t('ov.reject'))] : ''));
  };
  return h('div', {}, h('table', { class: 'table compact', 'data-testid': 'override-table' },
    h('thead', {}, h('tr', {}, [withPerson ? 'ov.person' : null, 'ov.color', 'ov.reason', 'ov.until', 'ov.requested_by', 'ov.at', 'ov.status', 'ov.actions']
      .filter(Boolean).map((k) => h('th', {}, t(k))))),
    h('tbody', {}, items.map(row))));
}

// #/code-overrides: every override awaiting approval in the user's reach.
export async function render(root) {
  root.append(h('h1', {}, t('ov.list_title')));
  const msg = banner();
  const list = h('div');
  root.append(h('div', { class: 'card', 'data-testid': 'overrides-page' }, msg, list));
  const reload = async () => {
    const r = await get('/code-overrides', { status: 'pending', limit: 200 });
    fill(list, overridesTable(r.items || [], msg, { onDone: reload, withPerson: true }));
  };
  await reload();
}
