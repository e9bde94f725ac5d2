// views/round_detail.js - one testing round (#/rounds/ID): its area, window, state and
// counts, open or close it; its sampling sites (name, area, team, tubes issued) with links
// to the sampler and the sample flow of each; a new site; tube stock issued to a site
// (prefix, first, count, digits: printed barcodes, before use). Links to the round's
// coverage (核酸覆盖) and flow.
import { h, select } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, patch } from '../api.js';
import { areaPicker, areaLabel } from '../areas.js';
import { instant } from '../format.js';
import { field, banner, clearErrors, showError, showBanner } from '../form.js';
import { href } from '../nav.js';
import { can } from '../session.js';
import { roundState } from './rounds.js';
import { testingTabs } from './testing_tabs.js';

export const nav = 'testing';
const redraw = () => window.dispatchEvent(new Event('fk:route'));

function head(r) {
  const msg = banner();
  const move = async (state) => {
    try { await patch(`/testing/rounds/${r.id}`, { state }); redraw(); } catch (err) { showBanner(msg, err.message); }
  };
  const next = { planned: ['open', 'closed'], open: ['closed'], closed: [] }[r.state] || [];
  return [h('div', { class: 'page-head' },
    h('h1', { 'data-testid': 'round-name' }, r.name, roundState(r.state)),
    h('div', { class: 'actions' },
      h('a', { class: 'btn', href: href('/rounds') }, t('common.back')),
      h('a', { class: 'btn', href: href('/testing', { round: r.id }), 'data-testid': 'round-coverage' }, t('round.coverage')),
      h('a', { class: 'btn', href: href('/flow', { round: r.id }), 'data-testid': 'round-flow' }, t('round.flow')),
      can('testing') ? next.map((s) => h('button', { type: 'button', class: s === 'open' ? 'btn btn-primary' : 'btn btn-danger',
        'data-testid': `round-to-${s}`, onclick: () => move(s) }, t(s === 'open' ? 'round.open' : 'round.close'))) : null)),
  msg,
  h('div', { class: 'card' }, h('dl', { class: 'facts' },
    h('dt', {}, t('round.area')), h('dd', {}, areaLabel(r.area_code), ` (${r.area_code})`),
    h('dt', {}, t('round.window')), h('dd', {}, `${instant(r.starts_at)} – ${instant(r.ends_at)}`),
    h('dt', {}, t('round.sites')), h('dd', { 'data-testid': 'round-sites' }, String(r.site_count)),
    h('dt', {}, t('round.tubes')), h('dd', { 'data-testid': 'round-tubes' }, String(r.tube_count)),
    h('dt', {}, t('round.scanned')), h('dd', { 'data-testid': 'round-scanned' }, String(r.scanned))))];
}

function sitesTable(r, sites) {
  if (sites.length === 0) return h('p', { class: 'empty' }, t('site.none'));
  return h('table', { class: 'table compact', 'data-testid': 'sites' },
    h('thead', {}, h('tr', {}, ['site.name', 'site.area', 'site.team', 'site.tubes', 'site.actions'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, sites.map((s) => h('tr', { 'data-testid': 'site-row', 'data-id': s.id },
      h('td', {}, s.name), h('td', {}, areaLabel(s.area_code)), h('td', {}, s.team),
      h('td', { class: 'num', 'data-testid': 'site-tubes' }, String(s.tube_count)),
      h('td', { class: 'actions', style: 'justify-content:flex-start' },
        r.state === 'open' ? h('a', { class: 'btn btn-small', href: href('/sampler', { site: s.id }), 'data-testid': 'site-sampler' }, t('round.sampler')) : null,
        h('a', { class: 'btn btn-small', href: href('/flow', { round: r.id, site: s.id }), 'data-testid': 'site-flow' }, t('round.flow')))))));
}

function siteForm(r) {
  const msg = banner();
  const picker = areaPicker({ name: 'site-area', value: r.area_code, head: 'common.choose' });
  const input = (name, attrs = {}) => h('input', { name, 'data-testid': `site-${name}`, ...attrs });
  const form = h('form', { class: 'card form small-form', 'data-testid': 'site-form', novalidate: true },
    h('h2', {}, t('site.new')), msg,
    h('div', { class: 'grid' },
      field('name', 'site.name', input('name'), { required: true }),
      field('team', 'site.team', input('team')),
      field('area_code', 'site.area', picker.el)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'site-create' }, t('site.new'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const el = (n) => form.elements.namedItem(n);
    try {
      await post(`/testing/rounds/${r.id}/sites`, { name: el('name').value.trim(), team: el('team').value.trim(), area_code: picker.value() });
      redraw();
    } catch (err) { showError(form, msg, err); }
  });
  return form;
}

function issueForm(sites) {
  const msg = banner();
  const input = (name, attrs = {}) => h('input', { name, 'data-testid': `issue-${name}`, class: 'mono', ...attrs });
  const form = h('form', { class: 'card form small-form', 'data-testid': 'issue-form', novalidate: true },
    h('h2', {}, t('site.issue')), msg,
    h('div', { class: 'grid' },
      field('site_id', 'site.name', select({ name: 'site_id', 'data-testid': 'issue-site' }, sites.map((s) => [String(s.id), s.name]))),
      field('prefix', 'tube.prefix', input('prefix', { placeholder: 'HS22-' })),
      field('first', 'tube.first', input('first', { type: 'number', min: 1, value: 1 })),
      field('count', 'tube.count', input('count', { type: 'number', min: 1, max: 1000, value: 100 })),
      field('digits', 'tube.digits', input('digits', { type: 'number', min: 1, max: 12, value: 6 }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'issue-submit' }, t('site.issue'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const el = (n) => form.elements.namedItem(n);
    const num = (n) => (el(n).value === '' ? undefined : Number(el(n).value));
    try {
      const r = await post(`/testing/sites/${el('site_id').value}/tubes`, {
        prefix: el('prefix').value.trim().toUpperCase(), first: num('first'), count: num('count'), digits: num('digits'),
      });
      sessionStorage.setItem('fangkong.issued', t('ok.issued', { n: r.issued, first: r.barcodes[0], last: r.barcodes[r.barcodes.length - 1] }));
      redraw();
    } catch (err) { showError(form, msg, err); }
  });
  return form;
}

export async function render(root, { params }) {
  const [r, sites] = await Promise.all([get(`/testing/rounds/${params.id}`), get(`/testing/rounds/${params.id}/sites`, { limit: 1000 })]);
  root.append(testingTabs('rounds'), ...head(r));
  const issued = sessionStorage.getItem('fangkong.issued');
  sessionStorage.removeItem('fangkong.issued');
  if (issued) root.append(h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'issued' }, issued));
  root.append(h('div', { class: 'card' }, h('h2', {}, t('round.sites')), sitesTable(r, sites.items)));
  if (!can('testing') || r.state === 'closed') return;
  root.append(h('div', { class: 'columns' }, siteForm(r), sites.items.length ? issueForm(sites.items) : h('div')));
}
