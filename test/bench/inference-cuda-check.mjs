// GPU check for the inference feature, for a machine with an NVIDIA GPU (not run by `npm run bench`).
//   node test/bench/inference-cuda-check.mjs [--providers-from DIR|FILE.tgz|FILE.nupkg] [--force] [--cuda-lib-path DIRS]
// 1. optionally installs the CUDA provider libraries with `flowbench install-cuda`;
// 2. `flowbench bench --ep cuda,cpu` on a 4-layer 4096-wide MatMul+Relu stack (batch 256, ~34 GFLOP) and on the
//    demo model: which provider ran, why others failed, latency side by side, GFLOP/s;
// 3. `flowbench infer --ep cuda,cpu` vs `--ep cpu` on the same (seeded) random inputs: max relative error.
// Needs `npm run build` and `npx tsc -p . --outDir out` first. Exit 0 when CUDA ran, 1 otherwise.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { matmulStackModel } = require(path.join(ROOT, 'out/src/inference/onnxBuilder.js'));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const { values: opts } = parseArgs({
  options: {
    'providers-from': { type: 'string' },
    force: { type: 'boolean' },
    'cuda-lib-path': { type: 'string' },
    width: { type: 'string', default: '4096' },
  },
});
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-cuda-check-'));
const extra = opts['cuda-lib-path'] ? ['--cuda-lib-path', opts['cuda-lib-path']] : [];

function cli(args, { json = true } = {}) {
  const t0 = performance.now();
  const r = spawnSync('node', [CLI, ...args, ...(json ? ['--json'] : [])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    console.log(`flowbench ${args.join(' ')} → exit ${r.status}: ${r.stderr.trim()}`);
    return null;
  }
  return { out: json ? JSON.parse(r.stdout) : r.stdout, ms };
}

let cudaRan = false;
try {
  if (opts['providers-from']) {
    const r = cli(['install-cuda', opts['providers-from'], ...(opts.force ? ['--force'] : [])]);
    if (r)
      console.log(
        `install-cuda: ${r.out.copied.map((c) => `${c.file} (${c.bytes} B)`).join(', ')} → ${r.out.runtimeDir}; version ${r.out.version.status} (${r.out.version.evidence})`,
      );
  }
  const width = Number(opts.width);
  const mlp = path.join(tmp, `matmul-${width}x4.onnx`);
  fs.writeFileSync(mlp, matmulStackModel(width, 4));
  const demo = path.join(ROOT, 'test', 'fixtures', 'demo', 'models', 'baseline.onnx');
  for (const [name, model, batch, runs] of [
    [`MatMul stack ${width}×4`, mlp, 256, 30],
    ['demo softmax regression', demo, 4096, 200],
  ]) {
    const r = cli([
      'bench',
      model,
      '--ep',
      'cuda,cpu',
      '--batch',
      String(batch),
      '--runs',
      String(runs),
      '--warmup',
      '5',
      '--no-ledger',
      ...extra,
    ]);
    if (!r) continue;
    console.log(`\n${name}, batch ${batch}, ${r.out.flopsPerRun?.toLocaleString('en-US')} FLOPs per run:`);
    for (const x of r.out.results) {
      if (x.ok) {
        console.log(
          `  ${x.provider.padEnd(5)} create ${x.createMs.toFixed(0)} ms, p50 ${x.latencyMs.p50.toFixed(3)} ms, p99 ${x.latencyMs.p99.toFixed(3)} ms, ${x.gflopsPerSec?.toFixed(1) ?? '—'} GFLOP/s, peak RSS ${(x.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
        );
        if (x.provider === 'cuda') cudaRan = true;
      } else
        console.log(
          `  ${x.provider.padEnd(5)} did not run: [${x.failure.code}] ${x.failure.reason} — fix: ${x.failure.fix}`,
        );
    }
    const ok = r.out.results.filter((x) => x.ok);
    if (ok.length === 2)
      console.log(
        `  speed-up cuda vs cpu at p50: ${(ok.find((x) => x.provider === 'cpu').latencyMs.p50 / ok.find((x) => x.provider === 'cuda').latencyMs.p50).toFixed(2)}x`,
      );
  }
  const outA = path.join(tmp, 'gpu.csv');
  const outB = path.join(tmp, 'cpu.csv');
  const a = cli(['infer', mlp, '--ep', 'cuda,cpu', '--batch', '64', '--out', outA, ...extra]);
  const b = cli(['infer', mlp, '--ep', 'cpu', '--batch', '64', '--out', outB]);
  if (a && b) {
    console.log(
      `\ninfer --ep cuda,cpu ran on ${a.out.session.provider}${a.out.session.failures.map((f) => `; ${f.provider} did not: [${f.code}] ${f.reason}`).join('')}`,
    );
    const read = (f) =>
      fs
        .readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .flatMap((l) => l.split(',').map(Number));
    const [x, y] = [read(outA), read(outB)];
    let maxAbs = 0;
    let ref = 0;
    for (let i = 0; i < x.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(x[i] - y[i]));
      ref = Math.max(ref, Math.abs(y[i]));
    }
    console.log(
      `outputs ${a.out.session.provider} vs cpu: ${x.length} values, max |diff| ${maxAbs.toExponential(2)}, relative to max |cpu| ${(maxAbs / (ref || 1)).toExponential(2)}`,
    );
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`\nCUDA ${cudaRan ? 'ran' : 'did not run'}`);
process.exitCode = cudaRan ? 0 : 1;
