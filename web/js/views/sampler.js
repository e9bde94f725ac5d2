// views/sampler.js - the sampler's screen (采样), phone-sized like the leads queue: choose
// the site, scan (or type) a tube barcode, then each person's ID number; Enter submits,
// as barcode scanners type and press Enter. The tube shows its pool size and fill; it
// closes itself when full (the server decides), or by hand. Every refusal of the API is
// shown under the field it names, the input kept and selected for a rescan; the last
// scans are listed. The ID number's check digit is checked here first (idcheck.js).
import { h, select, fill } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post, ApiError } from '../api.js';
import { checkDigit } from '../idcheck.js';
import { field, banner, clearErrors, showError, showBanner } from '../form.js';
import { go } from '../nav.js';
import { testingTabs } from './testing_tabs.js';

export const nav = 'testing';
const SITE_KEY = 'fangkong.sampler.site';
const RECENT = 10;
const recent = []; // the last scans of this tab, newest first: {id, barcode, n, size, at}

async function openSites() {
  const rounds = (await get('/testing/rounds', { limit: 100 })).items.filter((r) => r.state === 'open');
  const lists = await Promise.all(rounds.map((r) => get(`/testing/rounds/${r.id}/sites`, { limit: 1000 })
    .then((l) => l.items.map((s) => ({ ...s, round: r })))));
  return lists.flat();
}

const maskId = (id) => (id.length > 8 ? `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}` : id);

export async function render(root, { query }) {
  root.classList.add('sampler');
  root.append(testingTabs('sampler'), h('h1', {}, t('sampler.title')));
  const sites = await openSites();
  if (sites.length === 0) { root.append(h('p', { class: 'empty', 'data-testid': 'sampler-empty' }, t('sampler.no_sites'))); return; }
  const chosen = query.site || sessionStorage.getItem(SITE_KEY) || '';
  const siteSel = select({ name: 'site', 'data-testid': 'sampler-site', 'aria-label': t('sampler.site') },
    [['', t('sampler.choose_site')], ...sites.map((s) => [String(s.id), `${s.name}（${s.round.name}）`])],
    sites.some((s) => String(s.id) === chosen) ? chosen : '');
  siteSel.addEventListener('change', () => {
    sessionStorage.setItem(SITE_KEY, siteSel.value);
    go('/sampler', { site: siteSel.value });
  });
  root.append(h('div', { class: 'card' }, field('site', 'sampler.site', siteSel)));
  if (!siteSel.value) return;
  sessionStorage.setItem(SITE_KEY, siteSel.value);
  const siteId = Number(siteSel.value);

  let tube = null; // the tube in hand: the API's tube
  const msg = banner();
  const ok = h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'sampler-ok', hidden: true });
  const barcode = h('input', { name: 'barcode', 'data-testid': 'sampler-barcode', class: 'mono big', autocomplete: 'off',
    spellcheck: 'false', autocapitalize: 'characters', enterkeyhint: 'go', placeholder: t('sampler.scan_tube') });
  const idInput = h('input', { name: 'id_number', 'data-testid': 'sampler-id', class: 'mono big', autocomplete: 'off',
    spellcheck: 'false', inputmode: 'text', enterkeyhint: 'go', placeholder: t('sampler.scan_person') });
  const tubeInfo = h('div', { class: 'tube-info', 'data-testid': 'sampler-tube', hidden: true });
  const closeBtn = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'sampler-close', hidden: true }, t('sampler.close'));
  const list = h('ol', { class: 'recent', 'data-testid': 'sampler-recent' });
  const tubeForm = h('form', { class: 'scan-form', 'data-testid': 'sampler-tube-form', novalidate: true },
    field('barcode', 'sampler.barcode', barcode),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'sampler-take' }, t('sampler.take')));
  const personForm = h('form', { class: 'scan-form', 'data-testid': 'sampler-person-form', novalidate: true },
    field('id_number', 'sampler.id_number', idInput),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'sampler-scan' }, t('sampler.scan')));
  const pad = h('div', { class: 'card' }, msg, ok, tubeForm, tubeInfo, personForm, closeBtn);
  root.append(pad, h('div', { class: 'card' }, h('h2', {}, t('sampler.last')), list));

  const say = (text) => { ok.textContent = text; ok.hidden = !text; };
  const refuse = (err, input) => {
    showError(pad, msg, err);
    input?.focus();
    input?.select();
  };
  const drawRecent = () => fill(list, recent.map((r) => h('li', { 'data-testid': 'sampler-recent-item', 'data-barcode': r.barcode },
    h('span', { class: 'mono' }, t('sampler.sampled', { id: maskId(r.id), b: r.barcode, n: r.n, size: r.size })),
    h('span', { class: 'muted small' }, ` ${r.at}`))));
  const drawTube = () => {
    tubeInfo.hidden = !tube;
    closeBtn.hidden = !tube || tube.state !== 'open';
    personForm.hidden = !tube;
    if (!tube) return;
    const size = tube.size || 0;
    fill(tubeInfo,
      h('div', { class: 'tube-head' }, h('strong', { class: 'mono' }, tube.barcode),
        h('span', { class: 'tag', 'data-testid': 'sampler-tube-state' }, label('tubestate', tube.state))),
      size ? h('div', { class: 'fill', 'data-testid': 'sampler-fill', 'data-n': tube.n_members, 'data-size': size },
        t('sampler.fill', { n: tube.n_members, size }),
        h('div', { class: 'fill-bar' }, h('div', { style: `width:${Math.round((100 * tube.n_members) / size)}%` })))
        : h('div', { class: 'fill', 'data-testid': 'sampler-fill', 'data-n': 0, 'data-size': 0 }, t('sampler.new_tube')),
      tube.site_id !== siteId ? h('div', { class: 'hint-warn', 'data-testid': 'sampler-other-site' }, t('sampler.other_site')) : null);
  };
  const reset = () => { tube = null; barcode.value = ''; drawTube(); barcode.focus(); };

  tubeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(pad);
    say('');
    const code = barcode.value.trim().toUpperCase();
    barcode.value = code;
    if (!code) return refuse(new ApiError(0, 'invalid', t('err.required'), 'barcode'), barcode);
    try {
      const got = await get(`/testing/tubes/${encodeURIComponent(code)}`);
      if (got.state === 'closed') {
        tube = null;
        drawTube();
        return refuse(new ApiError(0, 'conflict', t('sampler.tube_closed'), 'barcode'), barcode);
      }
      tube = got;
      drawTube();
      idInput.value = '';
      idInput.focus();
    } catch (err) { tube = null; drawTube(); refuse(err, barcode); }
  });

  personForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(pad);
    say('');
    const id = idInput.value.trim().toUpperCase();
    idInput.value = id;
    if (!id) return refuse(new ApiError(0, 'invalid', t('err.required'), 'id_number'), idInput);
    const cd = checkDigit(id);
    if (cd && cd.want !== cd.got) return refuse(new ApiError(0, 'invalid', t('err.check_digit', { got: cd.got, want: cd.want }), 'id_number'), idInput);
    try {
      const r = await post(`/testing/tubes/${encodeURIComponent(tube.barcode)}/scans`, { id_number: id });
      tube = r;
      recent.unshift({ id, barcode: r.barcode, n: r.n_members, size: r.size, at: new Date().toTimeString().slice(0, 8) });
      recent.length = Math.min(recent.length, RECENT);
      drawRecent();
      if (r.state === 'closed') {
        say(t('sampler.auto_closed', { n: r.n_members }));
        reset();
        return;
      }
      drawTube();
      idInput.value = '';
      idInput.focus();
    } catch (err) {
      refuse(err, err.field === 'barcode' ? barcode : idInput);
    }
  });

  closeBtn.addEventListener('click', async () => {
    clearErrors(pad);
    try {
      const r = await post(`/testing/tubes/${encodeURIComponent(tube.barcode)}/close`);
      say(t('sampler.closed_by_hand', { b: r.barcode, n: r.n_members }));
      reset();
    } catch (err) { showBanner(msg, err.message); }
  });

  drawRecent();
  drawTube();
  barcode.focus();
}
