// dom.js - build elements without innerHTML, so data from the API is always text.
//
// h('a', { href: '#/x', class: 'link', 'data-testid': 'go', onclick: fn }, 'text', child)
// Attributes starting with "on" become listeners; value, checked, selected, disabled and
// hidden are set as properties; null, undefined and false children are skipped.
const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden']);

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Replace every child of el.
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// <select> from [[value, label], ...]; `value` preselects.
export function select(attrs, options, value) {
  const s = h('select', attrs, options.map(([v, label]) => h('option', { value: v }, label)));
  if (value !== undefined && value !== null) s.value = String(value);
  return s;
}
