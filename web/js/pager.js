// pager.js - "N in all, page x of y" with previous / next.
import { h } from './dom.js';
import { t } from './i18n.js';

export function pager({ total, limit, offset, go }) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  return h('div', { class: 'pager' },
    h('span', { 'data-testid': 'total' }, t('common.total', { n: total })),
    h('span', {}, t('common.page', { p: page, pages })),
    h('button', { type: 'button', class: 'btn', 'data-testid': 'page-prev', disabled: page <= 1,
      onclick: () => go(Math.max(0, offset - limit)) }, t('common.prev')),
    h('button', { type: 'button', class: 'btn', 'data-testid': 'page-next', disabled: page >= pages,
      onclick: () => go(offset + limit) }, t('common.next')));
}
