// views/case_detail.js - one case, its status history, buttons for the next status, and
// for tracing roles the contact tracing card (case_contacts.js) and a link to its chains.
//
// NEXT mirrors the status machine in src/model/epicase.h only to offer buttons; the
// server refuses a move it does not allow (409) and its message is shown.
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import { get, post } from '../api.js';
import { can } from '../session.js';
import { instant } from '../format.js';
import { banner, showBanner } from '../form.js';
import { areaLabel } from '../areas.js';
import { go, href } from '../nav.js';
import { facts } from './person_detail.js';
import { statusBadge } from './cases.js';
import { contactsCard } from './case_contacts.js';

export const nav = 'cases';

const NEXT = {
  reported: ['transferred', 'died'],
  transferred: ['hospitalized', 'died'],
  hospitalized: ['discharged', 'died'],
};

function timeline(items) {
  return h('ol', { class: 'timeline', 'data-testid': 'timeline' }, items.map((x) => h('li', {},
    h('div', { class: 'when' }, instant(x.at)),
    h('div', {}, x.from_status ? [statusBadge(x.from_status), ' → '] : null, statusBadge(x.to_status)),
    h('div', { class: 'muted small' }, x.actor, x.note ? ` · ${x.note}` : ''))));
}

export async function render(root, { params }) {
  const id = params.id;
  const [c, tr] = await Promise.all([get(`/cases/${id}`), get(`/cases/${id}/transitions`)]);
  const msg = banner();
  root.append(h('div', { class: 'page-head' },
    h('h1', { 'data-testid': 'case-title' }, t('case.number', { n: c.number }), ' ', statusBadge(c.status)),
    h('div', { class: 'actions' },
      h('a', { class: 'btn', href: '#/cases' }, t('common.back')),
      can('trace') ? h('a', { class: 'btn', href: href('/chains', { case: id }), 'data-testid': 'case-chains' }, t('case.chains')) : null,
      can('cases.write') ? h('a', { class: 'btn', href: `#/cases/${id}/edit`, 'data-testid': 'case-edit' }, t('common.edit')) : null)),
  msg);
  root.append(h('div', { class: 'columns' },
    h('div', { class: 'card' }, facts([
      ['f.person', h('a', { href: href(`/persons/${c.person_id}`) }, c.person_name)],
      ['f.classification', label('classification', c.classification)],
      ['f.severity', label('severity', c.severity)],
      ['f.status', statusBadge(c.status)],
      ['f.reported_at', instant(c.reported_at)],
      ['f.sampling_date', c.sampling_date],
      ['f.onset_date', c.onset_date],
      ['f.source', label('source', c.source)],
      ['f.hospital', c.hospital],
      ['f.community_code', c.community_code ? areaLabel(c.community_code) : ''],
      ['f.updated_at', instant(c.updated_at)],
    ])),
    h('div', { class: 'card' }, h('h2', {}, t('case.timeline')), timeline(tr.items || []),
      can('cases.transition') ? nextBox(c, msg) : null)));
  if (!can('trace')) return undefined;
  const card = contactsCard(c);
  root.append(card.el);
  return card.dispose;
}

function nextBox(c, msg) {
  const next = NEXT[c.status] || [];
  if (!next.length) return h('p', { class: 'muted' }, t('case.no_next'));
  const note = h('input', { name: 'note', 'data-testid': 'transition-note', placeholder: t('f.note'), 'aria-label': t('f.note') });
  const buttons = next.map((s) => h('button', {
    type: 'button', class: s === 'died' ? 'btn btn-danger' : 'btn btn-primary', 'data-testid': `to-${s}`,
    onclick: async (e) => {
      e.target.disabled = true;
      try {
        await post(`/cases/${c.id}/transitions`, { to: s, note: note.value.trim() });
        go(`/cases/${c.id}`);
      } catch (err) {
        showBanner(msg, err.message);
        e.target.disabled = false;
      }
    },
  }, t('case.to', { s: label('status', s) })));
  return h('div', { class: 'next' }, h('h3', {}, t('case.next')), note, h('div', { class: 'actions' }, buttons));
}
