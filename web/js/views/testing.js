// views/testing.js - coverage of a testing round (应检尽检、不漏一人): pick a round and a
// level, a table of units coloured by their coverage rate (red below the policy's alert
// rate, amber below its good rate, green from it), and for the unit clicked its untested
// persons with downloads (CSV, XLSX) for door-to-door follow-up, each with the reasons
// the policy's testing.home_sampling gives for sampling them at home (上门采样), and a
// switch to list only those. The server counts everything (who is expected, who is
// exempt: the policy's testing.coverage).
import { h, select } from '../dom.js';
import { t } from '../i18n.js';
import { get } from '../api.js';
import { token } from '../session.js';
import { go } from '../nav.js';
import { pager } from '../pager.js';
import { testingTabs } from './testing_tabs.js';

export const nav = 'testing';
const LEVELS = ['community', 'street', 'district'];
const PAGE = 50;

const pct = (r) => `${(r * 100).toFixed(1)}%`;

// The rate's colour class from the policy's thresholds the server sends.
function tone(rate, th) {
  if (rate < th.alert_below) return 'cov-red';
  return rate < th.good_from ? 'cov-amber' : 'cov-green';
}

const COLS = ['cov.unit', 'cov.expected', 'cov.tested', 'cov.untested', 'cov.exempt', 'cov.rate'];

function unitsTable(cov, pick, chosen) {
  if (cov.units.length === 0) return h('p', { class: 'empty' }, t('common.empty'));
  const num = (k, v) => h('td', { class: 'num', 'data-col': k }, String(v));
  return h('table', { class: 'table compact', 'data-testid': 'cov-units' },
    h('thead', {}, h('tr', {}, COLS.map((k) => h('th', {}, t(k))))),
    h('tbody', {}, cov.units.map((u) => h('tr', {
      'data-testid': 'cov-unit', 'data-area': u.code, class: `clickable${u.code === chosen ? ' selected' : ''}`,
      onclick: () => pick(u.code),
    },
    h('td', {}, `${u.name || u.code}（${u.code}）`), num('expected', u.expected), num('tested', u.tested),
    num('untested', u.untested), num('exempt', u.exempt),
    h('td', { class: `num ${tone(u.rate, cov.thresholds)}`, 'data-col': 'rate' }, pct(u.rate))))));
}

// The file comes from the API with the bearer token, so it is fetched and handed to the
// browser as a blob (a plain link would carry no token).
async function download(path, name, msg) {
  const res = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok) { msg.textContent = t('cov.download_failed'); return; }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const homeTags = (p) => p.home_reasons.map((r) => h('span', { class: 'tag', 'data-testid': 'cov-home-reason' }, t(`home.${r}`)));

function untestedCard(roundId, area, list, offset, query) {
  const home = query.home === '1';
  const msg = h('p', { class: 'error', role: 'alert' });
  const stem = home ? 'home-sampling' : 'untested';
  const file = (ext) => h('button', { type: 'button', class: 'btn', 'data-testid': `cov-download-${ext}`,
    onclick: () => download(`/testing/rounds/${roundId}/untested.${ext}?area=${area}${home ? '&home=1' : ''}`,
      `${stem}-round${roundId}-${area}.${ext}`, msg) }, t(`cov.download_${ext}`));
  const toggle = h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: home, 'data-testid': 'cov-home-only',
    onchange: (e) => go('/testing', { ...query, home: e.target.checked ? '1' : undefined, uoffset: undefined }) }), t('cov.home_only'));
  const rows = list.items.map((p) => h('tr', { 'data-testid': 'cov-person', 'data-id': p.person_id },
    h('td', {}, p.name), h('td', {}, p.id_number), h('td', {}, p.phone),
    h('td', {}, p.household || p.address), h('td', {}, p.community_code), h('td', {}, homeTags(p))));
  return h('div', { class: 'card', 'data-testid': 'cov-untested' },
    h('h2', {}, t(home ? 'cov.home_of' : 'cov.untested_of', { area, n: list.total })),
    h('div', { class: 'filters' }, toggle, file('csv'), file('xlsx')), msg,
    list.items.length === 0 ? h('p', { class: 'empty' }, t(home ? 'cov.none_home' : 'cov.none_untested'))
      : h('table', { class: 'table compact' },
        h('thead', {}, h('tr', {}, ['cov.name', 'cov.id_number', 'cov.phone', 'cov.address', 'cov.community', 'cov.home']
          .map((k) => h('th', {}, t(k))))),
        h('tbody', {}, rows)),
    pager({ total: list.total, limit: PAGE, offset, go: (o) => go('/testing', { ...query, uoffset: o }) }));
}

export async function render(root, { query }) {
  root.append(testingTabs('coverage'), h('h1', {}, t('cov.title')));
  // a recheck round owes its parent's held persons, not an area: it has no coverage
  const rounds = (await get('/testing/rounds', { limit: 100 })).items.filter((r) => r.kind !== 'recheck');
  if (rounds.length === 0) { root.append(h('p', { class: 'empty' }, t('cov.no_rounds'))); return; }
  const roundId = Number(query.round || rounds[0].id);
  const level = query.level || 'community';
  const form = h('form', { class: 'filters', 'data-testid': 'cov-filter' },
    select({ name: 'round', 'data-testid': 'cov-round' }, rounds.map((r) => [String(r.id), `${r.name}（${r.area_code}）`]), String(roundId)),
    select({ name: 'level', 'data-testid': 'cov-level' }, LEVELS.map((l) => [l, t(`level.${l}`)]), level),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/testing', { round: form.round.value, level: form.level.value });
  });
  root.append(form);
  const cov = await get(`/testing/rounds/${roundId}/coverage`, { level });
  const tot = cov.total;
  root.append(h('p', { 'data-testid': 'cov-total', class: tone(tot.rate, cov.thresholds) },
    t('cov.total', { area: cov.area, expected: tot.expected, tested: tot.tested, untested: tot.untested, exempt: tot.exempt, rate: pct(tot.rate) })));
  const pick = (code) => go('/testing', { round: roundId, level, unit: code });
  root.append(h('div', { class: 'card' }, unitsTable(cov, pick, query.unit)));
  if (!query.unit) return;
  const offset = Number(query.uoffset || 0);
  const home = query.home === '1' ? '1' : undefined;
  const list = await get(`/testing/rounds/${roundId}/untested`, { area: query.unit, home, limit: PAGE, offset });
  root.append(untestedCard(roundId, query.unit, list, offset, { round: roundId, level, unit: query.unit, home }));
}
