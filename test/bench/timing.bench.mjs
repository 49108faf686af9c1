// Accuracy of `flowbench timeit` against IPython's own %timeit, measured in the same run on the same snippets, and
// the harness overhead per Time Cell (command start to the first timed loop). Targets: each snippet's mean within
// 5% of IPython's (deterministic snippets); overhead reported, not targeted.
// Peer: IPython (InteractiveShell().run_line_magic('timeit', '-o -q …') in test/bench/peers/ipython_timeit.py) in
// python3, rounds interleaved with ours.
// Run: node test/bench/timing.bench.mjs [--rounds N] [--json]     (needs `npm run build` first; run.mjs does it)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const rounds = Number(argv[argv.indexOf('--rounds') + 1]) || 3;
const asJson = argv.includes('--json');
const TARGET = 0.05;
const cli = path.join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` (or `npm run bench`, which builds)');
  process.exit(1);
}

const SETUP = 'import time\nimport numpy as np\na = np.random.default_rng(0).random(100_000)\n';
const SNIPPETS = [
  { name: 'time.sleep(0.005)', stmt: 'time.sleep(0.005)' },
  { name: 'numpy reduction a.sum() (1e5 float64)', stmt: 'a.sum()' },
  { name: 'list comprehension (1,000 squares)', stmt: '[i * i for i in range(1000)]' },
];

const dir = mkdtempSync(path.join(tmpdir(), 'flowbench-timing-bench-'));
const file = path.join(dir, 'snippets.py');
writeFileSync(file, `# %%\n${SETUP}` + SNIPPETS.map((s) => `# %%\n${s.stmt}\n`).join(''));

const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();

function ipython(stmt) {
  const p = spawnSync('python3', [path.join(root, 'test', 'bench', 'peers', 'ipython_timeit.py'), SETUP, stmt], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
  if (p.status !== 0) throw new Error(`IPython failed: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop());
}

function flowbench(cell, extra = []) {
  const spawnedAt = Date.now();
  const p = spawnSync('node', [cli, 'timeit', file, '--cell', String(cell), '--json', '--no-record', ...extra], {
    encoding: 'utf8',
  });
  if (p.status !== 0) throw new Error(`flowbench timeit failed: ${p.stderr}`);
  const r = JSON.parse(p.stdout);
  return { ...r, fromSpawnMs: r.firstLoopAt - spawnedAt - r.setupSeconds * 1000 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = [];
for (const [i, s] of SNIPPETS.entries()) {
  const ours = [];
  const theirs = [];
  for (let k = 0; k < rounds; k++) {
    // Interleaved so machine load drifts hit both alike.
    theirs.push(ipython(s.stmt));
    ours.push(flowbench(i + 1));
  }
  const mOurs = median(ours.map((r) => r.mean));
  const mTheirs = median(theirs.map((r) => r.mean));
  const ratio = mOurs / mTheirs;
  results.push({
    snippet: s.name,
    ipython: { mean: mTheirs, line: theirs[theirs.length - 1].line, loops: theirs.map((r) => r.loops) },
    flowbench: { mean: mOurs, line: ours[ours.length - 1].line, loops: ours.map((r) => r.loops) },
    ratio,
    withinTarget: Math.abs(ratio - 1) <= TARGET,
  });
}

// Overhead per Time Cell: the CLI's command start (and this process's spawn) to the first timed loop, setup excluded,
// through python3 as found on PATH (a pyenv shim here) and through the interpreter itself.
const overheadRuns = (extra) =>
  Array.from({ length: 5 }, () => flowbench(3, ['--runs', '1', '--loops', '1', ...extra]));
const viaPath = overheadRuns([]);
const direct = overheadRuns(['--python', python]);
const overhead = {
  pythonOnPath: {
    commandToFirstLoopMs: median(viaPath.map((r) => r.overheadMs)),
    spawnToFirstLoopMs: median(viaPath.map((r) => r.fromSpawnMs)),
    interpreter: viaPath[0].interpreter.path,
  },
  pythonDirect: {
    commandToFirstLoopMs: median(direct.map((r) => r.overheadMs)),
    spawnToFirstLoopMs: median(direct.map((r) => r.fromSpawnMs)),
    interpreter: python,
  },
};

rmSync(dir, { recursive: true, force: true });
const machine = { cpus: cpus().length, load1: loadavg()[0], node: process.version, rounds };
if (asJson) {
  console.log(JSON.stringify({ results, overhead, machine }, null, 2));
} else {
  console.log(
    `timing accuracy vs IPython %timeit (median of ${rounds} interleaved rounds; ${machine.cpus} CPUs, load ${machine.load1.toFixed(2)})`,
  );
  for (const r of results) {
    console.log(`  ${r.snippet}`);
    console.log(`    IPython   (last round): ${r.ipython.line}`);
    console.log(`    Flowbench (last round): ${r.flowbench.line}`);
    console.log(
      `    median of the rounds' means: IPython ${(r.ipython.mean * 1e6).toPrecision(4)} µs, Flowbench ${(r.flowbench.mean * 1e6).toPrecision(4)} µs`,
    );
    console.log(
      `    ratio Flowbench/IPython = ${r.ratio.toFixed(4)} (${((r.ratio - 1) * 100).toFixed(2)}%) ${r.withinTarget ? 'within' : 'OUTSIDE'} the ±5% target`,
    );
  }
  console.log('harness overhead per Time Cell (median of 5; setup cells excluded)');
  for (const [k, o] of Object.entries(overhead)) {
    console.log(
      `  ${k.padEnd(13)} (${o.interpreter}): command → first timed loop ${o.commandToFirstLoopMs.toFixed(1)} ms; process spawn → first timed loop ${o.spawnToFirstLoopMs.toFixed(1)} ms`,
    );
  }
}
process.exitCode = results.every((r) => r.withinTarget) ? 0 : 1;
