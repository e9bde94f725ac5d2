// public/risk_areas.js - the public notice of the city's risk areas (web/risk-areas.html),
// no login: GET /api/v1/public/risk-areas (no personal data by construction), grouped by
// public level, highest first, each area with the day it took effect and the day it may
// be lifted if no new case appears; the rest of a county at the lowest level as the
// notices wrote it; the CSV other cities import; Chinese first, English on a switch.
import { h, fill } from '../dom.js';
import { t, lang, setLang, applyLang } from '../i18n.js';

const view = document.getElementById('public-view');
const title = document.getElementById('public-title');
const langBtn = document.getElementById('public-lang');
const LEVELS = ['high', 'medium', 'low'];
let shown = null;

function chrome() {
  applyLang();
  document.title = t('notice.public_title');
  title.textContent = t('notice.public_title');
  langBtn.textContent = t('header.lang');
}

function area(a) {
  return h('li', { 'data-testid': 'risk-area', 'data-level': a.level, 'data-region': a.region_code },
    h('strong', {}, a.name), a.area_name && a.area_name !== a.name ? h('span', { class: 'muted' }, `（${a.area_name}）`) : null,
    a.level_zh && a.level_zh !== t(`risk.${a.level}`) ? h('span', { class: 'tag', 'data-testid': 'risk-zone-level' }, a.level_zh) : null,
    h('div', { class: 'small muted' }, t('notice.since', { from: a.from }),
      a.may_lift_date ? ` · ${t('notice.may_lift', { date: a.may_lift_date })}` : ''));
}

function draw(list) {
  shown = list;
  chrome();
  const groups = LEVELS.map((level) => {
    const items = list.items.filter((a) => a.level === level);
    if (items.length === 0) return null;
    return h('section', { class: 'card', 'data-testid': `risk-level-${level}` },
      h('h2', {}, t('notice.level_count', { level: t(`risk.${level}`), n: items.length })), h('ul', { class: 'risk-list' }, items.map(area)));
  }).filter(Boolean);
  fill(view,
    h('p', { 'data-testid': 'notice-lead' }, list.items.length ? t('notice.lead') : t('notice.none')),
    groups,
    h('p', { class: 'small muted' }, t('notice.policy', { version: list.policy_version })),
    h('p', {}, h('a', { href: '/api/v1/public/risk-areas?format=csv', 'data-testid': 'notice-csv' }, t('notice.csv')),
      ' · ', h('a', { href: '/code.html' }, t('code.public_title'))));
}

async function load() {
  fill(view, h('p', {}, t('common.loading')));
  try {
    const res = await fetch('/api/v1/public/risk-areas', { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    draw(await res.json());
  } catch {
    fill(view, h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'public-error' }, t('err.network')));
  }
}

langBtn.addEventListener('click', () => {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  if (shown) draw(shown); else chrome();
});
chrome();
load();
