import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Where the time goes, in a real VS Code: the Time loader lens on a DataLoader assignment, the command it runs, the
 * figure the lens shows afterwards and the loader page; and Profile ONNX Model with the times in the inspector.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function root(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the demo workspace is open');
  return folder.uri.fsPath;
}

/** The extension host's PATH may miss the Python of the tests (pyenv shims; see timing.integration.test.ts). */
function python(): string {
  const pyenv = process.env.PYENV_ROOT ? path.join(process.env.PYENV_ROOT, 'shims', 'python3') : '';
  const found = ['python3', pyenv, '/usr/local/bin/python3', '/usr/bin/python3'].find(
    (c) => c && spawnSync(c, ['-c', 'import sys']).status === 0,
  );
  assert.ok(found, 'a python3');
  return found;
}

async function loaderLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses =
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return lenses.filter((l) => l.command?.command === 'flowbench.timing.timeLoader');
}

/** Plain Python (no torch needed here): a stand-in DataLoader that yields lists, and an epoch loop. */
const SCRIPT = `import time
# %%
def DataLoader(items, batch_size):
    return [items[i:i + batch_size] for i in range(0, len(items), batch_size)]

# %%
train_loader = DataLoader(list(range(64)), batch_size=8)

# %%
for epoch in range(1):
    for batch in train_loader:
        pass
`;

function saved(file: string): () => void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  return () => (text === undefined ? fs.rmSync(file, { force: true }) : fs.writeFileSync(file, text));
}

describe('Where the time goes: data loaders and ONNX node profiles', function () {
  this.timeout(120_000);
  const restore: Array<() => void> = [];

  before(async () => {
    await vscode.extensions.getExtension('flowbench.flowbench')!.activate();
    restore.push(saved(path.join(root(), '.flowbench', 'timings.jsonl')));
    restore.push(saved(path.join(root(), '.flowbench', 'experiments.jsonl')));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const r of restore.reverse()) r();
  });

  it('Time loader: the lens times the loader, records it, shows the figure and the page', async () => {
    const file = path.join(root(), 'loader_lens_test.py');
    fs.writeFileSync(file, SCRIPT);
    restore.push(() => fs.rmSync(file, { force: true }));
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    let lenses: vscode.CodeLens[] = [];
    for (let deadline = Date.now() + 8000; lenses.length === 0 && Date.now() < deadline; await sleep(150))
      lenses = await loaderLenses(uri);
    assert.equal(lenses.length, 1, 'one Time loader lens');
    const lens = lenses[0];
    assert.equal(lens.command!.title, '$(watch) Time loader');
    assert.equal(lens.range.start.line, 6);
    const args = lens.command!.arguments![0] as Record<string, unknown>;
    assert.deepEqual(args, { file, line: 7, name: 'train_loader' });

    const r = await vscode.commands.executeCommand<{
      name: string;
      cell: number;
      runs: { batches: number; exhausted: boolean; samples: number; batchesPerSec: number }[];
      record: { kind: string; file: string };
    }>('flowbench.timing.timeLoader', { ...args, python: python(), quiet: true });
    assert.equal(r.name, 'train_loader');
    assert.equal(r.cell, 1);
    assert.deepEqual(
      r.runs.map((x) => [x.batches, x.exhausted, x.samples]),
      [[8, true, 64]],
    );
    assert.equal(r.record.kind, 'loader');
    assert.equal(r.record.file, 'loader_lens_test.py');
    const ledger = fs
      .readFileSync(path.join(root(), '.flowbench', 'experiments.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(JSON.parse(ledger.at(-1)!).kind, 'loader');

    // The lens shows the figure once the history has it.
    let title = '';
    for (let deadline = Date.now() + 8000; Date.now() < deadline; await sleep(150)) {
      title = (await loaderLenses(uri))[0]?.command?.title ?? '';
      if (title !== '$(watch) Time loader') break;
    }
    assert.match(title, /^\$\(watch\) \d[\d.]*[kMG]? batches\/s · first \d[\d.]* (ns|[µμ]s|ms|s)$/);

    const pages = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Loader: train_loader');
    assert.equal(pages.length, 1, 'the loader page is open');
    assert.ok(pages[0].input instanceof vscode.TabInputWebview);
  });

  it('Time loader names what is wrong in editor words', async () => {
    const file = path.join(root(), 'loader_bad_test.py');
    fs.writeFileSync(file, '# %%\nrows = [1, 2, 3]\nfor epoch in range(1):\n    pass\n');
    restore.push(() => fs.rmSync(file, { force: true }));
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('flowbench.timing.timeLoader', {
          file,
          cell: 0,
          name: 'rows',
          workers: [0, 2],
          python: python(),
          quiet: true,
          show: false,
        }),
      ),
      (err: Error) => {
        assert.match(err.message, /re-creates a torch DataLoader .* 'rows' is of type list/);
        return true;
      },
    );
  });

  it('Profile ONNX Model: node times matched to the graph, shown in the inspector', async () => {
    const r = await vscode.commands.executeCommand<{
      session: { provider: string };
      nodes: { name: string; op: string; origin: string; meanMs: number }[];
      nodeMs: number;
      run: { meanMs: number };
      trace: string | null;
    }>('flowbench.onnx.profile', { model: 'models/baseline.onnx', providers: ['cpu'], runs: 3, ledger: false });
    assert.equal(r.session.provider, 'cpu');
    assert.ok(r.nodes.length > 0);
    assert.ok(r.nodeMs <= r.run.meanMs);
    assert.equal(r.trace, null);
    const inspected = await vscode.commands.executeCommand<{ nodes: { name: string }[] }>('flowbench.onnx.inspect', {
      model: 'models/baseline.onnx',
      show: false,
    });
    const names = new Set(inspected.nodes.map((n) => n.name));
    for (const n of r.nodes.filter((x) => x.origin === 'graph'))
      assert.ok(names.has(n.name), `${n.name} is a graph node`);
    let open = false;
    for (let deadline = Date.now() + 8000; !open && Date.now() < deadline; await sleep(150))
      open = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .some((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === 'flowbench.onnxInspector');
    assert.ok(open, 'the inspector shows the profile');
  });
});
