// main.js - the router: maps location.hash to a view, draws the header, and sends
// every unexpected error to a banner at the top of the view.
//
// A view module exports render(root, {params, query}) (may be async) and `nav`, the
// menu entry it belongs to. render may return a function that cleans up (charts);
// it runs before the next view is drawn.
import { h, fill } from './dom.js';
import { applyLang, t } from './i18n.js';
import { token } from './session.js';
import { current, go } from './nav.js';
import { renderHeader } from './header.js';
import { errorNodes } from './form.js';
import * as login from './views/login.js';
import * as dashboard from './views/dashboard.js';
import * as persons from './views/persons.js';
import * as personDetail from './views/person_detail.js';
import * as personForm from './views/person_form.js';
import * as cases from './views/cases.js';
import * as caseDetail from './views/case_detail.js';
import * as caseForm from './views/case_form.js';
import * as audit from './views/audit.js';
import * as chains from './views/chains.js';
import * as leads from './views/leads.js';
import * as arrivals from './views/arrivals.js';
import * as accountability from './views/accountability.js';
import * as facilities from './views/facilities.js';
import * as transfers from './views/transfers.js';
import * as zones from './views/zones.js';
import * as testing from './views/testing.js';
import * as rounds from './views/rounds.js';
import * as roundDetail from './views/round_detail.js';
import * as sampler from './views/sampler.js';
import * as flow from './views/flow.js';
import * as checkpoint from './views/checkpoint.js';
import * as codeOverrides from './views/person_code.js';
import * as notifications from './views/notifications.js';

const ROUTES = [
  ['/login', login, true],
  ['/', dashboard],
  ['/persons', persons],
  ['/persons/new', personForm],
  ['/persons/:id', personDetail],
  ['/persons/:id/edit', personForm],
  ['/cases', cases],
  ['/cases/new', caseForm],
  ['/cases/:id', caseDetail],
  ['/cases/:id/edit', caseForm],
  ['/chains', chains],
  ['/leads', leads],
  ['/arrivals', arrivals],
  ['/accountability', accountability],
  ['/facilities', facilities],
  ['/transfers', transfers],
  ['/zones', zones],
  ['/testing', testing],
  ['/rounds', rounds],
  ['/rounds/:id', roundDetail],
  ['/sampler', sampler],
  ['/flow', flow],
  ['/checkpoint', checkpoint],
  ['/code-overrides', codeOverrides],
  ['/notifications', notifications],
  ['/audit', audit],
].map(([pattern, view, isPublic]) => ({
  re: new RegExp(`^${pattern.replace(/:(\w+)/g, '(?<$1>\\d+)')}$`), view, isPublic: !!isPublic,
}));

const headerEl = document.getElementById('app-header');
const viewEl = document.getElementById('app-view');
let cleanup = null;

async function route() {
  const { path, query } = current();
  const r = ROUTES.find((x) => x.re.test(path));
  if (!r) return go('/');
  if (!r.isPublic && !token()) return go('/login');
  if (r.view === login && token()) return go('/');

  if (cleanup) { cleanup(); cleanup = null; }
  headerEl.hidden = false;
  renderHeader(headerEl, r.view.nav || '', route);
  // Each drawing gets its own root: a slow answer for a page already left lands in a
  // detached element and is never seen.
  const root = h('section', { class: 'view' });
  fill(viewEl, root);
  try {
    const done = await r.view.render(root, { params: { ...r.re.exec(path).groups }, query });
    if (typeof done === 'function') {
      if (root.isConnected) cleanup = done; else done();
    }
  } catch (err) {
    if (err.status === 401) return;
    root.prepend(h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'banner' },
      errorNodes(err.message || t('err.network'))));
  }
}

applyLang();
window.addEventListener('hashchange', route);
window.addEventListener('fk:route', route);
route();
