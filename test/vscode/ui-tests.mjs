// Browser UI tests: drive the real workbench the way a person does (command palette, status bar), in code-server.
// Notifications do not show as toasts in headless mode, so each test asserts on visible state: the status bar.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, T, LATEST, startCodeServer, workbenchUrl, launchBrowser, vscodeVersion } from './codeServer.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';
import { firstStartTests, flowTests } from './ui-flows.mjs';

export const FOCUS_START_TITLE = 'Flowbench: Start Focus Session';
export const FOCUS_STOP_TITLE = 'Flowbench: Stop Focus Session';
// mm:ss or h:mm:ss in the focus item.
export const COUNTDOWN = /\b\d{1,2}:\d{2}(:\d{2})?\b/;

/** Whether the quick input is really shown (its element laid out, not display:none). */
export function quickInputShown(page) {
  return page
    .evaluate(() => {
      const w = document.querySelector('.quick-input-widget');
      return !!w && w.style.display !== 'none' && w.offsetParent !== null;
    })
    .catch(() => false);
}

export async function openPalette(page) {
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('F1');
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      if (await quickInputShown(page)) return;
      await page.waitForTimeout(100);
    }
    // Some pages (the walkthrough) keep F1 to themselves: move the focus to the workbench and ask again.
    await page.keyboard.press('Escape');
    await page
      .locator('.statusbar')
      .click({ position: { x: 5, y: 5 } })
      .catch(() => {});
    await page.keyboard.press('Control+Shift+P');
    const until2 = Date.now() + 3_000;
    while (Date.now() < until2) {
      if (await quickInputShown(page)) return;
      await page.waitForTimeout(100);
    }
  }
  throw new Error('the command palette does not open');
}

export async function runFromPalette(page, title) {
  // The palette reads the command list when it opens: a command contributed a moment later is missing from that
  // list, so reopen it until the command shows (the extension host may still be starting).
  // VS Code 1.93's widget also holds a (hidden) "toggle all" checkbox input: match the text box only.
  const input = page.locator('.quick-input-widget input:not([type="checkbox"])');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  let index = -1;
  for (let attempt = 1; ; attempt++) {
    await openPalette(page);
    // A quick input that is closing (a prompt just answered) can pass for the palette for a moment: retry.
    const filled = await input
      .fill(`>${title}`, { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    const until = filled ? Date.now() + 5_000 : 0;
    while (Date.now() < until) {
      // The row whose label is the title (not merely contains it: "Start Focus Session in Zen Mode").
      const labels = await rows
        .evaluateAll((els) =>
          els.map((e) => (e.querySelector('.label-name')?.textContent ?? e.textContent ?? '').trim()),
        )
        .catch(() => []);
      index = labels.findIndex((l) => l === title);
      if (index < 0) index = labels.findIndex((l) => l.startsWith(title));
      if (index >= 0) break;
      await page.waitForTimeout(150);
    }
    if (index >= 0) break;
    if (attempt === 6) {
      fs.mkdirSync(path.join(T, 'screenshots'), { recursive: true });
      await page.screenshot({ path: path.join(T, 'screenshots', 'palette-failure.png') });
      throw new Error(`the palette does not list '${title}'`);
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  // The palette closes a moment after Enter: until it has, an Enter meant for the command's own prompt would land in
  // the palette (or, once it is gone, in the editor).
  await page.waitForFunction(
    (typed) => {
      const w = document.querySelector('.quick-input-widget');
      const box = w?.querySelector('input:not([type="checkbox"])');
      return !w || w.style.display === 'none' || w.offsetParent === null || box?.value !== typed;
    },
    `>${title}`,
    { timeout: 10_000 },
  );
}

/** Accepts each quick pick / input box the command opens with Enter (its defaults), up to `max` prompts. */
export async function acceptPrompts(page, max = 3) {
  const widget = page.locator('.quick-input-widget');
  for (let i = 0; i < max; i++) {
    try {
      await widget.waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      return;
    }
    await page.waitForTimeout(300);
    await page
      .locator('.quick-input-widget input:not([type="checkbox"])')
      .focus()
      .catch(() => {});
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
  }
}

export function focusItem(page) {
  return page.locator('.statusbar-item', { hasText: COUNTDOWN }).first();
}

/** Starts a focus session (from the palette, or with `start(page)`), reads the countdown, stops it again. */
export async function focusFromPalette(page, shotName, start = (p) => runFromPalette(p, FOCUS_START_TITLE)) {
  await page.locator('.statusbar').waitFor({ timeout: 60_000 });
  // The workbench needs a moment before the palette lists extension commands.
  await page.waitForTimeout(1_500);
  await start(page);
  await acceptPrompts(page);
  const item = focusItem(page);
  await item.waitFor({ timeout: 30_000 });
  const text = (await item.innerText()).trim();
  fs.mkdirSync(path.join(T, 'screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(T, 'screenshots', `${shotName}.png`) });
  await runFromPalette(page, FOCUS_STOP_TITLE);
  await acceptPrompts(page, 1);
  await page.waitForFunction(
    (src) => ![...document.querySelectorAll('.statusbar-item')].some((e) => new RegExp(src).test(e.textContent ?? '')),
    COUNTDOWN.source,
    { timeout: 20_000 },
  );
  return text;
}

/**
 * Opens a workspace file with Quick Open, typing its name (or `query`, e.g. its path, where an open page's title also
 * holds the name) only once the box is there (never into the editor).
 */
export async function openInEditor(page, name, query = name) {
  // In the first column (where the editor is; result pages open beside it), whichever column had the focus.
  await runFromPalette(page, 'View: Focus First Editor Group');
  await runFromPalette(page, 'Go to File');
  const input = page.locator('.quick-input-widget input:not([type="checkbox"])');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(query);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 20_000 });
  // The other columns closed, and the keyboard focus in this editor (not in a webview beside it).
  await runFromPalette(page, 'View: Close Editors in Other Groups');
  await runFromPalette(page, 'View: Focus Active Editor Group');
  await page.waitForTimeout(300);
}

/** The default chord, typed as a person types it: Ctrl+Alt+F, release, F — with the focus in an editor. */
async function startWithChord(page) {
  await page.keyboard.press('Escape');
  await runFromPalette(page, 'View: Focus Active Editor Group');
  await page.keyboard.press('Control+Alt+KeyF');
  await page.keyboard.press('KeyF');
}

/**
 * Runs one harness-level test and records it in `results`; `fn` may return a detail for the pass line. With `page`,
 * a failure leaves a screenshot of the workbench as it was (failure-<title>.png), and open prompts are dismissed so
 * the next test starts clean.
 */
export async function harnessTest(results, title, fn, page) {
  const started = Date.now();
  try {
    const detail = await fn();
    results.passed += 1;
    process.stdout.write(`  ✔ ${title}${detail ? `, ${detail}` : ''} (${Date.now() - started} ms)\n`);
  } catch (err) {
    results.failed += 1;
    let shotFile = '';
    if (page) {
      fs.mkdirSync(path.join(T, 'screenshots'), { recursive: true });
      shotFile = path.join(T, 'screenshots', `failure-${title.replace(/\W+/g, '-').slice(0, 60)}.png`);
      await page.screenshot({ path: shotFile }).catch(() => (shotFile = ''));
      for (let i = 0; i < 3; i++) await page.keyboard.press('Escape').catch(() => {});
    }
    results.failures.push({
      title,
      error: `${String(err?.stack ?? err)}${shotFile ? `\n(screenshot: ${shotFile})` : ''}`,
    });
    process.stdout.write(`  ✗ ${title}\n`);
  }
}

/** A Python with numpy (train.py needs it): the extension host's PATH may only find one without. */
export function pythonWithNumpy() {
  const candidates = [
    process.env.PYENV_ROOT ? path.join(process.env.PYENV_ROOT, 'shims', 'python3') : '',
    path.join(process.env.HOME ?? '', '.pyenv', 'shims', 'python3'),
    '/usr/local/bin/python3',
    '/usr/bin/python3',
  ].filter((c) => c && fs.existsSync(c));
  return candidates.find((c) => spawnSync(c, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0);
}

export async function uiTests(results, version = LATEST) {
  const workspace = prepareDemoWorkspace(path.join(T, 'ui', 'ws'));
  const python = pythonWithNumpy();
  // As `npm start` on a first start: train.py opens from the URL and Flowbench opens its walkthrough once.
  const server = await startCodeServer({
    name: 'ui',
    workspace,
    version,
    settings: {
      'workbench.welcomePage.walkthroughs.openOnInstall': true,
      // Zen mode keeps the status bar (and the DND bell) visible, and does not go full screen in headless Chromium.
      'zenMode.hideStatusBar': false,
      'zenMode.fullScreen': false,
      ...(python ? { 'flowbench.timing.pythonPath': python } : {}),
    },
  });
  const v = vscodeVersion(version);
  const browser = await launchBrowser(server.state);
  try {
    // A column beside the editor about 500 px wide: the pages must fit it.
    const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
    await page.goto(
      workbenchUrl(server.base, workspace, {
        extensionDevelopmentPath: ROOT,
        openFile: path.join(workspace, 'train.py'),
      }),
    );
    const ctx = { workspace, v, python };
    await firstStartTests(results, page, ctx);
    await harnessTest(
      results,
      'ui: the command palette starts a focus session and the status bar counts down',
      async () => {
        const text = await focusFromPalette(page, `ui-focus-${v}`);
        if (!COUNTDOWN.test(text)) throw new Error(`status bar item reads '${text}'`);
      },
      page,
    );
    await harnessTest(
      results,
      'ui: the Ctrl+Alt+F F chord in an editor starts a focus session',
      async () => {
        await openInEditor(page, 'train.py');
        const text = await focusFromPalette(page, `ui-chord-${v}`, startWithChord);
        if (!COUNTDOWN.test(text)) throw new Error(`status bar item reads '${text}'`);
      },
      page,
    );
    await flowTests(results, page, ctx);
  } finally {
    await browser.close().catch(() => {});
    server.stop();
  }
}
