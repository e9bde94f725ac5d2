// code_card.js - one health code as the API gives it (GET /persons/{id}/code, POST
// /public/code, GET /codes/{token}), drawn for the console, the public page and the gate.
//
// The QR image is the server's SVG shown through an <img> from a data: URL, never put into
// the page as markup: an image cannot run script, whatever the text holds. Times from the
// API are Unix seconds.
import { h } from './dom.js';
import { t, label, lang } from './i18n.js';
import { instant } from './format.js';

export const COLORS = ['green', 'yellow', 'red'];

// Unix seconds -> "YYYY-MM-DD HH:MM" in the browser's time zone ('' for null).
export function unixTime(s) {
  return s === null || s === undefined || s === '' ? '' : instant(Number(s) * 1000);
}

// The colour's own class suffix, or 'unknown' for anything the console does not know.
export function colorOf(code) {
  return COLORS.includes(code?.color) ? code.color : 'unknown';
}

// The colour's name: the console's label in English, the server's color_zh in Chinese
// (the policy's own words), the label when the server gives none.
export function colorName(code) {
  const l = label('color', code.color);
  return lang() === 'zh' && code.color_zh ? code.color_zh : l;
}

export function qrImage(svg, attrs = {}) {
  if (!svg) return null;
  return h('img', { class: 'code-qr', alt: t('code.title'), src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, ...attrs });
}

// The reasons as a list: each one's Chinese text and, when given, its detail.
export function reasonList(reasons, testid = 'code-reason') {
  if (!reasons?.length) return h('p', { class: 'muted', 'data-testid': `${testid}-none` }, t('code.no_reason'));
  return h('ul', { class: 'code-reasons' }, reasons.map((r) => h('li', { 'data-testid': testid, 'data-rule': r.rule || '' },
    r.zh || r.rule, r.detail ? h('span', { class: 'muted' }, `（${r.detail}）`) : null)));
}

// The override of a person's code as the console shows it (object form), or the scan's
// mark (override: true).
export function overrideNote(ov) {
  if (!ov) return null;
  if (ov === true) return h('div', { class: 'code-override', 'data-testid': 'code-override' }, t('code.override_mark'));
  return h('div', { class: 'code-override', 'data-testid': 'code-override' },
    h('strong', {}, `${t('code.override')}：${label('color', ov.color)}`), ' ', ov.reason || '',
    h('div', { class: 'small' }, t('code.override_by', { by: ov.requested_by ?? '', ap: ov.approved_by ?? '' }),
      ov.until ? ` · ${t('code.override_until', { at: unixTime(ov.until) })}` : ''));
}

// The big coloured block: colour name over the QR code (when there is one).
export function codeBlock(code, { name } = {}) {
  const c = colorOf(code);
  return h('div', { class: `code-block code-${c}`, 'data-testid': 'code-block', 'data-color': code.color || '' },
    name ? h('div', { class: 'code-name', 'data-testid': 'code-name' }, name) : null,
    h('div', { class: 'code-color', 'data-testid': 'code-color' }, colorName(code)),
    qrImage(code.qr_svg, { 'data-testid': 'code-qr' }));
}

// Valid-until, with the expiry said plainly once it is past.
export function validity(code, now = Date.now() / 1000) {
  const past = code.valid_until && Number(code.valid_until) <= now;
  return h('span', { class: past ? 'code-expired' : null, 'data-testid': 'code-valid-until', 'data-expired': past ? '1' : '0' },
    unixTime(code.valid_until), past ? ` · ${t('code.expired')}` : '');
}

export function lastNegative(code) {
  return code.last_negative_at ? unixTime(code.last_negative_at) : t('code.never_negative');
}
