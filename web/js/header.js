// header.js - brand, menu, the signed-in user with role and area, language, log out.
import { h, fill } from './dom.js';
import { t, label, lang, setLang } from './i18n.js';
import { user, can, signOut } from './session.js';
import { areaLabel } from './areas.js';
import { del } from './api.js';
import { go } from './nav.js';
import { testingHome } from './views/testing_tabs.js';

const MENU = [
  ['dashboard', '#/', 'nav.dashboard', () => true],
  ['persons', '#/persons', 'nav.persons', () => can('person.read')],
  ['cases', '#/cases', 'nav.cases', () => can('cases.read')],
  ['chains', '#/chains', 'nav.chains', () => can('trace')],
  ['leads', '#/leads', 'nav.leads', () => can('leads')],
  ['arrivals', '#/arrivals', 'nav.arrivals', () => can('travel')],
  ['accountability', '#/accountability', 'nav.accountability', () => can('accountability')],
  ['testing', () => testingHome(), 'nav.testing', () => can('testing') || can('lab') || can('person.read')],
  ['facilities', '#/facilities', 'nav.facilities', () => can('isolation')],
  ['transfers', '#/transfers', 'nav.transfers', () => can('transfer')],
  ['zones', '#/zones', 'nav.zones', () => can('zones')],
  ['checkpoint', '#/checkpoint', 'nav.checkpoint', () => can('checkpoint')],
  ['code_overrides', '#/code-overrides', 'nav.code_overrides', () => can('codes.override')],
  ['notifications', '#/notifications', 'nav.notifications', () => user()?.role !== 'viewer'],
  ['audit', '#/audit', 'nav.audit', () => can('audit')],
];

// Draws the header into el; `active` is the menu key to highlight ('' for none).
// onLang runs after the language changed, so the page can be drawn again.
export function renderHeader(el, active, onLang) {
  const u = user();
  const switchLang = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'lang-switch',
    onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); onLang(); } }, t('header.lang'));
  if (!u) {
    fill(el, h('div', { class: 'brand' }, t('app.title')), h('div', { class: 'spacer' }), switchLang);
    return;
  }
  const logout = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'logout',
    onclick: async () => {
      try { await del('/session'); } catch { /* the token goes either way */ }
      signOut();
      go('/login');
    } }, t('header.logout'));
  fill(el,
    h('a', { class: 'brand', href: '#/' }, t('app.title')),
    h('nav', { class: 'menu' }, MENU.filter((m) => m[3]()).map(([key, hrefv, k]) =>
      h('a', { href: typeof hrefv === 'function' ? hrefv() : hrefv, 'data-testid': `nav-${key}`, class: key === active ? 'active' : null }, t(k)))),
    h('div', { class: 'spacer' }),
    h('div', { class: 'who', 'data-testid': 'who' },
      h('strong', {}, u.username),
      h('span', { class: 'tag' }, label('role', u.role)),
      u.area_code ? areaLabel(u.area_code) : h('span', {}, t('header.city'))),
    switchLang, logout);
}
