// Helpers for the browser UI tests of whole flows (ui-tests.mjs): quick inputs answered as a person answers them,
// webview pages and notifications read as a person reads them, screenshots kept for looking at.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { T } from './codeServer.mjs';

export const SHOTS = path.join(T, 'screenshots');

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** 1.93's quick input also holds a hidden "toggle all" checkbox input: the text box only. */
export const quickInputBox = (page) => page.locator('.quick-input-widget input:not([type="checkbox"])');

/** A quick input is open that asks something: not the command palette (whose text starts with '>'). */
async function widgetVisible(page) {
  return page
    .evaluate(() => {
      const w = document.querySelector('.quick-input-widget');
      if (!w || w.style.display === 'none' || w.offsetParent === null) return false;
      const box = w.querySelector('input:not([type="checkbox"])');
      return !(box && box.value.startsWith('>'));
    })
    .catch(() => false);
}

/** The open quick input: its title, the rows a quick pick offers (0 for an input box) and the first row's text. */
export async function promptState(page) {
  const widget = page.locator('.quick-input-widget');
  const title = (
    (await widget
      .locator('.quick-input-title')
      .innerText()
      .catch(() => '')) || ''
  ).trim();
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  const listVisible = await widget
    .locator('.quick-input-list')
    .isVisible()
    .catch(() => false);
  const n = listVisible ? await rows.count() : 0;
  const first = n
    ? (
        (await rows
          .first()
          .innerText()
          .catch(() => '')) || ''
      )
        .replace(/\s+/g, ' ')
        .trim()
    : '';
  return { title, rows: n, first };
}

/**
 * Answers every quick input the flow opens with Enter (its default), until none opens for `quietMs`; returns what
 * each looked like, so a test can check that no prompt offered a single possible answer.
 */
export async function enterThroughPrompts(page, { max = 8, quietMs = 4_000, shotPrefix } = {}) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    const deadline = Date.now() + quietMs;
    while (!(await widgetVisible(page)) && Date.now() < deadline) await page.waitForTimeout(150);
    if (!(await widgetVisible(page))) break;
    await page.waitForTimeout(400); // the items arrive a moment after the widget
    const s = await promptState(page);
    seen.push(s);
    if (shotPrefix) await shot(page, `${shotPrefix}-prompt${i + 1}`);
    // The keys must reach the prompt, wherever the focus went meanwhile (a webview that opened beside).
    await quickInputBox(page)
      .focus()
      .catch(() => {});
    await page.keyboard.press('Enter');
    // The widget hides, or shows the next question (a new title).
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      if (!(await widgetVisible(page))) break;
      const now = await promptState(page);
      if (now.title !== s.title || now.first !== s.first) break;
      await page.waitForTimeout(100);
    }
  }
  return seen;
}

/** Waits for a quick input whose title matches `re`. */
export async function waitForPrompt(page, re, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await widgetVisible(page)) {
      const s = await promptState(page);
      if (re.test(s.title) || re.test(s.first)) return s;
    }
    if (Date.now() > deadline)
      throw new Error(`no prompt matching ${re} (last: ${JSON.stringify(await promptState(page))})`);
    await page.waitForTimeout(150);
  }
}

/** The frame of a webview page whose text contains `text` (webviews are nested iframes), waiting for it. */
export async function webviewWith(page, text, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      // The workbench itself shows the page's title on its tab: only the webviews' own frames count.
      if (f === page.mainFrame()) continue;
      const body = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (body.includes(text)) return { frame: f, text: body };
    }
    if (Date.now() > deadline) throw new Error(`no webview shows '${text}'`);
    await page.waitForTimeout(250);
  }
}

/**
 * Throws unless the webview page in `frame` loaded the stylesheets `sheets` (file names in media/webview/, in order)
 * and each [selector, property, value] holds in its computed style: a page whose CSS did not load (a CSP or a
 * localResourceRoots that refuses it) fails here instead of merely looking unstyled.
 */
export async function assertStyled(frame, sheets, checks) {
  const got = await frame.evaluate(
    ([list]) => ({
      sheets: [...document.styleSheets]
        .map((s) => (s.href ?? '').split('?')[0].split('/').pop())
        .filter((name) => name),
      values: list.map(([sel, prop]) => {
        const el = document.querySelector(sel);
        return el ? window.getComputedStyle(el).getPropertyValue(prop) : `(no ${sel})`;
      }),
    }),
    [checks],
  );
  if (JSON.stringify(got.sheets) !== JSON.stringify(sheets))
    throw new Error(`the page loaded the stylesheets ${JSON.stringify(got.sheets)}, not ${JSON.stringify(sheets)}`);
  checks.forEach(([sel, prop, want], i) => {
    if (got.values[i] !== want) throw new Error(`${sel} { ${prop} } is '${got.values[i]}', not '${want}': unstyled?`);
  });
  return got.sheets.join(', ');
}

/**
 * A notification whose text matches `re`: a toast, else in the notification center (opened for it). Returns the
 * item locator; `button` clicks one of its buttons.
 */
export async function notification(page, re, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  // Headless Chromium may show no toasts: after a moment, read the notification center instead.
  const openAt = Date.now() + 3_000;
  let opened = false;
  for (;;) {
    const items = page.locator('.notification-list-item');
    const n = await items.count();
    for (let i = 0; i < n; i++) {
      const item = items.nth(i);
      const text = ((await item.innerText().catch(() => '')) || '').replace(/\s+/g, ' ');
      if (re.test(text) && (await item.isVisible().catch(() => false))) return { item, text };
    }
    if (!opened && Date.now() > openAt) {
      await runCommandById(page, 'notifications.showList');
      opened = true;
    }
    if (Date.now() > deadline) throw new Error(`no notification matching ${re}`);
    await page.waitForTimeout(250);
  }
}

export async function clickNotificationButton(page, re, label) {
  const { item } = await notification(page, re);
  await item.hover().catch(() => {});
  await item.locator('.monaco-button', { hasText: label }).first().click();
}

/** Clears every notification (and closes the notification center), so it covers nothing in the next screenshot. */
export async function clearNotifications(page) {
  const { runFromPalette } = await import('./ui-tests.mjs');
  await runFromPalette(page, 'Notifications: Clear All Notifications');
}

/** Runs a command by its palette title without waiting for its row (for VS Code's own commands). */
async function runCommandById(page, id) {
  const titles = { 'notifications.showList': 'Notifications: Show Notifications' };
  const input = quickInputBox(page);
  const { openPalette } = await import('./ui-tests.mjs');
  await openPalette(page);
  await input.fill(`>${titles[id]}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: titles[id] }).first().waitFor({ timeout: 5_000 });
  await page.keyboard.press('Enter');
}

/** The Do Not Disturb bell in the status bar: 'dnd' when it shows the slashed bell. */
export async function bellState(page) {
  const icon = page.locator('[id="status.notifications"] .codicon').first();
  await icon.waitFor({ timeout: 10_000 });
  const cls = (await icon.getAttribute('class')) ?? '';
  return /bell-slash/.test(cls) ? 'dnd' : 'on';
}

/** The code lens texts of the visible editor (codicons render as icons, so only their text shows). */
export async function lensTexts(page) {
  return (await page.locator('.codelens-decoration a').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Moves the cursor of the focused editor to a 1-based line. */
export async function goToLine(page, line) {
  await page.keyboard.press('Control+g');
  const input = quickInputBox(page);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}`);
  await page.waitForTimeout(200);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
}

export function waitForFile(file, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (fs.existsSync(file)) return resolve(file);
      if (Date.now() > deadline) return reject(new Error(`${file} was not written`));
      setTimeout(tick, 200);
    };
    tick();
  });
}
