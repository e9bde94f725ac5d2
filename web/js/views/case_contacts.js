// views/case_contacts.js - the case page's contact discovery card: a window (defaults:
// 14 days before the report to one day after), a button, and the companions found with
// their evidence. The server applies the policy's rule; this only shows what it found.
import { h, fill } from '../dom.js';
import { t } from '../i18n.js';
import { get } from '../api.js';
import { instant, toLocalInput, fromLocalInput } from '../format.js';
import { banner, showBanner } from '../form.js';

const DAY = 86400000;

function table(items) {
  if (!items.length) return h('p', { class: 'muted', 'data-testid': 'contacts-none' }, t('case.contacts_none'));
  return h('table', { class: 'table', 'data-testid': 'contacts' },
    h('thead', {}, h('tr', {}, ['contact.subject', 'contact.place', 'contact.start', 'contact.overlap']
      .map((k) => h('th', {}, t(k))))),
    h('tbody', {}, items.map((x) => h('tr', {},
      h('td', {}, x.contact), h('td', {}, x.place), h('td', {}, instant(x.start)),
      h('td', {}, String(Math.round(x.overlap_seconds / 60)))))));
}

export function contactsCard(c) {
  const reported = new Date(c.reported_at).getTime();
  const from = h('input', { type: 'datetime-local', name: 'from', 'data-testid': 'contacts-from',
    value: toLocalInput(new Date(reported - 14 * DAY).toISOString()) });
  const to = h('input', { type: 'datetime-local', name: 'to', 'data-testid': 'contacts-to',
    value: toLocalInput(new Date(reported + DAY).toISOString()) });
  const out = h('div', {});
  const msg = banner();
  const run = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'contacts-run',
    onclick: async () => {
      run.disabled = true;
      msg.hidden = true;
      try {
        const r = await get(`/cases/${c.id}/contacts`, { from: fromLocalInput(from.value), to: fromLocalInput(to.value) });
        fill(out, table(r.items || []));
      } catch (err) {
        showBanner(msg, err.message);
      }
      run.disabled = false;
    } }, t('case.contacts_run'));
  return h('div', { class: 'card', 'data-testid': 'contacts-card' },
    h('h2', {}, t('case.contacts')),
    h('p', { class: 'muted small' }, t('case.contacts_hint')),
    h('div', { class: 'actions' }, from, to, run), msg, out);
}
