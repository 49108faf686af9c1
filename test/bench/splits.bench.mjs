// Splits a generated 1,000,000-row x 20-column CSV with stratified-kfold through the real CLI, and in the same run
// times (a) pandas.read_csv + scikit-learn StratifiedKFold + writing the fold column, (b) just reading the file
// (streamed bytes + line count in node). Targets: Flowbench >= 3x faster than (a), <= 2x the time of (b).
// Run: node test/bench/splits.bench.mjs [--rows N] [--repeat R] [--json]   (needs `npm run build` first)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const ROWS = opt('--rows', 1_000_000);
const REPEAT = opt('--repeat', 3);
const asJson = argv.includes('--json');
const cli = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error(`missing ${cli}: run npm run build first`);
  process.exit(1);
}

const dir = fs.mkdtempSync(path.join(tmpdir(), 'flowbench-splits-bench-'));
const data = path.join(dir, 'data.csv');
let exitCode = 0;
try {
  // 16 numeric features, a categorical with a quoted comma, a 3-class label and a group id: 20 columns.
  const fd = fs.openSync(data, 'w');
  const header = ['id', ...Array.from({ length: 16 }, (_, j) => `f${j + 1}`), 'colour', 'label', 'grp'];
  let chunk = header.join(',') + '\n';
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const colours = ['red', 'green', 'blue', '"dark, green"'];
  for (let i = 0; i < ROWS; i++) {
    let r = String(i);
    for (let j = 0; j < 16; j++) r += ',' + (rnd() * 10 - 5).toFixed(4);
    r += ',' + colours[(rnd() * 4) | 0] + ',' + ['a', 'b', 'c'][(rnd() * 3) | 0] + ',g' + ((rnd() * 1000) | 0) + '\n';
    chunk += r;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const bytes = fs.statSync(data).size;

  // The peers' programs (test/bench/peers/), run by path.
  const peers = path.join(root, 'test', 'bench', 'peers');
  const peerFile = path.join(peers, 'split_pandas.py');

  let peerOk = spawnSync('python3', ['-c', 'import pandas, sklearn'], { encoding: 'utf8' }).status === 0;
  if (!peerOk) {
    spawnSync('python3', ['-m', 'pip', 'install', '--quiet', 'pandas', 'scikit-learn'], { stdio: 'ignore' });
    peerOk = spawnSync('python3', ['-c', 'import pandas, sklearn'], { encoding: 'utf8' }).status === 0;
    if (!peerOk)
      console.log(
        'peer skipped: pandas and scikit-learn cannot be imported (python3 -m pip install pandas scikit-learn)',
      );
  }

  const ours = path.join(dir, 'flowbench-folds.csv');
  const theirs = path.join(dir, 'peer-folds.csv');
  const runs = {
    flowbench: [
      'node',
      [
        cli,
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
        ours,
      ],
    ],
    readOnly: ['node', [path.join(peers, 'read_only.mjs'), data]],
    ...(peerOk ? { peer: ['python3', [peerFile, data, theirs]] } : {}),
  };
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  // Interleave the contenders so machine noise hits them alike; report the median.
  for (let r = 0; r < REPEAT; r++) {
    for (const [name, [cmd, args]] of Object.entries(runs)) {
      const t = process.hrtime.bigint();
      const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (res.status !== 0) throw new Error(`${name} failed (${res.status}): ${res.stderr}`);
      times[name].push(s);
    }
  }
  // Peak memory (max RSS) of one more run each, where GNU time is available: the split must not hold the file.
  const peakKb = {};
  if (fs.existsSync('/usr/bin/time')) {
    for (const [name, [cmd, args]] of Object.entries(runs)) {
      const res = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const kb = Number(res.stderr.trim().split('\n').pop());
      if (res.status === 0 && Number.isFinite(kb)) peakKb[name] = kb;
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const identical = peerOk ? fs.readFileSync(ours, 'utf8') === fs.readFileSync(theirs, 'utf8') : null;
  const vsPeer = peerOk ? m.peer / m.flowbench : null;
  const vsRead = m.flowbench / m.readOnly;
  const result = {
    rows: ROWS,
    columns: 20,
    bytes,
    repeat: REPEAT,
    seconds: m,
    all: times,
    speedupVsPandasSklearn: vsPeer,
    targetSpeedup: 3,
    timesReadOnly: vsRead,
    targetReadOnly: 2,
    identicalToScikitLearn: identical,
    peakRssMB: Object.fromEntries(Object.entries(peakKb).map(([k, v]) => [k, Math.round(v / 1024)])),
  };
  if (asJson) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      `splits: ${ROWS.toLocaleString('en')} rows x 20 columns (${(bytes / 1e6).toFixed(0)} MB), stratified-kfold k=5, median of ${REPEAT}`,
    );
    console.log(`  flowbench split        ${m.flowbench.toFixed(3)} s`);
    if (peerOk)
      console.log(
        `  pandas + scikit-learn  ${m.peer.toFixed(3)} s   → flowbench ${vsPeer.toFixed(2)}x faster (target >= 3x: ${vsPeer >= 3 ? 'met' : 'MISSED'})`,
      );
    console.log(
      `  read only (node)       ${m.readOnly.toFixed(3)} s   → flowbench ${vsRead.toFixed(2)}x the read time (target <= 2x: ${vsRead <= 2 ? 'met' : 'MISSED'})`,
    );
    if (peerOk) console.log(`  fold column identical to scikit-learn's: ${identical ? 'yes' : 'NO'}`);
    if (Object.keys(peakKb).length)
      console.log(
        `  peak RSS: ${Object.entries(result.peakRssMB)
          .map(([k, v]) => `${k} ${v} MB`)
          .join(', ')} (file ${(bytes / 2 ** 20).toFixed(0)} MiB)`,
      );
  }
  if (identical === false || (vsPeer !== null && vsPeer < 3) || vsRead > 2) exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = exitCode;
