// Real datasets: split, eval and infer on a generated 10,000,000-row x 20-column CSV (17 float columns, a category,
// a date, a 5-class label; about 1.6 GB, cached in bench-results/cache/), each against its peer in the same run,
// whole process, same file, interleaved so the machine's noise hits both alike:
//   split 10M   flowbench split (stratified-kfold, 5 folds, shuffled)  vs polars.read_csv(label) + StratifiedKFold
//   split 1M    the same on the first million rows                     vs pandas.read_csv + StratifiedKFold
//   eval 10M    flowbench eval, fold 0, a 17-feature logistic regression vs pandas + onnxruntime + sklearn.metrics
//   infer 10M   flowbench infer to a predictions CSV                   vs pandas + onnxruntime + DataFrame.to_csv
//   scaling     split and eval 10M with --workers 1 and with one worker per core
// Prints each figure (best and median of the rounds), peak RSS of the whole process tree (the onnxruntime child
// process included; the targets are judged on it) beside its PSS (shared pages counted once), the ratios and whether
// each target is met.
// Run: npm run bench -- bigdata   [--rounds R] [--rows N] (needs python3 with pandas, polars, scikit-learn, onnxruntime)
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const ROWS = opt('--rows', 10_000_000);
const SMALL = Math.min(ROWS, 1_000_000);
const ROUNDS = opt('--rounds', 3);
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CACHE = path.join(ROOT, 'bench-results', 'cache');
const CORES = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
const { classifierModel } = require(path.join(ROOT, 'out/src/inference/onnxBuilder.js'));

const FEATURES = Array.from({ length: 17 }, (_, j) => `f${j + 1}`);
const CLASSES = ['c0', 'c1', 'c2', 'c3', 'c4'];

/** The generator of the 1M-row benchmark with more rows: the first N rows of any size are the same rows. */
function generate(file, rows) {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const fd = fs.openSync(tmp, 'w');
  let chunk = ['id', ...FEATURES, 'cat', 'when', 'label'].join(',') + '\n';
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const cats = ['red', 'green', 'blue', '"dark, green"'];
  const day0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < rows; i++) {
    let r = String(i);
    let s = 0;
    for (let j = 0; j < 17; j++) {
      const v = rnd() * 10 - 5;
      s += j % 3 === 0 ? v : -v / 4;
      r += ',' + v.toFixed(4);
    }
    // The label leans on the features, so the model's metrics mean something.
    const label = Math.min(4, Math.max(0, Math.floor((s + 25) / 10 + rnd() * 1.5 - 0.75)));
    const day = new Date(day0 + Math.floor((i * 86400000 * 1000) / 10_000_000)).toISOString().slice(0, 10);
    r += ',' + cats[(rnd() * 4) | 0] + ',' + day + ',c' + label + '\n';
    chunk += r;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** The peers' programs (test/bench/peers/), run by path. */
const peer = (name) => path.join(ROOT, 'test', 'bench', 'peers', name);

/**
 * The resident memory of a process and all its descendants (Flowbench's onnxruntime child process counts, as the
 * peers' threads do), from /proc: the sum of their RSS, and of their PSS (pages two of them share, such as the node
 * binary, counted once between them, which summed RSS counts twice); null where there is none.
 */
function treeMemKB(root, skipRoot) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  const kids = new Map();
  const rss = new Map();
  const pssOf = (pid) => {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after it start at the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const pages = Number(fs.readFileSync(`/proc/${e}/statm`, 'utf8').split(' ')[1]);
      rss.set(Number(e), pages * 4);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(e));
    } catch {
      /* the process ended meanwhile */
    }
  }
  let total = 0;
  let pss = 0;
  for (const stack = [root]; stack.length;) {
    const p = stack.pop();
    if (p !== root || !skipRoot) {
      total += rss.get(p) ?? 0;
      pss += pssOf(p);
    }
    stack.push(...(kids.get(p) ?? []));
  }
  return { rss: total, pss };
}

/**
 * One timed run of a whole process. Peak RSS is the process tree's (sampled every 50 ms), and never less than the
 * largest single process's maximum that the kernel reports (GNU time), which catches a spike between samples.
 */
async function timed(cmd, args) {
  const useTime = fs.existsSync('/usr/bin/time');
  const t = process.hrtime.bigint();
  const child = useTime ? spawn('/usr/bin/time', ['-f', '%M', cmd, ...args]) : spawn(cmd, args);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  let treeKB = null;
  let pssKB = null;
  const sample = setInterval(() => {
    const kb = treeMemKB(child.pid, useTime); // /usr/bin/time itself does not count
    if (kb !== null) {
      treeKB = Math.max(treeKB ?? 0, kb.rss);
      pssKB = Math.max(pssKB ?? 0, kb.pss);
    }
  }, 50);
  const status = await new Promise((resolve) => child.on('close', resolve));
  clearInterval(sample);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${status}): ${stderr.slice(-2000)}`);
  let maxKB = null;
  if (useTime) {
    const lines = stderr.trimEnd().split('\n');
    maxKB = Number(lines.pop());
    stderr = lines.join('\n');
  }
  const kb = Math.max(maxKB ?? 0, treeKB ?? 0);
  return { s, rssMB: kb > 0 ? kb / 1024 : null, pssMB: pssKB ? pssKB / 1024 : null, stdout, stderr };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { best: s[0], median: s[Math.floor(s.length / 2)] };
};

function peersAvailable() {
  const r = spawnSync('python3', ['-c', 'import pandas, polars, sklearn, onnxruntime'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  spawnSync(
    'python3',
    ['-m', 'pip', 'install', '--quiet', '--retries', '0', 'pandas', 'polars', 'scikit-learn', 'onnxruntime'],
    {
      stdio: 'ignore',
    },
  );
  return spawnSync('python3', ['-c', 'import pandas, polars, sklearn, onnxruntime']).status === 0;
}

if (!fs.existsSync(CLI)) {
  console.error(`missing ${CLI}: run npm run build first`);
  process.exit(1);
}
if (!peersAvailable()) {
  console.error('peers missing: python3 -m pip install pandas polars scikit-learn onnxruntime');
  process.exit(1);
}
const big = path.join(CACHE, `data-${ROWS}.csv`);
const small = path.join(CACHE, `data-${SMALL}.csv`);
const t0 = Date.now();
generate(big, ROWS);
generate(small, SMALL);
if (Date.now() - t0 > 1000) console.log(`generated the data in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
const model = path.join(CACHE, 'logreg17x5.onnx');
{
  let seed = 99;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296 - 0.5;
  // Logits 3k·t − 1.5k² with t = (s + 25)/10 peak near k = t, the generator's label rule: a sensible baseline.
  const w = FEATURES.map((_, j) => CLASSES.map((_, k) => 0.3 * k * (j % 3 === 0 ? 1 : -0.25) + 0.01 * rnd()));
  const b = CLASSES.map((_, k) => 7.5 * k - 1.5 * k * k);
  fs.writeFileSync(model, classifierModel(w, b, CLASSES));
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-bigdata-'));
const folds = path.join(work, 'folds.csv');
const out = (name) => path.join(work, name);
const splitArgs = (data, dest, extra = []) => [
  CLI,
  'split',
  data,
  '--strategy',
  'stratified-kfold',
  '--target',
  'label',
  '--folds',
  '5',
  '--shuffle',
  '--seed',
  '42',
  '--out',
  dest,
  ...extra,
];
const evalArgs = (extra = []) => [
  CLI,
  'eval',
  model,
  '--data',
  big,
  '--split',
  folds,
  '--fold',
  '0',
  '--target',
  'label',
  '--features',
  FEATURES.join(','),
  '--ep',
  'cpu',
  '--no-ledger',
  '--json',
  ...extra,
];

const contenders = {
  'split 10M flowbench': ['node', splitArgs(big, folds)],
  'split 10M polars+sklearn': ['python3', [peer('split_polars.py'), big, out('polars-folds.csv')]],
  'split 1M flowbench': ['node', splitArgs(small, out('small-folds.csv'))],
  'split 1M pandas+sklearn': ['python3', [peer('split_pandas.py'), small, out('pandas-folds.csv')]],
  'split 10M flowbench, 1 worker': ['node', splitArgs(big, out('w1-folds.csv'), ['--workers', '1'])],
  'eval 10M flowbench': ['node', evalArgs()],
  'eval 10M pandas+ort+sklearn': [
    'python3',
    [peer('eval_pandas.py'), model, big, folds, FEATURES.join(','), CLASSES.join(',')],
  ],
  'eval 10M flowbench, 1 worker': ['node', evalArgs(['--workers', '1'])],
  'infer 10M flowbench': [
    'node',
    [
      CLI,
      'infer',
      model,
      '--input',
      big,
      '--features',
      FEATURES.join(','),
      '--ep',
      'cpu',
      '--out',
      out('pred.csv'),
      '--json',
    ],
  ],
  'infer 10M pandas+ort+to_csv': [
    'python3',
    [peer('infer_pandas.py'), model, big, out('pandas-pred.csv'), FEATURES.join(',')],
  ],
};
const runs = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
let evalOut;
let peerEval;
try {
  // The split writes the folds the evals read: run it once before the rounds.
  await timed(...contenders['split 10M flowbench']);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, [cmd, args]] of Object.entries(contenders)) {
      const t = await timed(cmd, args);
      runs[name].push(t);
      if (name === 'eval 10M flowbench') evalOut = JSON.parse(t.stdout);
      if (name === 'eval 10M pandas+ort+sklearn') peerEval = JSON.parse(t.stdout);
      process.stdout.write(
        `  round ${r + 1}: ${name.padEnd(32)} ${t.s.toFixed(2)} s, ${t.rssMB?.toFixed(0) ?? '?'} MB ` +
          `(PSS ${t.pssMB?.toFixed(0) ?? '?'})\n`,
      );
    }
  }
  const sameFolds = fs.readFileSync(folds).equals(fs.readFileSync(out('polars-folds.csv')));
  const sameSmall = fs.readFileSync(out('small-folds.csv')).equals(fs.readFileSync(out('pandas-folds.csv')));
  // scikit-learn computes log loss in the probabilities' own float32 (losses and their mean); Flowbench in float64.
  // Every other metric must be bit-identical; log loss equal to float32 precision.
  const exact = ['accuracy', 'balancedAccuracy', 'f1Macro', 'rocAuc'];
  const exactDiff = Math.max(...exact.map((k) => Math.abs(evalOut.metrics[k] - peerEval[k])));
  const logLossRel = Math.abs(evalOut.metrics.logLoss - peerEval.logLoss) / Math.abs(peerEval.logLoss);
  const metricDiff = Math.max(exactDiff, logLossRel > 2 ** -23 ? logLossRel : 0);
  const summary = Object.fromEntries(
    Object.entries(runs).map(([k, v]) => [
      k,
      {
        ...stats(v.map((x) => x.s)),
        rssMB: Math.max(...v.map((x) => x.rssMB ?? 0)),
        pssMB: Math.max(...v.map((x) => x.pssMB ?? 0)),
      },
    ]),
  );
  const ratio = (a, b) => summary[b].median / summary[a].median;
  const rows = [];
  const line = (what, ours, peer, target, rssTarget) => {
    const x = ratio(ours, peer);
    const rss = summary[ours].rssMB;
    const okSpeed = x >= target;
    const okRss = rssTarget === undefined || rss <= rssTarget;
    rows.push({ what, ours: summary[ours], peer: summary[peer], ratio: x, target, rssTarget, met: okSpeed && okRss });
    console.log(
      `${what.padEnd(10)} flowbench ${summary[ours].median.toFixed(2)} s (best ${summary[ours].best.toFixed(2)}, ` +
        `${rss.toFixed(0)} MB, PSS ${summary[ours].pssMB.toFixed(0)}) vs ${peer.replace(/^\S+ \S+ /, '')} ` +
        `${summary[peer].median.toFixed(2)} s (best ${summary[peer].best.toFixed(2)}, ${summary[peer].rssMB.toFixed(0)} MB, ` +
        `PSS ${summary[peer].pssMB.toFixed(0)}) → ${x.toFixed(2)}x faster ` +
        `(target ≥ ${target}x${rssTarget ? `, RSS ≤ ${rssTarget} MB` : ''}: ${okSpeed && okRss ? 'met' : 'MISSED'})`,
    );
  };
  console.log(
    `\n${ROWS.toLocaleString('en')} rows x 20 columns (${(fs.statSync(big).size / 1e9).toFixed(2)} GB), ${CORES} cores, medians of ${ROUNDS} interleaved rounds:`,
  );
  line('split 10M', 'split 10M flowbench', 'split 10M polars+sklearn', 2, 200);
  line('split 1M', 'split 1M flowbench', 'split 1M pandas+sklearn', 3);
  line('eval 10M', 'eval 10M flowbench', 'eval 10M pandas+ort+sklearn', 2, 300);
  line('infer 10M', 'infer 10M flowbench', 'infer 10M pandas+ort+to_csv', 2);
  const scale = (one, all) => summary[one].median / summary[all].median;
  const sSplit = scale('split 10M flowbench, 1 worker', 'split 10M flowbench');
  const sEval = scale('eval 10M flowbench, 1 worker', 'eval 10M flowbench');
  console.log(
    `scaling   split ${summary['split 10M flowbench, 1 worker'].median.toFixed(2)} s on 1 worker → ` +
      `${summary['split 10M flowbench'].median.toFixed(2)} s on ${CORES} (${sSplit.toFixed(2)}x, ${(sSplit / CORES).toFixed(2)} per core); ` +
      `eval ${summary['eval 10M flowbench, 1 worker'].median.toFixed(2)} s → ${summary['eval 10M flowbench'].median.toFixed(2)} s ` +
      `(${sEval.toFixed(2)}x, ${(sEval / CORES).toFixed(2)} per core)`,
  );
  console.log(
    `fold column identical to scikit-learn's: 10M ${sameFolds ? 'yes' : 'NO'}, 1M ${sameSmall ? 'yes' : 'NO'}`,
  );
  console.log(
    `eval metrics vs scikit-learn: ${exact.join(', ')} ${exactDiff === 0 ? 'identical' : `differ by ${exactDiff}`}; ` +
      `log loss ${evalOut.metrics.logLoss} vs ${peerEval.logLoss} (relative ${logLossRel.toExponential(1)}, ` +
      `${logLossRel <= 2 ** -23 ? 'equal to float32 precision, the precision scikit-learn computes it in' : 'MISMATCH'})`,
  );
  fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, 'bench-results', 'bigdata.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        rows: ROWS,
        cores: CORES,
        rounds: ROUNDS,
        summary,
        sameFolds,
        sameSmall,
        metricDiff,
      },
      null,
      2,
    ),
  );
  if (!sameFolds || !sameSmall || metricDiff > 0 || rows.some((r) => !r.met)) process.exitCode = 1;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
