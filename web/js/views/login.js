// views/login.js - sign in with username and password.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { signIn } from '../session.js';
import { field, banner, clearErrors, showError } from '../form.js';
import { go } from '../nav.js';

export const nav = '';

export function render(root) {
  const msg = banner();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'login-submit' }, t('login.submit'));
  const form = h('form', { class: 'card login', novalidate: true },
    h('h1', {}, t('app.title')),
    h('p', { class: 'muted' }, t('login.subtitle')),
    msg,
    field('username', 'login.username', h('input', { name: 'username', autocomplete: 'username', required: true })),
    field('password', 'login.password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('div', { class: 'actions' }, submit),
    // the public page of one's own health code needs no account
    h('p', { class: 'small' }, h('a', { href: '/code.html', 'data-testid': 'public-code-link' }, t('code.public_title')),
      ' · ', h('a', { href: '/risk-areas.html', 'data-testid': 'public-notice-link' }, t('notice.public_title'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    submit.disabled = true;
    try {
      const r = await post('/session', { username: form.username.value.trim(), password: form.password.value });
      signIn(r.token, r.user);
      go('/');
    } catch (err) {
      showError(form, msg, err);
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h('div', { class: 'login-wrap' }, form));
  form.username.focus();
}
