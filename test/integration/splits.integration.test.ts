import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

interface SplitResult {
  out: string;
  manifestPath: string;
  manifest: {
    strategy: string;
    sklearn: string;
    parameters: { seed: number; folds: number | null; target: string | null; shuffle: boolean };
    input: { file: string; rows: number; sha256: string; columns: string[] };
    output: { column: string };
    folds: Array<{ fold: number; train: number; valid: number; classes?: { valid: Record<string, number> } }>;
    checks: Array<{ id: string; status: string }>;
    python: string;
  };
}

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the demo workspace is open');
  return folder.uri.fsPath;
}

describe('Validation splits', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    await vscode.extensions.getExtension('flowbench.flowbench')!.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-split-it-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('flowbench.split.create with args splits data/flowers.csv without prompts and writes FOLDS.csv + manifest', async () => {
    const out = path.join(dir, 'flowers.folds.csv');
    const r = await vscode.commands.executeCommand<SplitResult>('flowbench.split.create', {
      file: 'data/flowers.csv',
      strategy: 'stratified-kfold',
      target: 'species',
      folds: 5,
      shuffle: true,
      seed: 7,
      out,
    });
    assert.ok(r, 'the command returns its result');
    assert.equal(r.out, out);
    assert.equal(r.manifestPath, out + '.json');
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'fold');
    assert.equal(lines.length, 151, 'a header and one line per flower');
    const folds = lines.slice(1).map(Number);
    for (let f = 0; f < 5; f++) assert.equal(folds.filter((x) => x === f).length, 30, `fold ${f} has 30 rows`);
    const manifest = JSON.parse(fs.readFileSync(r.manifestPath, 'utf8'));
    // On disk the manifest names its files relative to its own folder (it works in any clone); the command
    // returns them resolved.
    assert.equal(manifest.output.file, 'flowers.folds.csv');
    assert.ok(!path.isAbsolute(manifest.input.file), manifest.input.file);
    const resolve = (f: string) => path.resolve(path.dirname(r.manifestPath), f);
    assert.deepEqual(
      {
        ...manifest,
        input: { ...manifest.input, file: resolve(manifest.input.file) },
        output: { ...manifest.output, file: resolve(manifest.output.file) },
      },
      r.manifest,
    );
    assert.equal(r.manifest.input.file, path.join(workspaceRoot(), 'data', 'flowers.csv'));
    assert.equal(manifest.sklearn, '1.9.1');
    assert.equal(manifest.parameters.seed, 7);
    assert.equal(manifest.input.rows, 150);
    assert.match(manifest.input.sha256, /^[0-9a-f]{64}$/);
    // 50 flowers per species over 5 stratified folds: 10 of each species validated in every fold.
    for (const f of manifest.folds) assert.deepEqual(f.classes?.valid, { setosa: 10, versicolor: 10, virginica: 10 });
    assert.deepEqual(
      manifest.checks.map((c: { id: string }) => c.id),
      ['duplicates', 'group-overlap', 'time-overlap', 'labels', 'drift', 'suggestion'],
    );
    assert.match(manifest.python, /StratifiedKFold\(n_splits=5, shuffle=True, random_state=7\)/);
  });

  it('copies the Python snippet of the last split and opens its report', async () => {
    const copied = await vscode.commands.executeCommand<{ python: string }>('flowbench.split.copyPython', {
      quiet: true,
    });
    assert.match(copied.python, /pd\.read_csv/);
    assert.equal(await vscode.env.clipboard.readText(), copied.python);
    const shown = await vscode.commands.executeCommand<{ manifest: string }>('flowbench.split.showReport', {
      manifest: path.join(dir, 'flowers.folds.csv.json'),
    });
    assert.equal(shown.manifest, path.join(dir, 'flowers.folds.csv'));
  });

  it('a time-series split on the date column keeps valid rows after train rows', async () => {
    const out = path.join(dir, 'flowers.time.csv');
    const r = await vscode.commands.executeCommand<SplitResult>('flowbench.split.create', {
      file: path.join(workspaceRoot(), 'data', 'flowers.csv'),
      strategy: 'time-series',
      time: 'measured_on',
      folds: 3,
      out,
    });
    assert.equal(r.manifest.folds.length, 3);
    const overlap = r.manifest.checks.find((c) => c.id === 'time-overlap');
    assert.equal(overlap?.status, 'pass');
  });

  it('a ragged CSV is refused with a message naming the line, and nothing is written', async () => {
    const bad = path.join(dir, 'ragged.csv');
    fs.writeFileSync(bad, 'a,b,label\n1,2,x\n3,4\n5,6,y\n');
    const out = path.join(dir, 'ragged.folds.csv');
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('flowbench.split.create', { file: bad, strategy: 'kfold', folds: 2, out }),
      ),
      /line 3 has 2 fields, expected 3/,
    );
    assert.equal(fs.existsSync(out), false);
    assert.equal(fs.existsSync(out + '.json'), false);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('a refusal scikit-learn would raise (more folds than rows of every class) writes nothing', async () => {
    const out = path.join(dir, 'toomany.csv');
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('flowbench.split.create', {
          file: 'data/flowers.csv',
          strategy: 'stratified-kfold',
          target: 'species',
          folds: 51,
          out,
        }),
      ),
      /n_splits=51 cannot be greater than the number of members in each class/,
    );
    assert.equal(fs.existsSync(out), false);
  });

  it("a refusal naming an option shows it in the editor's words; a caller still gets the CLI wording", async () => {
    const out = path.join(dir, 'nogroup.csv');
    const shown: string[] = [];
    const window = vscode.window as { showErrorMessage: (message: string) => Thenable<unknown> };
    const original = window.showErrorMessage;
    window.showErrorMessage = (message) => {
      shown.push(message);
      return Promise.resolve(undefined);
    };
    try {
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('flowbench.split.create', {
            file: 'data/flowers.csv',
            strategy: 'group-kfold',
            out,
          }),
        ),
        /^Error: --strategy group-kfold needs --group COLUMN$|--strategy group-kfold needs --group COLUMN/,
      );
    } finally {
      window.showErrorMessage = original;
    }
    assert.deepEqual(shown, ['Flowbench: strategy group-kfold needs a group column']);
  });

  it('a split of a million rows leaves the extension host responsive (it runs on a worker thread)', async function () {
    this.timeout(180_000);
    const big = path.join(dir, 'big.csv');
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, 'id,x,y,label\n');
    for (let start = 0; start < 1_000_000; start += 50_000) {
      const rows: string[] = [];
      for (let i = start; i < start + 50_000; i++) rows.push(`${i},${(i * 7919) % 1000},${(i % 97) / 7},c${i % 5}`);
      fs.writeSync(fd, rows.join('\n') + '\n');
    }
    fs.closeSync(fd);
    // The longest gap between ticks of this thread (the extension host's own) while the split runs.
    let last = performance.now();
    let worst = 0;
    const elu0 = performance.eventLoopUtilization();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 10);
    try {
      const r = await vscode.commands.executeCommand<SplitResult>('flowbench.split.create', {
        file: big,
        strategy: 'stratified-kfold',
        target: 'label',
        folds: 5,
        shuffle: true,
        out: path.join(dir, 'big.folds.csv'),
      });
      assert.equal(r.manifest.input.rows, 1_000_000);
    } finally {
      clearInterval(timer);
    }
    // Measured here: 0.25 busy on a worker thread (relaying progress, this test's own timer); 0.88 when the split's
    // bookkeeping ran on this thread instead, with a 306 ms stall.
    const elu = performance.eventLoopUtilization(elu0);
    assert.ok(elu.utilization < 0.5, `the extension host was busy ${(100 * elu.utilization).toFixed(0)}% of the split`);
    assert.ok(worst < 250, `the extension host stalled for ${worst.toFixed(0)} ms`);
  });
});
