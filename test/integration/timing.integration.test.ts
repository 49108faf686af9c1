import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { spawnSync } from 'node:child_process';

/**
 * train.py imports numpy. The extension host's PATH comes from a login shell (code-server resolves it), which may
 * not have the Python that has numpy (e.g. pyenv's shims), so the test names one explicitly through the `python`
 * argument, the same route as the Python extension's choice.
 */
function pythonWithNumpy(): string {
  const candidates = [
    'python3',
    process.env.PYENV_ROOT ? path.join(process.env.PYENV_ROOT, 'shims', 'python3') : '',
    '/usr/local/bin/python3',
    '/usr/bin/python3',
  ].filter((c) => c !== '');
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import numpy'], { stdio: 'ignore', cwd: workspaceRoot() });
    if (r.status === 0) return c;
  }
  throw new Error(`no Python with numpy among ${candidates.join(', ')}: the demo workspace's train.py needs it`);
}

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the demo workspace is open');
  return folder.uri.fsPath;
}

function historyLines(root: string): string[] {
  const file = path.join(root, '.flowbench', 'timings.jsonl');
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
    : [];
}

describe('Timing cells', function () {
  this.timeout(120_000);

  before(async () => {
    await vscode.extensions.getExtension('flowbench.flowbench')!.activate();
  });

  it('times a cheap cell of train.py with {file, cell}, returns the result and appends one history line', async () => {
    const root = workspaceRoot();
    const file = path.join(root, 'train.py');
    const before = historyLines(root).length;
    // Cell 3 (the third code cell, as the lenses count) standardises the features; cells 1 and 2 (imports, CSV
    // load) run once first as setup. Results and records keep the cell's index among all cells too (2).
    const r = await vscode.commands.executeCommand<{
      line: string;
      mean: number;
      stdev: number;
      loops: number;
      runs: number;
      cell: number;
      cellNumber: number;
      cellLine: number;
      hash: string;
      firstRun: number;
      setupCells: number[];
      record: { file: string; hash: string; mean: number; git: { head: string | null } | null };
    }>('flowbench.timing.timeCell', { file, cell: 3, runs: 3, loops: 50, quiet: true, python: pythonWithNumpy() });
    assert.ok(r, 'the command returns its result');
    assert.equal(r.cellNumber, 3);
    assert.equal(r.cell, 2);
    assert.equal(r.cellLine, 21);
    assert.equal(r.loops, 50);
    assert.equal(r.runs, 3);
    assert.deepEqual(r.setupCells, [0, 1]);
    assert.ok(r.mean > 0 && r.mean < 0.1, `mean ${r.mean}`);
    assert.ok(r.firstRun > 0);
    assert.match(
      r.line,
      /^\d[\d.]* (ns|[µμ]s|ms|s) ± \d[\d.]* (ns|[µμ]s|ms|s) per loop \(mean ± std\. dev\. of 3 runs, 50 loops each\)$/,
    );

    const lines = historyLines(root);
    assert.equal(lines.length, before + 1, 'one line appended to .flowbench/timings.jsonl');
    const rec = JSON.parse(lines[lines.length - 1]);
    assert.equal(rec.file, 'train.py');
    assert.equal(rec.cell, 2);
    assert.equal(rec.number, 3);
    assert.equal(rec.hash, r.hash);
    assert.equal(rec.mean, r.mean);
    assert.equal(rec.line, r.line);
    assert.match(rec.git?.head ?? '', /^[0-9a-f]{40}$/, 'the demo workspace is a git repository: HEAD is recorded');
  });

  it('a cell that raises gives the mapped error and records nothing', async () => {
    const root = workspaceRoot();
    const file = path.join(root, 'raises_for_timing_test.py');
    fs.writeFileSync(file, '# %%\ndef fail():\n    raise ValueError("boom")\n\n# %%\nfail()\n');
    try {
      const before = historyLines(root).length;
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('flowbench.timing.timeCell', { file, cell: 2, quiet: true })),
        (err: Error) => {
          assert.match(err.message, /cell 2 raised ValueError: boom \(raises_for_timing_test\.py, line 3\)/);
          return true;
        },
      );
      assert.equal(historyLines(root).length, before, 'nothing recorded');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('in a notebook without a kernel it can reach, shows and keeps the duration VS Code records for an executed cell', async () => {
    const root = workspaceRoot();
    const file = path.join(root, 'timing_test_notebook.ipynb');
    const nb = {
      cells: [{ cell_type: 'code', source: ['x = 1\n'], metadata: {}, outputs: [], execution_count: null }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    fs.writeFileSync(file, JSON.stringify(nb));
    // A stand-in kernel: VS Code records executionSummary.timing from what a controller reports.
    const controller = vscode.notebooks.createNotebookController(
      'flowbench-timing-test',
      'jupyter-notebook',
      'Flowbench test kernel',
    );
    controller.supportedLanguages = ['python'];
    controller.executeHandler = (cells) => {
      for (const cell of cells) {
        const exec = controller.createNotebookCellExecution(cell);
        const start = Date.now();
        exec.start(start);
        exec.end(true, start + 1234);
      }
    };
    try {
      const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
      await vscode.window.showNotebookDocument(doc);
      controller.updateNotebookAffinity(doc, vscode.NotebookControllerAffinity.Preferred);
      await vscode.commands.executeCommand('notebook.selectKernel', {
        id: controller.id,
        extension: 'flowbench.flowbench',
      });
      const before = historyLines(root).length;
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('flowbench.timing.timeNotebookCell', {
            notebook: doc.uri,
            cell: 0,
            quiet: true,
          }),
        ),
        /has not run yet/,
      );
      await vscode.commands.executeCommand('notebook.cell.execute', {
        ranges: [{ start: 0, end: 1 }],
        document: doc.uri,
      });
      const deadline = Date.now() + 20000;
      while (!doc.cellAt(0).executionSummary?.timing && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const r = await vscode.commands.executeCommand<{ source: string; durationMs: number; text: string }>(
        'flowbench.timing.timeNotebookCell',
        { notebook: doc.uri, cell: 0, quiet: true },
      );
      assert.equal(r.source, 'executionSummary');
      assert.equal(r.durationMs, 1234);
      assert.match(r.text, /last ran in 1\.2s/);
      while (historyLines(root).length === before && Date.now() < deadline)
        await new Promise((res) => setTimeout(res, 100));
      const kept = JSON.parse(historyLines(root).at(-1)!);
      assert.equal(kept.kind, 'notebook-run');
      assert.equal(kept.file, 'timing_test_notebook.ipynb');
      assert.equal(kept.mean, 1.234);
    } finally {
      controller.dispose();
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(file, { force: true });
    }
  });

  it('lists the timed cells for the history view', async () => {
    const h = await vscode.commands.executeCommand<{ cells: Array<{ file: string; cell: number; count: number }> }>(
      'flowbench.timing.showHistory',
      { quiet: true },
    );
    // Numbered as the lenses number them: the third code cell.
    const trainCell = h.cells.find((c) => c.file === 'train.py' && c.cell === 3);
    assert.ok(trainCell && trainCell.count >= 1, 'the timing above is in the history');
  });
});
