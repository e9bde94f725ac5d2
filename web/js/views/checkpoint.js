// views/checkpoint.js - the checkpoint's screen (卡口查验): a scanner types the QR code's
// text and Enter into the scan field; the answer of GET /api/v1/codes/{token} fills the
// screen in the code's colour with the word for the gate (通行 / 限制 / 禁止),
// the masked name, the reasons, the last negative test and the validity, large enough to
// read from a few metres. Forged, expired and malformed tokens are said as such, in red.
//
// Each good scan is also recorded at the checkpoint chosen once for this tab
// (POST /api/v1/checkpoints/{id}/scans with the token, the direction and where the
// traveler comes from), and its answer's itinerary card is shown under the code (双码联查);
// without a checkpoint the screen only checks codes and says so.
import { h, fill, select } from '../dom.js';
import { t, label, lang } from '../i18n.js';
import { get, post } from '../api.js';
import { field } from '../form.js';
import { colorOf, colorName, unixTime } from '../code_card.js';

export const nav = 'checkpoint';
const KEYS = { checkpoint: 'fangkong.gate.checkpoint', direction: 'fangkong.gate.direction', from: 'fangkong.gate.from' };
const ERRORS = { 400: 'gate.malformed', 403: 'gate.forged', 410: 'gate.expired' };

// The token in what the scanner typed: the text itself, or the last path segment or the
// token= parameter when the QR code carries a link.
export function tokenOf(text) {
  const s = String(text || '').trim();
  const q = /[?&]token=([^&#\s]+)/.exec(s);
  if (q) return decodeURIComponent(q[1]);
  const parts = s.split('?')[0].split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1] : '';
}

async function checkpoints() {
  try {
    const r = await get('/checkpoints', { limit: 1000 });
    return r.items || [];
  } catch (err) {
    if (err.status === 401) throw err;
    return null; // not available to this user (or this server): check codes only
  }
}

export async function render(root) {
  root.classList.add('gate');
  const points = await checkpoints();
  const stored = (k, d = '') => sessionStorage.getItem(KEYS[k]) ?? d;
  const keep = (k) => (e) => sessionStorage.setItem(KEYS[k], e.target.value);

  const pointSel = points?.length ? select({ name: 'checkpoint', 'data-testid': 'gate-checkpoint', onchange: keep('checkpoint') },
    [['', t('gate.choose')], ...points.map((p) => [String(p.id), p.name])], stored('checkpoint')) : null;
  const dirSel = select({ name: 'direction', 'data-testid': 'gate-direction', onchange: keep('direction') },
    [['in', t('dir.in')], ['out', t('dir.out')]], stored('direction', 'in'));
  const from = h('input', { name: 'from_region', 'data-testid': 'gate-from', inputmode: 'numeric', maxlength: 12,
    value: stored('from'), oninput: keep('from') });
  const full = h('button', { type: 'button', class: 'btn', 'data-testid': 'gate-fullscreen',
    onclick: () => (document.fullscreenElement ? document.exitFullscreen() : root.requestFullscreen?.())?.catch?.(() => {}) }, t('gate.fullscreen'));
  const input = h('input', { name: 'token', 'data-testid': 'gate-token', class: 'mono', autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'off', enterkeyhint: 'go', placeholder: t('gate.placeholder'), 'aria-label': t('gate.token') });
  const scan = h('form', { class: 'gate-scan', novalidate: true, 'data-testid': 'gate-form' },
    input, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'gate-submit' }, t('gate.scan')));
  const result = h('div', { class: 'gate-result gate-idle', 'data-testid': 'gate-result', 'data-state': 'idle', 'aria-live': 'assertive' },
    h('div', { class: 'gate-color' }, t('gate.waiting')));
  const note = h('div', { class: 'gate-note muted', 'data-testid': 'gate-note', role: 'status' },
    points ? (points.length ? '' : t('gate.no_checkpoints')) : t('gate.recording_off'));

  root.append(h('div', { class: 'gate-bar' },
    h('h1', {}, t('gate.title')),
    pointSel ? field('checkpoint', 'gate.checkpoint', pointSel) : null,
    pointSel ? field('direction', 'gate.direction', dirSel) : null,
    pointSel ? field('from_region', 'gate.from_region', from) : null,
    full), scan, note, result);

  let seq = 0; // only the latest scan's answer is drawn
  scan.addEventListener('submit', async (e) => {
    e.preventDefault();
    const tok = tokenOf(input.value);
    input.value = '';
    input.focus();
    if (!tok) return;
    const mine = ++seq;
    let code;
    try {
      code = await get(`/codes/${encodeURIComponent(tok)}`);
    } catch (err) {
      if (mine === seq) { drawError(result, note, err); result.dataset.scan = String(mine); }
      return;
    }
    if (mine !== seq) return;
    drawCode(result, code);
    result.dataset.scan = String(mine); // how many scans were answered: for tests and the curious
    fill(note, '');
    if (pointSel?.value) await record(note, result, mine, () => seq, pointSel.value,
      { token: tok, direction: dirSel.value, from_region: from.value.trim() });
  });
  // a scanner types into whatever has focus: keep it on the scan field
  root.addEventListener('click', (e) => { if (!e.target.closest('select, input, button, a')) input.focus(); });
  input.focus();
}

function drawCode(el, code) {
  const c = colorOf(code);
  el.className = `gate-result gate-${c}`;
  el.dataset.state = 'code';
  el.dataset.color = code.color || '';
  // the policy's own word for the gate when the API passes it on (Chinese only)
  const door = lang() === 'zh' && code.door_zh ? code.door_zh : t(`door.${c}`);
  fill(el,
    h('div', { class: 'gate-door', 'data-testid': 'gate-door' }, door),
    h('div', { class: 'gate-color', 'data-testid': 'gate-color' }, colorName(code)),
    h('div', { class: 'gate-name', 'data-testid': 'gate-name' }, code.name_masked || ''),
    code.reasons?.length ? h('ul', { class: 'gate-reasons' }, code.reasons.map((r) =>
      h('li', { 'data-testid': 'gate-reason', 'data-rule': r.rule || '' }, r.zh || r.rule))) : null,
    code.override ? h('div', { class: 'gate-facts', 'data-testid': 'gate-override' }, t('code.override_mark')) : null,
    h('div', { class: 'gate-facts' },
      h('span', {}, `${t('code.last_negative')}：`), h('span', { 'data-testid': 'gate-last-negative' },
        code.last_negative_at ? unixTime(code.last_negative_at) : t('code.never_negative'))),
    h('div', { class: 'gate-facts' },
      h('span', {}, `${t('code.valid_until')}：`), h('span', { 'data-testid': 'gate-valid-until' }, unixTime(code.valid_until))));
}

function drawError(el, note, err) {
  const key = ERRORS[err.status];
  el.className = 'gate-result gate-error';
  el.dataset.state = 'error';
  el.dataset.status = String(err.status || 0);
  el.dataset.color = '';
  fill(el,
    h('div', { class: 'gate-door', 'data-testid': 'gate-door' }, t('door.red')),
    h('div', { class: 'gate-error-text', 'data-testid': 'gate-error' }, key ? t(key) : t('gate.failed')),
    key ? null : h('div', { class: 'gate-facts' }, err.message));
  fill(note, '');
}

// The itinerary card (双码联查) the scan's answer carries: where the traveler came from or
// stayed within the policy's days, starred (行程卡带星) when any of it was a risk area.
function drawItinerary(el, card) {
  if (!card) return;
  const place = (p) => h('li', { 'data-testid': 'gate-place', 'data-level': p.level || '' },
    `${p.region_code}${p.area_name ? ` ${p.area_name}` : ''}`, p.level ? ` *${t(`risk.${p.level}`)}` : '');
  el.append(h('div', { class: `gate-itinerary${card.star ? ' gate-star' : ''}`, 'data-testid': 'gate-itinerary', 'data-star': String(card.star) },
    h('div', { class: 'gate-facts' }, t('gate.itinerary', { days: card.days }), '：',
      h('strong', {}, card.star ? t('gate.itinerary_star') : card.places.length ? t('gate.itinerary_clear') : t('gate.itinerary_none'))),
    card.places.length ? h('ul', { class: 'gate-places' }, card.places.map(place)) : null));
}

// current(): the latest scan's number; the card is drawn only if it is still `mine`
async function record(note, result, mine, current, pointId, body) {
  const b = { token: body.token, direction: body.direction };
  if (body.from_region) b.from_region = body.from_region;
  try {
    const r = await post(`/checkpoints/${pointId}/scans`, b);
    fill(note, h('span', { 'data-testid': 'gate-recorded', 'data-id': r?.id ?? '' }, t('gate.recorded', { dir: label('dir', body.direction) })),
      r?.leads?.length ? ` · ${t('gate.new_traveler_lead')}` : '');
    if (mine === current()) drawItinerary(result, r?.itinerary);
  } catch (err) {
    fill(note, h('span', { class: 'field-error', 'data-testid': 'gate-not-recorded' }, t('gate.not_recorded', { why: err.message })));
  }
}
