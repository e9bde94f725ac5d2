// browser.mjs - Debian's Chromium for the browser tests, through playwright-core.
//
// openBrowser(t, viewport) starts a fresh Chromium with its own empty profile, closed and
// removed when test t ends, and answers { page, errors }: page errors and console errors
// (but the 4xx answers a test provokes on purpose) are collected, not ignored.
// logIn(page, url, username) signs in through the login page and waits for the overview.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DEMO_PASSWORD } from './server.mjs';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function openBrowser(t, viewport = { width: 1280, height: 900 }) {
  const profile = mkdtempSync(path.join(tmpdir(), 'fangkong-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport,
  });
  t.after(async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`console: ${m.text()}`); });
  return { page, errors };
}

export async function logIn(page, url, username, password = DEMO_PASSWORD) {
  await page.goto(`${url}/#/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('tile-persons').waitFor();
}
