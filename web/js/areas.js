// areas.js - area names (cached) and the district > street > community picker.
import { get } from './api.js';
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { user } from './session.js';

const names = new Map();     // code -> name
const pending = new Map();   // code -> Promise<name>

function remember(items) { for (const a of items) names.set(a.code, a.name); }

// The area's name, or the code itself when it cannot be read.
export function areaName(code) {
  if (!code) return Promise.resolve('');
  if (names.has(code)) return Promise.resolve(names.get(code));
  if (!pending.has(code)) {
    pending.set(code, get(`/areas/${encodeURIComponent(code)}`)
      .then((a) => { names.set(code, a.name); return a.name; })
      .catch(() => code)
      .finally(() => pending.delete(code)));
  }
  return pending.get(code);
}

// A <span> that shows the area's name once known (the code until then).
export function areaLabel(code) {
  const span = h('span', { class: 'area', title: code || '' }, names.get(code) || code || '');
  if (code && !names.has(code)) areaName(code).then((n) => { span.textContent = n; });
  return span;
}

const LEVELS = [['district', 6, 'f.district'], ['street', 9, 'f.street'], ['community', 12, 'f.community_code']];

// Cascading selects. `name` is the testid/name prefix; value() is the deepest chosen
// code ('' for none) and level() its level. The user's own area is fixed in place.
// `head` labels the empty option (default: the level's name, as filters do).
// onChange(code, level) runs after each choice.
export function areaPicker({ name = 'area', value = '', head = '', onChange = () => {} } = {}) {
  const fixed = user()?.area_code || '';
  const sels = LEVELS.map(([lvl, , key]) => h('select', {
    name: `${name}_${lvl}`, 'data-testid': `${name}-${lvl}`, 'aria-label': t(key),
  }));
  const el = h('div', { class: 'area-picker' }, sels);

  const empty = (i) => h('option', { value: '' }, t(head || LEVELS[i][2]));

  async function load(i, parent) {
    const sel = sels[i];
    fill(sel, empty(i));
    sel.disabled = i > 0 && !parent;
    if (i > 0 && !parent) return;
    const { items } = await get('/areas', parent ? { parent } : {});
    remember(items);
    fill(sel, empty(i), items.map((a) => h('option', { value: a.code }, a.name)));
  }

  function deepest() {
    for (let i = sels.length - 1; i >= 0; i--) if (sels[i].value) return i;
    return -1;
  }

  sels.forEach((sel, i) => sel.addEventListener('change', async () => {
    for (let j = i + 1; j < sels.length; j++) await load(j, j === i + 1 ? sel.value : '');
    const d = deepest();
    onChange(d < 0 ? '' : sels[d].value, d < 0 ? '' : LEVELS[d][0]);
  }));

  // Load each level down the path to `value` (or the user's area).
  const ready = (async () => {
    const target = value || fixed;
    for (let i = 0; i < sels.length; i++) {
      const parent = i === 0 ? '' : sels[i - 1].value;
      await load(i, parent);
      const want = target.slice(0, LEVELS[i][1]);
      if (target.length >= LEVELS[i][1] && [...sels[i].options].some((o) => o.value === want)) sels[i].value = want;
      sels[i].disabled = sels[i].disabled || fixed.length >= LEVELS[i][1];
    }
  })();

  return {
    el,
    ready,
    value() { const d = deepest(); return d < 0 ? '' : sels[d].value; },
    level() { const d = deepest(); return d < 0 ? '' : LEVELS[d][0]; },
  };
}
