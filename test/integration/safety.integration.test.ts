// Issue #12 in the editor: a command that fails on a special file or a colliding path shows one clear message,
// leaves no partial file and replaces nothing, and the extension host stays responsive for the next command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { nestedGraphModel } from '../unit/safety/hostileOnnx';

function listAll(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

/** Runs `command` with `args`, capturing the error notifications it shows; resolves to what it threw and showed. */
async function failing(command: string, args: Record<string, unknown>): Promise<{ error: Error; shown: string[] }> {
  const shown: string[] = [];
  const window = vscode.window as { showErrorMessage: (message: string) => Thenable<unknown> };
  const original = window.showErrorMessage;
  window.showErrorMessage = (message) => {
    shown.push(message);
    return Promise.resolve(undefined);
  };
  try {
    await vscode.commands.executeCommand(command, args);
  } catch (err) {
    return { error: err as Error, shown };
  } finally {
    window.showErrorMessage = original;
  }
  throw new Error(`${command} did not fail`);
}

/** The extension host still answers, and a command after the failure works. */
async function stillResponsive(): Promise<void> {
  const t0 = Date.now();
  const about = await vscode.commands.executeCommand<string>('flowbench.about', { quiet: true });
  assert.match(about, /Flowbench/);
  assert.ok(Date.now() - t0 < 5000, 'the extension host answered slowly after the failure');
}

describe('Safety: failing commands in the editor show one message and leave nothing behind', function () {
  this.timeout(60_000);
  let dir: string;
  const csv = 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n';

  before(async () => {
    await vscode.extensions.getExtension('flowbench.flowbench')!.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-safety-it-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a split whose --out is the input file is refused; the input stays byte for byte', async () => {
    const data = path.join(dir, 'same.csv');
    fs.writeFileSync(data, csv);
    const { error, shown } = await failing('flowbench.split.create', {
      file: data,
      strategy: 'kfold',
      folds: 2,
      out: data,
    });
    assert.match(error.message, /must not be the input file/);
    assert.equal(shown.length, 1);
    assert.match(shown[0], /^Flowbench: output file must not be the input file/);
    assert.equal(fs.readFileSync(data, 'utf8'), csv);
    assert.deepEqual(listAll(dir), ['same.csv']);
    await stillResponsive();
  });

  it('a split whose manifest path is a folder replaces neither file', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'm-'));
    const data = path.join(sub, 'd.csv');
    fs.writeFileSync(data, csv);
    const out = path.join(sub, 'd.folds.csv');
    fs.writeFileSync(out, 'fold\nan earlier split\n');
    fs.mkdirSync(`${out}.json`);
    const { error, shown } = await failing('flowbench.split.create', { file: data, strategy: 'kfold', folds: 2, out });
    assert.match(error.message, /the manifest d\.folds\.csv\.json .* is a folder/);
    assert.equal(shown.length, 1);
    assert.equal(fs.readFileSync(out, 'utf8'), 'fold\nan earlier split\n');
    assert.deepEqual(listAll(sub), ['d.csv', 'd.folds.csv', 'd.folds.csv.json']);
    await stillResponsive();
  });

  it('a FIFO as the split input or the model is refused at once, without blocking the extension host', async () => {
    const fifo = path.join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    const split = await failing('flowbench.split.create', {
      file: fifo,
      strategy: 'kfold',
      out: path.join(dir, 'never.csv'),
    });
    assert.match(split.error.message, /is a named pipe \(FIFO\), not a regular file/);
    const onnx = path.join(dir, 'pipe.onnx');
    execFileSync('mkfifo', [onnx]);
    const inspect = await failing('flowbench.onnx.inspect', { model: onnx, show: false });
    assert.match(inspect.error.message, /model .*pipe\.onnx is a named pipe/);
    assert.ok(Date.now() - t0 < 5000, 'refusing a FIFO took too long');
    assert.equal(fs.existsSync(path.join(dir, 'never.csv')), false);
    // The inspector shows the refusal in the editor instead of hanging on the read.
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(onnx), 'flowbench.onnxInspector');
    await stillResponsive();
  });

  it('a model nested 20,000 subgraphs deep is a clear error, not a stack overflow', async () => {
    const model = nestedGraphModel(20_000);
    const file = path.join(dir, 'deep.onnx');
    fs.writeFileSync(file, model);
    const { error, shown } = await failing('flowbench.onnx.inspect', { model: file, show: false });
    assert.match(error.message, /nested more than 100 levels deep/);
    assert.equal(shown.length, 1);
    await stillResponsive();
  });

  it('install-cuda from fake (empty) libraries refuses and leaves the installed pair as it was', async () => {
    const src = path.join(dir, 'fake-libs');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'libonnxruntime_providers_cuda.so'), '');
    fs.writeFileSync(path.join(src, 'libonnxruntime_providers_shared.so'), '');
    const runtimeDir = path.join(dir, 'runtime');
    fs.mkdirSync(runtimeDir);
    fs.writeFileSync(path.join(runtimeDir, 'libonnxruntime_providers_cuda.so'), 'the good one');
    fs.writeFileSync(path.join(runtimeDir, 'libonnxruntime_providers_shared.so'), 'the good shared one');
    const { error, shown } = await failing('flowbench.onnx.installCuda', { source: src, runtimeDir, show: false });
    assert.match(error.message, /is empty \(0 bytes\), not a shared library; nothing was installed or replaced/);
    assert.equal(shown.length, 1);
    assert.equal(fs.readFileSync(path.join(runtimeDir, 'libonnxruntime_providers_cuda.so'), 'utf8'), 'the good one');
    assert.deepEqual(listAll(runtimeDir), ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']);
    await stillResponsive();
  });

  it('experiments on a file instead of a folder: a plain error, not an internal one', async () => {
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const { error, shown } = await failing('flowbench.experiments.show', { root: file, show: false });
    assert.match(error.message, /is not a folder/);
    assert.equal(shown.length, 1);
    assert.doesNotMatch(shown[0], /internal|see the Flowbench output/);
    await stillResponsive();
  });
});
