import assert from 'node:assert/strict';
import {
  OnnxHost,
  ProvidersFailedError,
  WorkerCrashError,
  resolveWorkerPath,
} from '../../../src/inference/runtimeHost';
import {
  classifierModel,
  failingModel,
  linearRegressorModel,
  logisticRegressionModel,
  mlpModel,
  perColumnRegressorModel,
} from '../../../src/inference/onnxBuilder';
import { CancelledError, UserError, CancellationSource } from '../../../src/util/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertClose, ref, tempDir } from './helpers';

const X = [
  [0.5, -1.2, 3.0],
  [2.0, 0.1, -0.7],
  [-1.5, 2.5, 0.25],
  [0, 0, 0],
];
const feed = (rows: number[][]) => ({
  X: { type: 'float32' as const, dims: [rows.length, rows[0].length], data: Float32Array.from(rows.flat()) },
});

describe('inference/runtime host (real onnxruntime in a child process)', function () {
  this.timeout(30_000);
  let host: OnnxHost;
  before(() => {
    host = new OnnxHost();
  });
  after(() => host.dispose());

  it('resolves the worker: env override, then the bundle beside dist/*.js, then the tsc output', () => {
    assert.match(resolveWorkerPath(), /worker\.js$/);
    const dir = tempDir();
    try {
      assert.throws(() => resolveWorkerPath(dir, {}), /ONNX worker script not found.*npm run build/);
      fs.writeFileSync(path.join(dir, 'worker.js'), '');
      assert.equal(resolveWorkerPath(dir, {}), path.join(dir, 'worker.js'));
      fs.writeFileSync(path.join(dir, 'onnxWorker.js'), '');
      assert.equal(resolveWorkerPath(dir, {}), path.join(dir, 'onnxWorker.js'));
      fs.writeFileSync(path.join(dir, 'custom.js'), '');
      assert.equal(
        resolveWorkerPath(dir, { FLOWBENCH_ONNX_WORKER: path.join(dir, 'custom.js') }),
        path.join(dir, 'custom.js'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logistic regression matches sigmoid(x·w + b) computed in JS', async () => {
    const w = [0.5, -1, 2];
    const s = await host.createSession(logisticRegressionModel(w, 0.1), ['cpu']);
    const r = await host.run(s.sessionId, feed(X));
    assert.deepEqual(r.outputs.probability.dims, [4, 1]);
    assertClose(
      r.outputs.probability.data as Float32Array,
      X.map((x) => ref.sigmoid(ref.dot(x, w) + 0.1)),
    );
  });

  it('MLP (Gemm/Relu/Softmax) matches a JS forward pass', async () => {
    const layers = [
      {
        w: [
          [0.2, -0.5, 1.0, 0.3],
          [0.7, 0.1, -0.4, 0.9],
          [-0.3, 0.8, 0.5, -0.6],
        ],
        b: [0.1, -0.2, 0.05, 0],
      },
      {
        w: [
          [1, -1],
          [0.5, 0.5],
          [-0.7, 0.2],
          [0.3, 0.9],
        ],
        b: [0.2, -0.1],
      },
    ];
    const s = await host.createSession(mlpModel(layers), ['cpu']);
    const r = await host.run(s.sessionId, feed(X));
    const expected = X.flatMap((x) => {
      const h = ref.affine(x, layers[0].w, layers[0].b).map((v) => Math.max(0, v));
      return ref.softmax(ref.affine(h, layers[1].w, layers[1].b));
    });
    assertClose(r.outputs.probabilities.data as Float32Array, expected);
  });

  it('multi-output classifier gives argmax labels and softmax probabilities', async () => {
    const W = [
      [1, -1, 0.5],
      [0.2, 0.3, -0.8],
      [-0.5, 1.5, 0.1],
    ];
    const b = [0.1, 0, -0.1];
    const s = await host.createSession(classifierModel(W, b, ['a', 'b', 'c']), ['cpu']);
    assert.deepEqual(s.outputNames, ['label', 'probabilities']);
    const r = await host.run(s.sessionId, feed(X));
    const logits = X.map((x) => ref.affine(x, W, b));
    assert.deepEqual(
      Array.from(r.outputs.label.data as BigInt64Array, Number),
      logits.map((z) => z.indexOf(Math.max(...z))),
    );
    assertClose(r.outputs.probabilities.data as Float32Array, logits.flatMap(ref.softmax));
  });

  it('linear regressor and one-input-per-column models match x·w + b', async () => {
    const w = [1.5, -2, 0.25];
    const s = await host.createSession(linearRegressorModel(w, 3), ['cpu']);
    const r = await host.run(s.sessionId, feed(X));
    assertClose(
      r.outputs.variable.data as Float32Array,
      X.map((x) => ref.dot(x, w) + 3),
    );
    const p = await host.createSession(perColumnRegressorModel(['a', 'b', 'c'], w, 3), ['cpu']);
    const cols = ['a', 'b', 'c'].map((name, j) => [
      name,
      { type: 'float32' as const, dims: [X.length, 1], data: Float32Array.from(X.map((x) => x[j])) },
    ]);
    const q = await host.run(p.sessionId, Object.fromEntries(cols));
    assertClose(
      q.outputs.variable.data as Float32Array,
      X.map((x) => ref.dot(x, w) + 3),
    );
  });

  it('falls back from cuda to cpu and classifies why cuda did not run', async () => {
    const s = await host.createSession(logisticRegressionModel([1, 2, 3], 0), ['cuda', 'cpu']);
    if (s.facts.cudaProviderLibsPresent && s.provider === 'cuda') {
      // A GPU machine with the provider libraries installed: CUDA ran and nothing failed.
      assert.deepEqual(s.failures, []);
      return;
    }
    assert.equal(s.provider, 'cpu');
    assert.equal(s.failures.length, 1);
    assert.equal(s.failures[0].provider, 'cuda');
    if (!s.facts.cudaProviderLibsPresent) {
      assert.equal(s.failures[0].code, 'cuda-provider-libs-missing');
      assert.match(s.failures[0].fix, /installCuda|install-cuda/);
    } else {
      assert.ok(
        ['cuda-runtime-libs-missing', 'gpu-driver-missing', 'unknown'].includes(s.failures[0].code),
        s.failures[0].code,
      );
    }
  });

  it('dml on Linux is classified as Windows-only; with no usable provider it throws every reason', async () => {
    await assert.rejects(host.createSession(logisticRegressionModel([1], 0), ['dml', 'coreml']), (e: unknown) => {
      assert.ok(e instanceof ProvidersFailedError);
      assert.deepEqual(
        e.failures.map((f) => f.code),
        ['windows-only', 'not-in-build'],
      );
      assert.match(e.message, /DirectML runs only on Windows/);
      return true;
    });
  });

  it('a model that fails at run time gives a UserError and the process keeps serving', async () => {
    const s = await host.createSession(failingModel(3), ['cpu']);
    await assert.rejects(
      host.run(s.sessionId, feed(X)),
      (e: unknown) => e instanceof UserError && /failed at run time/.test(e.message) && /Reshape/.test(e.message),
    );
    const ok = await host.createSession(logisticRegressionModel([1, 1, 1], 0), ['cpu']);
    assert.equal((await host.run(ok.sessionId, feed(X))).outputs.probability.dims[0], 4);
  });

  it('a bad input type is a run-time UserError naming the problem', async () => {
    const s = await host.createSession(logisticRegressionModel([1, 1, 1], 0), ['cpu']);
    await assert.rejects(
      host.run(s.sessionId, { X: { type: 'float64', dims: [1, 3], data: Float64Array.from([1, 2, 3]) } }),
      /failed at run time.*(tensor\(double\)|type)/,
    );
  });

  it('a garbage model is a load error, not a provider failure', async () => {
    await assert.rejects(
      host.createSession(new TextEncoder().encode('not a model'), ['cpu']),
      (e: unknown) => e instanceof UserError && /could not load the model/.test(e.message),
    );
  });

  it('a crashed child rejects pending work with a clear error; a new host works', async () => {
    const h = new OnnxHost();
    const s = await h.createSession(logisticRegressionModel([1], 0), ['cpu']);
    const pending = h.bench(
      s.sessionId,
      { X: { type: 'float32', dims: [1, 1], data: Float32Array.from([1]) } },
      { warmup: 0, runs: 1e9, timeBudgetMs: 0 },
    );
    process.kill(h.pid!, 'SIGSEGV');
    await assert.rejects(pending, (e: unknown) => e instanceof WorkerCrashError && /SIGSEGV/.test(e.message));
    assert.equal(h.alive, false);
    const h2 = new OnnxHost();
    try {
      const s2 = await h2.createSession(logisticRegressionModel([1], 0), ['cpu']);
      assert.ok(s2.sessionId > 0);
    } finally {
      h2.dispose();
    }
  });

  it('cancellation kills the child and rejects with CancelledError', async () => {
    const source = new CancellationSource();
    const h = new OnnxHost({ cancellation: source.token });
    const s = await h.createSession(logisticRegressionModel([1], 0), ['cpu']);
    const pending = h.bench(
      s.sessionId,
      { X: { type: 'float32', dims: [1, 1], data: Float32Array.from([1]) } },
      { warmup: 0, runs: 1e9, timeBudgetMs: 0 },
    );
    setTimeout(() => source.cancel(), 200);
    await assert.rejects(pending, CancelledError);
    assert.equal(h.alive, false);
  });
});

describe('inference/runtime host in this process (the CLI eval and infer on the CPU)', function () {
  this.timeout(30_000);

  it('gives the outputs the child process gives, with no child', async () => {
    const here = new OnnxHost({ inProcess: true });
    const child = new OnnxHost();
    try {
      assert.equal(here.pid, undefined);
      assert.ok(child.pid! > 0);
      const layers = [
        {
          w: [
            [0.5, -1, 0.2, 1],
            [1, 0.3, -0.4, 0],
            [-0.2, 0.8, 1.5, -1],
          ],
          b: [0.1, 0, -0.3, 0.2],
        },
        {
          w: [
            [1, -1],
            [0.5, 0.5],
            [-1, 2],
            [0.3, 0.1],
          ],
          b: [0, 0.1],
        },
      ];
      const model = mlpModel(layers);
      const a = await here.createSession(model, ['cpu']);
      const b = await child.createSession(model, ['cpu']);
      const ra = await here.run(a.sessionId, feed(X));
      const rb = await child.run(b.sessionId, feed(X));
      assert.deepEqual(Object.keys(ra.outputs), Object.keys(rb.outputs));
      for (const k of Object.keys(ra.outputs)) {
        assert.deepEqual(ra.outputs[k].dims, rb.outputs[k].dims);
        assert.deepEqual(
          Array.from(ra.outputs[k].data as Float32Array),
          Array.from(rb.outputs[k].data as Float32Array),
        );
      }
      assert.equal((await here.init()).pid, process.pid);
    } finally {
      here.dispose();
      child.dispose();
    }
  });

  it('a model that fails at run time is the same UserError, and the host keeps serving', async () => {
    const h = new OnnxHost({ inProcess: true });
    try {
      const s = await h.createSession(failingModel(3), ['cpu']);
      await assert.rejects(
        h.run(s.sessionId, feed(X)),
        (e: unknown) => e instanceof UserError && /failed at run time/.test(e.message) && /Reshape/.test(e.message),
      );
      await assert.rejects(
        h.createSession(new TextEncoder().encode('not a model'), ['cpu']),
        (e: unknown) => e instanceof UserError && /could not load the model/.test(e.message),
      );
      const ok = await h.createSession(logisticRegressionModel([1, 1, 1], 0), ['cpu']);
      assert.equal((await h.run(ok.sessionId, feed(X))).outputs.probability.dims[0], 4);
    } finally {
      h.dispose();
    }
  });

  it('a cancel rejects what is pending with CancelledError at once; later requests are refused', async () => {
    const source = new CancellationSource();
    const h = new OnnxHost({ inProcess: true, cancellation: source.token });
    const s = await h.createSession(logisticRegressionModel([1], 0), ['cpu']);
    const one = { X: { type: 'float32' as const, dims: [1, 1], data: Float32Array.from([1]) } };
    // A bench of 300 ms runs in this process and cannot be stopped: the cancel must not wait for it.
    const running = h.bench(s.sessionId, one, { warmup: 0, runs: 1e9, timeBudgetMs: 300 });
    const queued = h.run(s.sessionId, one);
    const t = Date.now();
    source.cancel();
    await assert.rejects(running, CancelledError);
    await assert.rejects(queued, CancelledError);
    assert.ok(Date.now() - t < 250, `rejected after ${Date.now() - t} ms`);
    assert.equal(h.alive, false);
    await assert.rejects(h.run(s.sessionId, one), CancelledError);
  });

  it('a worker script named for the host keeps the child process', () => {
    const h = new OnnxHost({ inProcess: true, workerPath: resolveWorkerPath() });
    try {
      assert.ok(h.pid! > 0);
    } finally {
      h.dispose();
    }
  });
});
