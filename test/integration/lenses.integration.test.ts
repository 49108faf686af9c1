import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasCode, parseCells } from '../../src/python/cells';

/**
 * Training-script lenses in a real VS Code on the demo workspace: what vscode.executeCodeLensProvider returns for
 * train.py (lines, titles, commands, prefilled arguments), the settings that turn them off, refresh on edit and on a
 * new timing, and each lens's command run with the lens's own arguments.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function root(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the demo workspace is open');
  return folder.uri.fsPath;
}

async function flowbenchLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses =
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return lenses.filter((l) => l.command?.command.startsWith('flowbench.'));
}

/** Polls the lenses until `ok` holds (settings, edits and history changes reach the provider asynchronously). */
async function lensesUntil(
  uri: vscode.Uri,
  ok: (l: vscode.CodeLens[]) => boolean,
  what: string,
  ms = 8000,
): Promise<vscode.CodeLens[]> {
  const deadline = Date.now() + ms;
  let last: vscode.CodeLens[] = [];
  while (Date.now() < deadline) {
    last = await flowbenchLenses(uri);
    if (ok(last)) return last;
    await sleep(150);
  }
  assert.fail(`${what}: lenses were ${JSON.stringify(last.map((l) => [l.range.start.line, l.command?.title]))}`);
}

function lineOf(doc: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  assert.fail(`train.py contains ${needle}`);
}

const argsOf = (l: vscode.CodeLens) => (l.command?.arguments?.[0] ?? {}) as Record<string, unknown>;
const summary = (ls: vscode.CodeLens[]) => ls.map((l) => [l.range.start.line, l.command!.title, l.command!.command]);

/**
 * A python3 with numpy, which train.py's cells import. The extension host's PATH comes from a login shell and may
 * miss it (pyenv shims), as timing.test.ts explains; the timing command takes the interpreter as `python`.
 */
function pythonWithNumpy(): string | undefined {
  const pyenv = process.env.PYENV_ROOT ? path.join(process.env.PYENV_ROOT, 'shims', 'python3') : '';
  return ['python3', pyenv, '/usr/local/bin/python3'].filter(
    (c) => c && spawnSync(c, ['-c', 'import numpy']).status === 0,
  )[0];
}

async function assertRegistered(id: string): Promise<void> {
  const all = await vscode.commands.getCommands(true);
  assert.ok(all.includes(id), `${id} is registered`);
}

describe('Flowbench training-script lenses', function () {
  this.timeout(120_000);
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;
  const config = () => vscode.workspace.getConfiguration('flowbench');

  before(async () => {
    await vscode.extensions.getExtension('flowbench.flowbench')!.activate();
    uri = vscode.Uri.file(path.join(root(), 'train.py'));
    doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
  });

  afterEach(async () => {
    for (const key of ['lenses.enabled', 'lenses.timeCell', 'lenses.splits', 'lenses.onnx', 'lenses.focus']) {
      await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
      await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows each lens on the right line of train.py with the right command and prefilled arguments', async () => {
    const lenses = await lensesUntil(uri, (l) => l.length > 0, 'lenses appear');
    const cells = parseCells(doc.getText());
    const codeCells = cells.filter((c) => c.kind === 'code' && hasCode(c.source));
    const dataLine = lineOf(doc, 'train_test_split(X, y');
    const modelLine = lineOf(doc, 'BASELINE_MODEL = ');
    const expected = [
      ...codeCells.map((c) => [c.startLine, '$(watch) Time cell', 'flowbench.timing.timeCell']),
      [lineOf(doc, 'def train('), 'Start focus session', 'flowbench.focus.start'],
      [lineOf(doc, 'if __name__ == "__main__"'), 'Start focus session', 'flowbench.focus.start'],
      [dataLine, 'Set up validation split…', 'flowbench.split.create'],
      [modelLine, 'Run baseline', 'flowbench.onnx.run'],
      [modelLine, 'Benchmark', 'flowbench.onnx.bench'],
      [modelLine, 'Evaluate', 'flowbench.onnx.eval'],
    ];
    const key = (x: unknown[]) => `${String(x[0]).padStart(4, '0')} ${x[2]} ${x[1]}`;
    assert.deepEqual(summary(lenses).map(key).sort(), expected.map(key).sort());
    assert.ok(
      !lenses.some((l) => l.range.start.line === cells.find((c) => c.kind === 'markdown')!.startLine),
      'no lens on the markdown cell',
    );

    for (const l of lenses.filter((x) => x.command!.command === 'flowbench.timing.timeCell')) {
      const cell = codeCells.find((c) => c.startLine === l.range.start.line)!;
      assert.deepEqual(argsOf(l), { file: uri.fsPath, cell: cell.number });
    }
    const split = lenses.find((l) => l.command!.command === 'flowbench.split.create')!;
    assert.deepEqual(argsOf(split), {
      strategy: 'holdout',
      seed: 42,
      testSize: 0.2,
      file: path.join(root(), 'data', 'flowers.csv'),
    });
    for (const l of lenses.filter((x) => x.command!.command.startsWith('flowbench.onnx.'))) {
      const expected: Record<string, unknown> = { model: path.join(root(), 'models', 'baseline.onnx') };
      if (l.command!.command === 'flowbench.onnx.eval') expected.data = path.join(root(), 'data', 'flowers.csv');
      assert.deepEqual(argsOf(l), expected);
    }
    const focus = lenses.find((l) => l.command!.command === 'flowbench.focus.start')!;
    assert.equal(argsOf(focus).intentDefault, 'Train train.py');

    // The same lenses, as data, for scripts and other extensions.
    const lensesApi = (
      vscode.extensions.getExtension('flowbench.flowbench')!.exports as {
        lenses: { list(file: string): Promise<{ line: number; title: string; command: string }[]> };
      }
    ).lenses;
    const listed = await lensesApi.list(uri.fsPath);
    assert.deepEqual(listed.map((l) => [l.line, l.title, l.command]).sort(), summary(lenses).sort());
  });

  it('turns each kind off with its setting and all of them with flowbench.lenses.toggle', async () => {
    await config().update('lenses.onnx', false, vscode.ConfigurationTarget.Workspace);
    let lenses = await lensesUntil(
      uri,
      (l) => l.length > 0 && !l.some((x) => x.command!.command.startsWith('flowbench.onnx.')),
      'onnx lenses off',
    );
    assert.ok(
      lenses.some((x) => x.command!.command === 'flowbench.timing.timeCell'),
      'the other kinds stay',
    );
    await config().update('lenses.onnx', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('lenses.timeCell', false, vscode.ConfigurationTarget.Workspace);
    await lensesUntil(
      uri,
      (l) => l.length > 0 && !l.some((x) => x.command!.command === 'flowbench.timing.timeCell'),
      'time cell lenses off',
    );
    await config().update('lenses.timeCell', undefined, vscode.ConfigurationTarget.Workspace);

    const off = await vscode.commands.executeCommand<{ enabled: boolean }>('flowbench.lenses.toggle', {
      enabled: false,
    });
    assert.deepEqual(off, { enabled: false });
    await lensesUntil(uri, (l) => l.length === 0, 'every lens off');
    const on = await vscode.commands.executeCommand<{ enabled: boolean }>('flowbench.lenses.toggle');
    assert.deepEqual(on, { enabled: true });
    lenses = await lensesUntil(uri, (l) => l.length > 0, 'lenses back');
    assert.ok(lenses.some((x) => x.command!.command === 'flowbench.onnx.eval'));
  });

  it('follows edits: a plain script gets lenses once it imports torch, and they move with the code', async () => {
    const file = vscode.Uri.file(path.join(root(), 'lenses_edit_test.py'));
    fs.writeFileSync(file.fsPath, '# %%\nx = 1\n');
    try {
      const edited = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(edited);
      assert.deepEqual(await flowbenchLenses(file), [], 'not a training script: no lenses');
      const edit = new vscode.WorkspaceEdit();
      edit.insert(file, new vscode.Position(0, 0), 'import torch\n\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      const lenses = await lensesUntil(file, (l) => l.length === 1, 'a Time cell lens after the edit');
      assert.equal(lenses[0].range.start.line, 2, 'on the marker, which moved down two lines');
      assert.deepEqual(argsOf(lenses[0]), { file: file.fsPath, cell: 1 });
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      fs.rmSync(file.fsPath, { force: true });
      await vscode.window.showTextDocument(doc);
    }
  });

  it('shows the last timing and its change once the history has the cell, and updates when it changes', async () => {
    const history = path.join(root(), '.flowbench', 'timings.jsonl');
    const saved = fs.existsSync(history) ? fs.readFileSync(history, 'utf8') : undefined;
    const cell = parseCells(doc.getText()).find((c) => c.kind === 'code' && c.index === 1)!;
    const rec = (mean: number, time: string) => ({
      v: 1,
      file: 'train.py',
      cell: 1,
      cellLine: cell.startLine + 1,
      hash: cell.hash,
      mean,
      stdev: mean / 30,
      best: mean * 0.95,
      worst: mean * 1.1,
      loops: 100,
      runs: 7,
      firstRun: mean * 2,
      capped: false,
      line: `${mean * 1e3} ms per loop`,
      setup: 'above',
      interpreter: { path: 'python3', version: '3.11.7' },
      time,
      git: null,
    });
    try {
      fs.mkdirSync(path.dirname(history), { recursive: true });
      fs.appendFileSync(history, JSON.stringify(rec(0.015, '2026-01-01T10:00:00.000Z')) + '\n');
      let lenses = await lensesUntil(
        uri,
        (l) => l.some((x) => x.range.start.line === cell.startLine && x.command!.title.includes('15 ms')),
        'first timing shown',
      );
      assert.match(
        lenses.find((x) => x.range.start.line === cell.startLine)!.command!.title,
        /^\$\(watch\) 15 ms ± 0\.5$/,
      );
      fs.appendFileSync(history, JSON.stringify(rec(0.0123, '2026-01-01T11:00:00.000Z')) + '\n');
      lenses = await lensesUntil(
        uri,
        (l) => l.some((x) => x.range.start.line === cell.startLine && x.command!.title.includes('12.3 ms')),
        'second timing shown',
      );
      assert.equal(
        lenses.find((x) => x.range.start.line === cell.startLine)!.command!.title,
        '$(watch) 12.3 ms ± 0.41 · \u221218%',
      );
      assert.equal(
        lenses.filter((x) => x.command!.title === '$(watch) Time cell').length,
        parseCells(doc.getText()).filter((c) => c.kind === 'code').length - 1,
      );
    } finally {
      if (saved === undefined) fs.rmSync(history, { force: true });
      else fs.writeFileSync(history, saved);
    }
  });

  describe("running each lens's command with the lens's arguments", () => {
    let lenses: vscode.CodeLens[];
    // Where flowbench.split.create puts the split of data/flowers.csv by default, so Evaluate finds it.
    const splitFile = () => path.join(root(), 'data', 'flowers.folds.csv');
    before(async () => {
      lenses = await lensesUntil(uri, (l) => l.length > 0, 'lenses');
    });
    after(() => {
      for (const f of [splitFile(), splitFile() + '.json']) fs.rmSync(f, { force: true });
    });
    const lens = (command: string, pick?: (l: vscode.CodeLens) => boolean) => {
      const l = lenses.find((x) => x.command!.command === command && (!pick || pick(x)));
      assert.ok(l, `a lens for ${command}`);
      return { id: l.command!.command, args: argsOf(l) };
    };

    it('Time cell times that cell and records it', async () => {
      const { id, args } = lens('flowbench.timing.timeCell', (l) => argsOf(l).cell === 2);
      // Fewer runs than %timeit's 7 only to keep the suite short; file and cell come from the lens.
      const python = pythonWithNumpy();
      const r = await vscode.commands.executeCommand<{ cellNumber: number; line: string; mean: number }>(id, {
        ...args,
        runs: 3,
        quiet: true,
        ...(python ? { python } : {}),
      });
      assert.equal(r.cellNumber, 2, 'the lens passes the cell number users see');
      assert.ok(r.mean > 0);
      assert.match(r.line, /per loop \(mean ± std\. dev\. of 3 runs/);
    });

    it('Start focus session offers the prefilled intent and starts the session on Enter', async () => {
      const { id, args } = lens('flowbench.focus.start');
      const started = Promise.resolve(vscode.commands.executeCommand<{ session: { intent: string } | null }>(id, args));
      let result: { session: { intent: string } | null } | undefined;
      void started.then((r) => (result = r));
      // The lens leaves the length to the user: accept the first preset in the quick pick, keeping the offered intent.
      for (let i = 0; i < 40 && result === undefined; i++) {
        await sleep(250);
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      const r = await started;
      try {
        assert.equal(r.session?.intent, 'Train train.py');
      } finally {
        await vscode.commands
          .executeCommand('flowbench.focus.stop', { outcome: 'lenses integration test' })
          .then(undefined, () => undefined);
      }
    });

    it('Set up validation split… makes the split the call describes (prefilled strategy, size and seed)', async () => {
      const { id, args } = lens('flowbench.split.create');
      await assertRegistered(id);
      // The lens opens the wizard with these values; `out` is the one addition that runs it without prompts.
      const out = splitFile();
      const r = await vscode.commands.executeCommand<{
        out: string;
        manifest: { strategy: string; parameters: { seed: number }; input: { rows: number } };
      }>(id, { ...args, out });
      assert.equal(r.out, out);
      assert.equal(r.manifest.strategy, 'holdout');
      assert.equal(r.manifest.parameters.seed, 42);
      assert.equal(r.manifest.input.rows, 150);
      const column = fs.readFileSync(out, 'utf8').trim().split('\n');
      assert.equal(column[0], 'split');
      assert.equal(column.filter((x) => x === 'valid').length, 30, 'test_size=0.2 of 150 rows');
    });

    it('Evaluate gets the data file; the command takes the split the model was trained on, unasked', async () => {
      const { id, args } = lens('flowbench.onnx.eval');
      assert.deepEqual(args, {
        model: path.join(root(), 'models', 'baseline.onnx'),
        data: path.join(root(), 'data', 'flowers.csv'),
      });
      await assertRegistered(id);
      // Two splits of flowers.csv exist now (the demo's and the one the lens just made): the model's metadata names
      // the one it was trained on, so that one is taken, and its manifest names the target.
      const r = await vscode.commands.executeCommand<{
        split: { path: string; valid: number };
        target: string;
        metrics: Record<string, number>;
        baseline: Record<string, number>;
      }>(id, { ...args, providers: ['cpu'], show: false, ledger: false });
      assert.equal(path.basename(r.split.path), 'flowers.sholdout20-s42.folds.csv');
      assert.equal(r.target, 'species');
      assert.equal(r.split.valid, 30);
      assert.ok(
        r.metrics.accuracy > r.baseline.accuracy,
        `model ${r.metrics.accuracy} beats the trivial baseline ${r.baseline.accuracy}`,
      );
    });

    it('Run baseline runs the model the lens points at', async () => {
      const { id, args } = lens('flowbench.onnx.run');
      await assertRegistered(id);
      const out = path.join(root(), '.flowbench', 'lenses-test-predictions.csv');
      try {
        const r = await vscode.commands.executeCommand<{ model: string; source: string; rows: number }>(id, {
          ...args,
          random: true,
          out,
          providers: ['cpu'],
          show: false,
        });
        assert.equal(r.model, args.model);
        assert.equal(r.source, 'random');
        assert.ok(r.rows > 0);
      } finally {
        fs.rmSync(out, { force: true });
      }
    });

    it('Benchmark benchmarks the model the lens points at', async () => {
      const { id, args } = lens('flowbench.onnx.bench');
      await assertRegistered(id);
      const r = await vscode.commands.executeCommand<{
        model: { path: string };
        results: { provider: string; ok: boolean; runs?: number }[];
      }>(id, { ...args, runs: 10, warmup: 1, providers: ['cpu'], show: false, ledger: false });
      assert.equal(r.model.path, args.model);
      assert.ok(r.results.some((x) => x.provider === 'cpu' && x.ok && x.runs === 10));
    });
  });

  it('contributes the Python snippets: inserting one by name expands it in the editor', async () => {
    const scratch = await vscode.workspace.openTextDocument({ language: 'python', content: '' });
    const editor = await vscode.window.showTextDocument(scratch);
    try {
      await vscode.commands.executeCommand('editor.action.insertSnippet', {
        langId: 'python',
        name: 'Flowbench: seed everything',
      });
      const deadline = Date.now() + 5000;
      while (!editor.document.getText().includes('seed_everything(42)') && Date.now() < deadline) await sleep(100);
      const text = editor.document.getText();
      assert.match(text, /def seed_everything\(seed: int = 42\) -> None:/);
      assert.match(text, /torch\.backends\.cudnn\.deterministic = True/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('opens the first-run walkthrough', async () => {
    const r = await vscode.commands.executeCommand<{ walkthrough: string }>('flowbench.openWalkthrough');
    assert.equal(r.walkthrough, 'flowbench.flowbench#flowbench.firstRun');
    const deadline = Date.now() + 5000;
    while (
      !/Welcome|Walkthrough/.test(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '') &&
      Date.now() < deadline
    )
      await sleep(100);
    assert.match(
      vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '',
      /Welcome|Walkthrough/,
      'the walkthrough page is open',
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
