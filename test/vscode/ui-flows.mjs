// Browser UI tests of whole flows on the demo workspace, each driven from the keyboard with Enter at every
// prompt, as a new user would: first start, the palette, split → evaluate, a second split, time → edit → time,
// A/B of dependent cells, a focus session in Zen mode, and a clean `git status` after a timing and an evaluation.
// Each takes screenshots into .vscode-test/screenshots/ (named after the flow and the VS Code version).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COUNTDOWN, focusItem, harnessTest, openInEditor, openPalette, runFromPalette } from './ui-tests.mjs';
import {
  assertStyled,
  bellState,
  clearNotifications,
  clickNotificationButton,
  enterThroughPrompts,
  goToLine,
  lensTexts,
  notification,
  promptState,
  quickInputBox,
  shot,
  waitForFile,
  waitForPrompt,
  webviewWith,
} from './flows.mjs';

const git = (ws, ...args) => execFileSync('git', args, { cwd: ws, encoding: 'utf8' });

function noSingleChoice(prompts, what) {
  const single = prompts.filter((p) => p.rows === 1);
  if (single.length) throw new Error(`${what}: a prompt offered a single answer: ${JSON.stringify(single)}`);
}

function lastJsonLine(file) {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  return JSON.parse(lines[lines.length - 1]);
}

async function waitForLens(page, re, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const texts = await lensTexts(page);
    const hit = texts.find((t) => re.test(t));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no lens matching ${re}; lenses: ${texts.join(' | ')}`);
    await page.waitForTimeout(250);
  }
}

/** train.py in the active editor with the keyboard focus in it. */
const focusTrainPy = (page) => openInEditor(page, 'train.py');

/** Tests that need the workbench as it first opens. */
export async function firstStartTests(results, page, { v }) {
  await harnessTest(
    results,
    'ui: the first start opens train.py with its lenses and the walkthrough beside it',
    async () => {
      await page.locator('.statusbar').waitFor({ timeout: 60_000 });
      await page.locator('.tab', { hasText: 'train.py' }).first().waitFor({ timeout: 30_000 });
      const walkthrough = page.locator('.tab', { hasText: /Welcome|Walkthrough|Get into flow/ }).first();
      await walkthrough.waitFor({ timeout: 30_000 });
      await page
        .locator('.getting-started-step', { hasText: 'Evaluate the baseline' })
        .first()
        .waitFor({ timeout: 20_000 });
      const lens = await waitForLens(page, /Time cell/);
      await shot(page, `first-start-${v}`);
      return `lens '${lens}'`;
    },
    page,
  );

  await harnessTest(
    results,
    'ui: typing "Flowbench: Show Log" in the palette puts Show Log first',
    async () => {
      // The palette lists extension commands a few seconds after the workbench shows.
      await runFromPalette(page, 'Flowbench: About');
      await page.waitForTimeout(500);
      const input = quickInputBox(page);
      await openPalette(page);
      await input.fill('>Flowbench: Show Log');
      const rows = page.locator('.quick-input-list .monaco-list-row');
      await rows.first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      const labels = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      await shot(page, `palette-show-log-${v}`);
      await page.keyboard.press('Escape');
      if (!/^Flowbench: Show Log( |$)/.test(labels[0]) || /Focus/.test(labels[0]))
        throw new Error(`first row: '${labels[0]}' (all: ${labels.join(' | ')})`);
      return labels.join(' | ');
    },
    page,
  );
}

/** The flows, in an order where each leaves what the next expects. */
export async function flowTests(results, page, { workspace: ws, v, python }) {
  const data = (f) => path.join(ws, 'data', f);

  await harnessTest(
    results,
    'ui: after a timing and an evaluation, `git status` is clean and nothing says +dirty',
    async () => {
      if (!python) throw new Error('no Python with numpy found for train.py');
      await focusTrainPy(page);
      await goToLine(page, 15); // cell 2: loads the CSV
      await runFromPalette(page, 'Flowbench: Time Cell (%timeit)');
      // While it runs, the lens says so.
      const running = await waitForLens(page, /Timing…/, 15_000).catch(() => undefined);
      if (running) await shot(page, `lens-timing-${v}`);
      await waitForLens(page, /±/);
      // One model and the split it was trained on: Evaluate asks nothing.
      await runFromPalette(page, 'Flowbench: Evaluate ONNX Model on Validation Split');
      const prompts = await enterThroughPrompts(page, { max: 3, quietMs: 2_500 });
      const { frame, text } = await webviewWith(page, 'split data/flowers.sholdout20-s42.folds.csv');
      await page.waitForTimeout(500);
      await shot(page, `eval-demo-${v}`);
      await assertStyled(
        frame,
        ['base.css', 'inference.css'],
        [
          ['table', 'border-collapse', 'collapse'],
          ['table.metrics th', 'padding-left', '4px'],
        ],
      );
      for (const want of [
        'balanced accuracy',
        'log loss (lower is better)',
        'macro F1',
        'validation',
        '30 validation rows',
      ])
        if (!text.includes(want)) throw new Error(`the evaluation page lacks '${want}':\n${text}`);
      if (/1\.0000\s+[\d.]+\s+0\.3333/.test(text)) throw new Error(`validation accuracy 1.0000: a leak?\n${text}`);
      const status = git(ws, 'status', '--porcelain', '--untracked-files=all');
      if (status.trim() !== '') throw new Error(`git status is not clean:\n${status}`);
      const timing = lastJsonLine(path.join(ws, '.flowbench', 'timings.jsonl'));
      const experiment = lastJsonLine(path.join(ws, '.flowbench', 'experiments.jsonl'));
      if (timing.git?.dirty !== false || experiment.git?.dirty !== false)
        throw new Error(
          `recorded as dirty: timing ${JSON.stringify(timing.git)}, eval ${JSON.stringify(experiment.git)}`,
        );
      return `${prompts.length} prompts; lens while timing: ${running ? `'${running}'` : 'not caught'}`;
    },
    page,
  );

  await harnessTest(
    results,
    'ui: the walkthrough ticks Evaluate once an evaluation has finished',
    async () => {
      await runFromPalette(page, 'Flowbench: Open the First-Run Walkthrough');
      const step = page.locator('.getting-started-step', { hasText: 'Evaluate the baseline' }).first();
      await step.waitFor({ timeout: 20_000 });
      await page.waitForTimeout(800);
      const done = await step.evaluate((el) => {
        const icon = el.querySelector('.codicon');
        return `${el.className} ${icon?.className ?? ''}`;
      });
      await shot(page, `walkthrough-${v}`);
      if (!/complete|pass-filled|checked/.test(done)) throw new Error(`the Evaluate step is not ticked: ${done}`);
      await page.keyboard.press('Control+w');
      return done;
    },
    page,
  );

  await harnessTest(
    results,
    'ui: time → edit → time shows the change in the lens and the same change in the history',
    async () => {
      await focusTrainPy(page);
      await goToLine(page, 24); // cell 3: standardises the features
      await runFromPalette(page, 'Flowbench: Time Cell (%timeit)');
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('.codelens-decoration a')].filter((a) => /±/.test(a.textContent)).length >= 2,
        null,
        { timeout: 60_000 },
      );
      // The edit: something much slower in the same cell.
      await goToLine(page, 24);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('_ = sorted(range(100000), key=lambda i: -i)');
      await page.keyboard.press('Escape');
      await runFromPalette(page, 'Flowbench: Time Cell (%timeit)');
      const lens = await waitForLens(page, /±.*·/, 90_000);
      await shot(page, `lens-change-${v}`);
      const lensChange = lens.split('·').pop().trim();
      await runFromPalette(page, 'Flowbench: Show Timing History');
      const { frame, text } = await webviewWith(page, 'Timing history');
      await page.waitForTimeout(800);
      await shot(page, `history-${v}`);
      await assertStyled(
        frame,
        ['base.css', 'timingHistory.css'],
        [
          ['.chartbox', 'overflow-x', 'auto'],
          ['section.cell', 'max-width', '520px'],
        ],
      );
      const card = text.split(/\n(?=train\.py)/).find((c) => /cell 3, line 21/.test(c));
      if (!card) throw new Error(`no card for cell 3:\n${text}`);
      if (!card.includes(lensChange)) throw new Error(`the lens says '${lensChange}', the history card:\n${card}`);
      if (!/2 timings/.test(card)) throw new Error(`the edited cell is not one history of 2 timings:\n${card}`);
      if ((text.match(/cell 3, line 21/g) ?? []).length !== 1) throw new Error(`cell 3 appears twice:\n${text}`);
      // Back to the committed train.py: undo the edit and save (the web workbench may have saved it already).
      await focusTrainPy(page);
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press('Control+z');
        await page.keyboard.press('Control+s');
        await page.waitForTimeout(400);
        if (git(ws, 'status', '--porcelain', 'train.py').trim() === '') break;
      }
      if (git(ws, 'status', '--porcelain', 'train.py').trim() !== '') throw new Error('could not undo the edit');
      return `lens and history: ${lensChange}`;
    },
    page,
  );

  await harnessTest(
    results,
    'ui: A/B of two dependent cells (B uses what A defines) gives a ratio',
    async () => {
      await focusTrainPy(page);
      await goToLine(page, 15); // A = cell 2 defines X; cell 3 uses it
      await runFromPalette(page, 'Flowbench: Compare Two Cells (A/B timing)');
      const p = await waitForPrompt(page, /Compare cell 2 \(A\)/);
      if (!/^cell 3(?!\d)/.test(p.first)) throw new Error(`B offered first: '${p.first}'`);
      await page.keyboard.press('Enter');
      const { text } = await notification(page, /Flowbench A\/B: B\/A = \d/, { timeout: 90_000 });
      await shot(page, `ab-${v}`);
      if (!/cell 3 is [\d.]+× (slower|faster) than cell 2/.test(text)) throw new Error(text);
      if (/NameError/.test(text)) throw new Error(text);
      await clearNotifications(page);
      return text.slice(0, 120);
    },
    page,
  );

  await harnessTest(
    results,
    'ui: a split with Enter at every prompt, then Evaluate from its message, shows metrics',
    async () => {
      await runFromPalette(page, 'Flowbench: Create Validation Split');
      const prompts = await enterThroughPrompts(page, { max: 6, shotPrefix: `split-${v}` });
      noSingleChoice(prompts, 'split');
      if (prompts.some((p) => /seed/i.test(p.title)))
        throw new Error(`a time-series split asked for a seed: ${JSON.stringify(prompts)}`);
      await waitForFile(data('flowers.ts5.folds.csv'));
      const report = await webviewWith(page, 'Fold sizes');
      await page.waitForTimeout(500);
      await shot(page, `split-report-${v}`);
      await assertStyled(
        report.frame,
        ['base.css', 'splitReport.css'],
        [
          ['table', 'border-collapse', 'collapse'],
          ['.swatch.train-key', 'background-color', 'rgb(78, 121, 167)'],
        ],
      );
      // Its script runs: the button posts to the extension, which copies the snippet and says so.
      await report.frame.locator('button#copy').click();
      await notification(page, /Python snippet copied/);
      if (report.text.includes(ws)) throw new Error('the report shows absolute paths');
      if (!report.text.includes('data/flowers.csv')) throw new Error(`the report does not name data/flowers.csv`);
      await clickNotificationButton(page, /split of 150 rows written to flowers\.ts5\.folds\.csv/, 'Evaluate Model');
      // The time-series manifest names no target: the one prompt left offers the label column first.
      const asked = await enterThroughPrompts(page, { max: 3 });
      if (asked.length !== 1 || !/^species/.test(asked[0].first)) throw new Error(`prompts: ${JSON.stringify(asked)}`);
      const { text } = await webviewWith(page, 'split data/flowers.ts5.folds.csv');
      await page.waitForTimeout(500);
      await shot(page, `eval-ts5-${v}`);
      if (!/accuracy/.test(text)) throw new Error(text);
      if (!/validation rows are train rows of flowers\.sholdout20-s42\.folds\.csv/.test(text))
        throw new Error(`no warning that the model saw these validation rows:\n${text}`);
      await clearNotifications(page);
      return prompts.map((p) => p.title.replace(/^Create Validation Split/, '').trim()).join(', ');
    },
    page,
  );

  await harnessTest(
    results,
    'ui: a second split does not silently replace the first',
    async () => {
      const first = data('flowers.ts5.folds.csv');
      const before = fs.readFileSync(`${first}.json`, 'utf8');
      await runFromPalette(page, 'Flowbench: Create Validation Split');
      await enterThroughPrompts(page, { max: 4 });
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 20_000 });
      const said = (await dialog.innerText()).replace(/\s+/g, ' ');
      await shot(page, `split-exists-${v}`);
      if (!/flowers\.ts5\.folds\.csv already exists/.test(said)) throw new Error(said);
      await page.keyboard.press('Enter'); // the default: Keep Both
      await waitForFile(data('flowers.ts5-2.folds.csv'));
      if (fs.readFileSync(`${first}.json`, 'utf8') !== before) throw new Error('the first split was replaced');
      // Another strategy gets another name.
      await runFromPalette(page, 'Flowbench: Create Validation Split');
      await waitForPrompt(page, /strategy/);
      await quickInputBox(page).fill('Stratified k-fold');
      await page.waitForTimeout(400);
      const s = await promptState(page);
      if (!/^Stratified k-fold/.test(s.first)) throw new Error(`filtered to '${s.first}'`);
      await page.keyboard.press('Enter');
      const prompts = await enterThroughPrompts(page, { max: 6 });
      noSingleChoice(prompts, 'stratified k-fold');
      if (!prompts.some((p) => /order/.test(p.title)))
        throw new Error(`k-fold did not ask whether to shuffle: ${JSON.stringify(prompts)}`);
      await waitForFile(data('flowers.skfold5-s42.folds.csv'));
      return `dialog: ${said.slice(0, 100)}`;
    },
    page,
  );

  await harnessTest(
    results,
    'ui: Run shows class names, Benchmark a latency chart, in the side column',
    async () => {
      await runFromPalette(page, 'Flowbench: Run ONNX Model (Baseline)');
      const asked = await enterThroughPrompts(page, { max: 2 });
      if (asked.length !== 1 || !/flowers\.csv/.test(asked[0].first)) throw new Error(JSON.stringify(asked));
      const run = await webviewWith(page, 'Predictions:');
      await page.waitForTimeout(500);
      await shot(page, `run-${v}`);
      if (!/150 rows/.test(run.text) || !/setosa/.test(run.text) || !/probabilities \(virginica\)/.test(run.text))
        throw new Error(run.text);
      await runFromPalette(page, 'Flowbench: Benchmark ONNX Model');
      await enterThroughPrompts(page, { max: 2 });
      const bench = await webviewWith(page, 'Benchmark:', 90_000);
      await page.waitForTimeout(500);
      await shot(page, `bench-${v}`);
      if (/0\.000\b/.test(bench.text.match(/compute at p50.*/)?.[0] ?? '')) throw new Error(bench.text);
      if (!/FLOP\/s/.test(bench.text)) throw new Error(bench.text);
      const chart = await bench.frame.locator('svg.chart[aria-label^="Latency"]').count();
      if (chart !== 1) throw new Error('no latency chart');
      await assertStyled(bench.frame, ['base.css', 'inference.css'], [['svg.chart', 'max-width', '560px']]);
    },
    page,
  );

  await harnessTest(
    results,
    'ui: the model inspector is styled and sorts its tables by a clicked header',
    async () => {
      // The result pages beside are titled after the model too: close them, and open the file by its path.
      await runFromPalette(page, 'View: Focus First Editor Group');
      await runFromPalette(page, 'View: Close Editors in Other Groups');
      await openInEditor(page, 'baseline.onnx', 'models/baseline.onnx');
      const { frame } = await webviewWith(page, 'Operators');
      await assertStyled(frame, ['base.css', 'inference.css'], [['table.sortable th', 'cursor', 'pointer']]);
      const order = () =>
        frame.locator('#nodes tbody tr').evaluateAll((rows) => rows.map((r) => r.cells[0].textContent.trim()));
      const before = await order();
      if (before.join() !== '0,1,2') throw new Error(`the nodes table starts as ${before}`);
      const index = frame.locator('#nodes thead th').first();
      await index.click();
      const down = await order();
      await shot(page, `inspector-sorted-${v}`);
      if (down.join() !== '2,1,0') throw new Error(`after one click on '#': ${down}`);
      if ((await index.getAttribute('aria-sort')) !== 'descending') throw new Error('the header does not say so');
      await index.click();
      const up = await order();
      if (up.join() !== '0,1,2') throw new Error(`after a second click: ${up}`);
      // The keyboard focus is in the page now: close it, so the next flow starts from train.py.
      await runFromPalette(page, 'View: Close Editor');
      return `${down} then ${up}`;
    },
    page,
  );

  await harnessTest(
    results,
    'ui: a focus session started in Zen mode keeps notifications silenced',
    async () => {
      await focusTrainPy(page);
      await runFromPalette(page, 'View: Toggle Zen Mode');
      await page.waitForTimeout(1_000);
      const inZen = await bellState(page);
      await shot(page, `zen-before-${v}`);
      if (inZen !== 'dnd') throw new Error(`Zen mode did not silence notifications (bell: ${inZen})`);
      // The chord, from the editor: in Zen its keybinding starts the session in Zen.
      await runFromPalette(page, 'View: Focus Active Editor Group');
      await page.keyboard.press('Control+Alt+KeyF');
      await page.keyboard.press('KeyF');
      await waitForPrompt(page, /Start Focus Session/);
      await page.keyboard.press('Enter');
      await focusItem(page).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(1_000);
      const during = await bellState(page);
      await shot(page, `zen-focus-${v}`);
      if (during !== 'dnd') throw new Error(`the session turned Do Not Disturb off in Zen (bell: ${during})`);
      // The palette in Zen offers the Zen session.
      const input = quickInputBox(page);
      await openPalette(page);
      await input.fill('>Flowbench: Start Focus Session');
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
      await page.waitForTimeout(300);
      const firstRow = (await promptState(page)).first;
      await page.keyboard.press('Escape');
      if (!/in Zen Mode/.test(firstRow)) throw new Error(`in Zen the palette offers '${firstRow}' first`);
      // Stop: the outcome is asked at once.
      await runFromPalette(page, 'Flowbench: Stop Focus Session');
      await waitForPrompt(page, /Outcome/);
      await page.keyboard.type('zen flow works');
      await shot(page, `zen-stop-${v}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        (src) =>
          ![...document.querySelectorAll('.statusbar-item')].some((e) => new RegExp(src).test(e.textContent ?? '')),
        COUNTDOWN.source,
        { timeout: 20_000 },
      );
      await page.waitForTimeout(1_000);
      const after = await bellState(page);
      await shot(page, `zen-after-${v}`);
      if (after !== 'on') throw new Error(`after the session (and Zen), the bell reads ${after}`);
      const log = fs.readFileSync(path.join(ws, '.flowbench', 'focus.jsonl'), 'utf8');
      if (!/"outcome":"zen flow works"/.test(log)) throw new Error(`outcome not logged:\n${log}`);
      // Typed into the outcome box, not into the code (leaving Zen moves the focus to the editor).
      if (git(ws, 'status', '--porcelain', 'train.py').trim() !== '') throw new Error('the outcome went into train.py');
    },
    page,
  );

  await harnessTest(
    results,
    'ui: the focus log page has a y axis in minutes and fits the column',
    async () => {
      await runFromPalette(page, 'Flowbench: Show Log of Focus Sessions');
      const { frame, text } = await webviewWith(page, 'Focus log');
      await page.waitForTimeout(500);
      await shot(page, `focus-log-${v}`);
      await assertStyled(
        frame,
        ['base.css', 'focusLog.css'],
        [
          ['table', 'border-collapse', 'collapse'],
          ['.totals', 'display', 'flex'],
        ],
      );
      if ((await frame.locator('svg.chart text.unit').textContent()) !== 'min') throw new Error(text);
      const overflow = await frame.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      if (overflow > 2) throw new Error(`the page is ${overflow} px wider than its column`);
    },
    page,
  );
}
