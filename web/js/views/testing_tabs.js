// views/testing_tabs.js - the tabs of mass testing under the menu's one 核酸检测 entry:
// coverage (核酸覆盖), rounds (核酸轮次), the sampler (采样) and the sample flow (样本流转),
// each shown to the roles that can use it (the server judges every request).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { can } from '../session.js';

const TABS = [
  // coverage: every role that reads persons (community workers follow up the untested)
  ['coverage', '#/testing', 'nav.coverage', () => can('testing') || can('person.read')],
  ['rounds', '#/rounds', 'nav.rounds', () => can('testing')],
  ['sampler', '#/sampler', 'nav.sampler', () => can('testing')],
  ['flow', '#/flow', 'nav.flow', () => can('testing') || can('lab')],
];

// The tab bar with `active` ('coverage', 'rounds', 'sampler' or 'flow') highlighted.
export function testingTabs(active) {
  return h('nav', { class: 'tabs', 'data-testid': 'testing-tabs' }, TABS.filter((x) => x[3]()).map(([key, url, label]) =>
    h('a', { href: url, 'data-testid': `tab-${key}`, class: key === active ? 'active' : null }, t(label))));
}

// The menu entry's target: the first tab the user may open.
export function testingHome() {
  return (TABS.find((x) => x[3]()) || TABS[0])[1];
}
