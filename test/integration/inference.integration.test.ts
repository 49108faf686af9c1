import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the demo workspace is open');
  return folder.uri.fsPath;
}

function ledgerLines(
  root: string,
): { kind: string; metrics?: Record<string, number>; provider: string; model: { sha256: string } }[] {
  const file = path.join(root, '.flowbench', 'experiments.jsonl');
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l))
    : [];
}

describe('ONNX baseline models', function () {
  this.timeout(120_000);
  let root: string;
  let folds: string;
  const scratch: string[] = [];

  before(async () => {
    await vscode.extensions.getExtension('flowbench.flowbench')!.activate();
    root = workspaceRoot();
    // A 5-fold assignment of the 150 flower rows (fold = row % 5), made here so the test does not depend on the
    // split feature's output.
    folds = path.join(root, 'data', 'flowers.inference-test.folds.csv');
    fs.writeFileSync(folds, 'fold\n' + Array.from({ length: 150 }, (_, i) => i % 5).join('\n') + '\n');
    scratch.push(folds);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const f of scratch) fs.rmSync(f, { force: true });
  });

  it('inspects the demo model (protobuf parse, no runtime)', async () => {
    const r = await vscode.commands.executeCommand<{
      inputs: { name: string; shape: unknown[] }[];
      outputs: { name: string }[];
      parameterCount: number;
      operators: { op: string }[];
    }>('flowbench.onnx.inspect', { model: 'models/baseline.onnx', show: false });
    assert.deepEqual(
      r.inputs.map((i) => [i.name, i.shape]),
      [['X', ['N', 4]]],
    );
    assert.deepEqual(
      r.outputs.map((o) => o.name),
      ['label', 'probabilities'],
    );
    assert.equal(r.parameterCount, 15);
    assert.deepEqual(r.operators.map((o) => o.op).sort(), ['ArgMax', 'Gemm', 'Softmax']);
  });

  it('opens .onnx files in the Flowbench inspector custom editor', async () => {
    await vscode.commands.executeCommand('flowbench.onnx.inspect', { model: 'models/baseline.onnx' });
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom, 'a custom editor tab is active');
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'flowbench.onnxInspector');
  });

  it('runs the model on the CSV rows with provider fallback and saves predictions', async () => {
    const out = path.join(root, '.flowbench', 'inference-test-pred.csv');
    scratch.push(out);
    const r = await vscode.commands.executeCommand<{
      rows: number;
      columns: string[];
      session: { provider: string; failures: { provider: string; code: string }[] };
      out: string;
    }>('flowbench.onnx.run', {
      model: 'models/baseline.onnx',
      input: 'data/flowers.csv',
      target: 'species',
      providers: ['cuda', 'cpu'],
      out,
      show: false,
    });
    assert.equal(r.rows, 150);
    assert.deepEqual(r.columns, ['label', 'probabilities_0', 'probabilities_1', 'probabilities_2']);
    assert.ok(['cpu', 'cuda'].includes(r.session.provider));
    if (r.session.provider === 'cpu') assert.equal(r.session.failures[0]?.provider, 'cuda');
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 151);
  });

  it('evaluates the demo model on the validation rows of the split it was trained on: an honest score', async () => {
    // No split given: the model's metadata names the split it was trained on, so no prompt is needed.
    const r = await vscode.commands.executeCommand<{
      metrics: Record<string, number>;
      train: { rows: number; metrics: Record<string, number> };
      baseline: Record<string, number>;
      split: { path: string; valid: number; train: number };
      warnings: string[];
    }>('flowbench.onnx.eval', { model: 'models/baseline.onnx', providers: ['cpu'], show: false, ledger: false });
    assert.equal(path.basename(r.split.path), 'flowers.sholdout20-s42.folds.csv');
    assert.deepEqual([r.split.valid, r.split.train, r.train.rows], [30, 120, 120]);
    // Trained on the 120 train rows only: validation is good but not the perfect score a leak gives.
    assert.ok(r.metrics.accuracy > 0.85 && r.metrics.accuracy < 1, `validation accuracy ${r.metrics.accuracy}`);
    assert.ok(r.train.metrics.accuracy > 0.9, `train accuracy ${r.train.metrics.accuracy}`);
    assert.ok(r.baseline.accuracy < 0.5);
    assert.deepEqual(r.warnings, []);
  });

  it('evaluates on a fold next to the majority baseline and appends to the ledger', async () => {
    const before = ledgerLines(root).length;
    const r = await vscode.commands.executeCommand<{
      task: string;
      metrics: Record<string, number>;
      baseline: Record<string, number>;
      split: { valid: number; fold: number };
      warnings: string[];
    }>('flowbench.onnx.eval', {
      model: 'models/baseline.onnx',
      data: 'data/flowers.csv',
      split: folds,
      fold: 1,
      target: 'species',
      providers: ['cpu'],
      show: false,
    });
    assert.equal(r.task, 'classification');
    assert.equal(r.split.valid, 30);
    assert.ok(r.metrics.accuracy > 0.9, `accuracy ${r.metrics.accuracy}`);
    assert.ok(r.baseline.accuracy < 0.5);
    assert.ok(r.metrics.logLoss < r.baseline.logLoss);
    // This fold's validation rows include rows the model was trained on: the page says the score is optimistic.
    assert.ok(
      r.warnings.some((w) => /validation rows are train rows of flowers\.sholdout20-s42\.folds\.csv/.test(w)),
      r.warnings.join('\n'),
    );
    const after = ledgerLines(root);
    assert.equal(after.length, before + 1);
    assert.equal(after.at(-1)!.kind, 'eval');
    assert.equal(after.at(-1)!.metrics!.accuracy, r.metrics.accuracy);
    const summary = await vscode.commands.executeCommand<{ rows: { kind: string; isBest: boolean }[] }>(
      'flowbench.experiments.show',
      { show: false },
    );
    assert.ok(summary.rows.some((x) => x.kind === 'eval'));
  });

  it('benchmarks per provider and reports why CUDA did not run', async () => {
    const r = await vscode.commands.executeCommand<{
      results: (
        | { provider: string; ok: true; runs: number; latencyMs: { p50: number } }
        | { provider: string; ok: false; failure: { code: string } }
      )[];
    }>('flowbench.onnx.bench', {
      model: 'models/baseline.onnx',
      providers: ['cuda', 'cpu'],
      runs: 20,
      warmup: 2,
      batch: 8,
      show: false,
      ledger: false,
    });
    const cpu = r.results.find((x) => x.provider === 'cpu');
    assert.ok(cpu && cpu.ok && cpu.runs === 20 && cpu.latencyMs.p50 > 0);
    const cuda = r.results.find((x) => x.provider === 'cuda')!;
    assert.ok(cuda.ok || /^cuda-|gpu-/.test(cuda.failure.code));
  });

  it('a truncated .onnx gives a clear error and the extension keeps working', async () => {
    const bad = path.join(root, 'models', 'truncated-inference-test.onnx');
    scratch.push(bad);
    fs.writeFileSync(bad, fs.readFileSync(path.join(root, 'models', 'baseline.onnx')).subarray(0, 60));
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('flowbench.onnx.inspect', { model: bad, show: false })),
      /truncated or corrupt/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('flowbench.onnx.run', { model: bad, random: true, show: false })),
      /truncated or corrupt/,
    );
    // The inspector shows the error in the editor instead of failing to open.
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(bad), 'flowbench.onnxInspector');
    const again = await vscode.commands.executeCommand<{ parameterCount: number }>('flowbench.onnx.inspect', {
      model: 'models/baseline.onnx',
      show: false,
    });
    assert.equal(again.parameterCount, 15);
    const about = await vscode.commands.executeCommand<string>('flowbench.about', { quiet: true });
    assert.match(about, /Flowbench/);
  });
});
