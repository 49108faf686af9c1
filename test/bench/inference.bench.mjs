// Inference benchmarks, each against a peer measured in the same run:
//  1. Per-run overhead: `flowbench bench` (child process, pre-built tensors) and the Flowbench IPC run path vs a bare
//     onnxruntime-node session.run loop in this process, same model, same inputs; target: under 5% at p50.
//  2. `flowbench eval` on a generated 100,000-row CSV vs Python (pandas + onnxruntime + scikit-learn metrics);
//     skipped with a message if the Python packages are missing.
// Run: npm run bench -- inference   (or: node test/bench/inference.bench.mjs after `npm run build` and tsc → out/)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { matmulStackModel } = require(path.join(ROOT, 'out/src/inference/onnxBuilder.js'));
const { OnnxHost } = require(path.join(ROOT, 'out/src/inference/runtimeHost.js'));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DEMO_MODEL = path.join(ROOT, 'test', 'fixtures', 'demo', 'models', 'baseline.onnx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-inference-bench-'));
const RUNS = 2000;
const ROUNDS = 3;
// The overhead on a ~10 µs run is within the machine's run-to-run noise (±1.5 µs on 2 busy cores), so more rounds.
const OVERHEAD_ROUNDS = 7;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p50 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.ceil(0.5 * s.length) - 1];
};

function randomFloats(n, seed = 1) {
  let a = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a * 1103515245 + 12345) % 2147483648;
    out[i] = a / 2147483648 - 0.5;
  }
  return out;
}

/** The peers' programs (test/bench/peers/), run by path. */
const peer = (name) => path.join(ROOT, 'test', 'bench', 'peers', name);

// The bare peer runs in its own fresh Node process, as `flowbench bench` does, so both start from the same state.
function bareP50(modelPath, dims) {
  const r = spawnSync(
    'node',
    [
      peer('bare_session_run.mjs'),
      require.resolve('onnxruntime-node'),
      modelPath,
      String(dims[0]),
      String(dims[1]),
      String(RUNS),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`bare loop failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

function flowbenchBenchP50(modelPath, batch) {
  const r = spawnSync(
    'node',
    [
      CLI,
      'bench',
      modelPath,
      '--ep',
      'cpu',
      '--runs',
      String(RUNS),
      '--warmup',
      '5',
      '--batch',
      String(batch),
      '--no-ledger',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`flowbench bench failed: ${r.stderr}`);
  return JSON.parse(r.stdout).results.find((x) => x.provider === 'cpu').latencyMs.p50;
}

async function ipcP50(modelPath, dims) {
  const host = new OnnxHost();
  try {
    const s = await host.createSession(fs.readFileSync(modelPath), ['cpu']);
    const feeds = { X: { type: 'float32', dims, data: randomFloats(dims[0] * dims[1]) } };
    for (let i = 0; i < 5; i++) await host.run(s.sessionId, feeds);
    const lat = [];
    for (let i = 0; i < Math.min(RUNS, 1000); i++) {
      const t0 = performance.now();
      await host.run(s.sessionId, feeds);
      lat.push(performance.now() - t0);
    }
    return p50(lat);
  } finally {
    host.dispose();
  }
}

async function overhead(name, modelPath, dims) {
  const bare = [];
  const fb = [];
  for (let r = 0; r < OVERHEAD_ROUNDS; r++) {
    bare.push(bareP50(modelPath, dims));
    fb.push(flowbenchBenchP50(modelPath, dims[0]));
  }
  const ipc = await ipcP50(modelPath, dims);
  // Best of the rounds, as timeit reports: other load on the machine only ever adds time.
  const b = Math.min(...bare);
  const f = Math.min(...fb);
  console.log(
    `${name}: bare session.run p50 ${(b * 1000).toFixed(1)} µs; flowbench bench p50 ${(f * 1000).toFixed(1)} µs ` +
      `(overhead ${((f / b - 1) * 100).toFixed(1)}%, target < 5%; medians ${(median(bare) * 1000).toFixed(1)} vs ${(median(fb) * 1000).toFixed(1)} µs; rounds bare ${bare.map((x) => (x * 1000).toFixed(1)).join('/')} vs flowbench ${fb.map((x) => (x * 1000).toFixed(1)).join('/')}); Flowbench IPC run path (infer/eval, per call) p50 ${(ipc * 1000).toFixed(1)} µs (${(ipc / b).toFixed(2)}x bare)`,
  );
  return { name, bareP50Ms: b, flowbenchP50Ms: f, overheadPct: (f / b - 1) * 100, ipcP50Ms: ipc };
}

function pythonPeerAvailable() {
  const r = spawnSync('python3', ['-c', 'import pandas, onnxruntime, sklearn'], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || 'python3 missing').trim().split('\n').pop();
}

function makeBigCsv(rows) {
  const species = ['setosa', 'versicolor', 'virginica'];
  const means = [
    [5.0, 3.4, 1.5, 0.25],
    [5.9, 2.8, 4.3, 1.3],
    [6.6, 3.0, 5.5, 2.0],
  ];
  let a = 7;
  const rnd = () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
  const lines = ['sepal_length,sepal_width,petal_length,petal_width,measured_on,site,species'];
  const folds = ['fold'];
  for (let i = 0; i < rows; i++) {
    const k = Math.floor(rnd() * 3);
    const v = means[k].map((mu) => (mu + (rnd() + rnd() + rnd() - 1.5) * 0.6).toFixed(2));
    lines.push(`${v.join(',')},2024-01-${String(1 + (i % 28)).padStart(2, '0')},site${i % 9},${species[k]}`);
    folds.push(String(i % 5));
  }
  const data = path.join(tmp, 'flowers-100k.csv');
  const split = path.join(tmp, 'flowers-100k.folds.csv');
  fs.writeFileSync(data, lines.join('\n') + '\n');
  fs.writeFileSync(split, folds.join('\n') + '\n');
  return { data, split };
}

function timed(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args[0]} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

async function evalBench() {
  const { data, split } = makeBigCsv(100_000);
  console.log(
    `eval on a 100,000-row CSV (${(fs.statSync(data).size / 1e6).toFixed(1)} MB), fold 0 = 20,000 validation rows, demo softmax model:`,
  );
  const fb = [];
  let fbOut;
  for (let r = 0; r < ROUNDS; r++) {
    const t = timed('node', [
      CLI,
      'eval',
      DEMO_MODEL,
      '--data',
      data,
      '--split',
      split,
      '--fold',
      '0',
      '--target',
      'species',
      '--ep',
      'cpu',
      '--no-ledger',
      '--json',
    ]);
    fb.push(t.ms);
    fbOut = JSON.parse(t.stdout);
  }
  const fbMs = median(fb);
  console.log(
    `  flowbench eval: ${fbMs.toFixed(0)} ms wall (median of ${ROUNDS}; node start to exit), accuracy ${fbOut.metrics.accuracy.toFixed(4)}, log loss ${fbOut.metrics.logLoss.toFixed(4)}`,
  );
  const missing = pythonPeerAvailable();
  if (missing) {
    console.log(`  Python peer skipped: ${missing} (python3 -m pip install pandas onnxruntime scikit-learn)`);
    return { flowbenchMs: fbMs, pythonMs: null };
  }
  const script = peer('eval_with_baseline.py');
  const py = [];
  let pyOut;
  for (let r = 0; r < ROUNDS; r++) {
    const t = timed('python3', [script, DEMO_MODEL, data, split, 'species']);
    py.push(t.ms);
    pyOut = JSON.parse(t.stdout);
  }
  const pyMs = median(py);
  console.log(
    `  python (pandas + onnxruntime + sklearn.metrics): ${pyMs.toFixed(0)} ms wall (median of ${ROUNDS}; ${(pyOut.seconds * 1000).toFixed(0)} ms inside the script incl. imports)`,
  );
  console.log(`  ratio flowbench / python: ${(fbMs / pyMs).toFixed(2)} (below 1 = Flowbench faster)`);
  const agree =
    ['accuracy', 'balancedAccuracy', 'f1Macro'].every((k) => fbOut.metrics[k] === pyOut[k]) &&
    Math.abs(fbOut.metrics.logLoss - pyOut.logLoss) < 1e-5 &&
    Math.abs(fbOut.metrics.rocAuc - pyOut.rocAuc) < 1e-9 &&
    fbOut.baseline.accuracy === pyOut.baselineAccuracy &&
    Math.abs(fbOut.baseline.logLoss - pyOut.baselineLogLoss) < 1e-9;
  console.log(
    `  metrics agree with scikit-learn: ${agree ? 'yes' : 'NO'} (accuracy ${pyOut.accuracy.toFixed(4)}, log loss ${pyOut.logLoss.toFixed(6)} vs ${fbOut.metrics.logLoss.toFixed(6)}, AUC ${pyOut.rocAuc.toFixed(6)} vs ${fbOut.metrics.rocAuc.toFixed(6)})`,
  );
  if (!agree) process.exitCode = 1;
  return { flowbenchMs: fbMs, pythonMs: pyMs };
}

try {
  const mlp = path.join(tmp, 'matmul-256x4.onnx');
  fs.writeFileSync(mlp, matmulStackModel(256, 4));
  console.log(
    `per-run overhead, CPU, ${RUNS} runs × ${OVERHEAD_ROUNDS} interleaved rounds (best p50 of the rounds, as timeit), ${os.cpus().length} cores:`,
  );
  const o1 = await overhead('  MatMul stack 256×256 ×4, batch 16 (8.4 MFLOP)', mlp, [16, 256]);
  await overhead('  demo softmax regression, batch 1 (24 FLOP)', DEMO_MODEL, [1, 4]);
  if (o1.overheadPct >= 5) console.log('  NOTE: overhead target (< 5% at p50) missed on the MatMul model');
  await evalBench();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
