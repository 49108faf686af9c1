// Browser UI tests: drive the real workbench the way a person does (command palette, status bar), in code-server.
// Notifications do not show as toasts in headless mode, so each test asserts on visible state: the status bar.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, T, LATEST, startCodeServer, workbenchUrl, launchBrowser, vscodeVersion } from './codeServer.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';

export const FOCUS_START_TITLE = 'Flowbench: Start Focus Session';
export const FOCUS_STOP_TITLE = 'Flowbench: Stop Focus Session';
// mm:ss or h:mm:ss in the focus item.
export const COUNTDOWN = /\b\d{1,2}:\d{2}(:\d{2})?\b/;

export async function runFromPalette(page, title) {
  // The palette reads the command list when it opens: a command contributed a moment later is missing from that
  // list, so reopen it until the command shows (the extension host may still be starting).
  // VS Code 1.93's widget also holds a (hidden) "toggle all" checkbox input: match the text box only.
  const input = page.locator('.quick-input-widget input:not([type="checkbox"])');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt === 6) {
        fs.mkdirSync(path.join(T, 'screenshots'), { recursive: true });
        await page.screenshot({ path: path.join(T, 'screenshots', 'palette-failure.png') });
        throw err;
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
  await page.keyboard.press('Enter');
}

/** Accepts each quick pick / input box the command opens with Enter (its defaults), up to `max` prompts. */
export async function acceptPrompts(page, max = 3) {
  const widget = page.locator('.quick-input-widget');
  for (let i = 0; i < max; i++) {
    try {
      await widget.waitFor({ state: 'visible', timeout: 3_000 });
    } catch {
      return;
    }
    await page.waitForTimeout(300);
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

/** The default chord, typed as a person types it: Ctrl+Alt+F, release, F — with the focus in an editor. */
async function startWithChord(page) {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Alt+KeyF');
  await page.keyboard.press('KeyF');
}

/** Runs one harness-level test and records it in `results`; `fn` may return a detail for the pass line. */
export async function harnessTest(results, title, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    results.passed += 1;
    process.stdout.write(`  ✔ ${title}${detail ? `, ${detail}` : ''} (${Date.now() - started} ms)\n`);
  } catch (err) {
    results.failed += 1;
    results.failures.push({ title, error: String(err?.stack ?? err) });
    process.stdout.write(`  ✗ ${title}\n`);
  }
}

export async function uiTests(results, version = LATEST) {
  const workspace = prepareDemoWorkspace(path.join(T, 'ui', 'ws'));
  const server = await startCodeServer({ name: 'ui', workspace, version });
  const v = vscodeVersion(version);
  const browser = await launchBrowser(server.state);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(workbenchUrl(server.base, workspace, { extensionDevelopmentPath: ROOT }));
    await harnessTest(
      results,
      'ui: the command palette starts a focus session and the status bar counts down',
      async () => {
        const text = await focusFromPalette(page, `ui-focus-${v}`);
        if (!COUNTDOWN.test(text)) throw new Error(`status bar item reads '${text}'`);
      },
    );
    await harnessTest(results, 'ui: the Ctrl+Alt+F F chord in an editor starts a focus session', async () => {
      await runFromPalette(page, 'Go to File');
      await page.keyboard.type('train.py');
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 20_000 });
      const text = await focusFromPalette(page, `ui-chord-${v}`, startWithChord);
      if (!COUNTDOWN.test(text)) throw new Error(`status bar item reads '${text}'`);
    });
  } finally {
    await browser.close().catch(() => {});
    server.stop();
  }
}
