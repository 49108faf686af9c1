import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { neverCancelled } from '../../../src/util/errors';
import type { CliIo } from '../../../src/util/cli';
import { readHistory } from '../../../src/timing/history';
import { readTimingHistory } from '../../../src/timing/loaderHistory';
import { readLedger, summarizeLedger } from '../../../src/inference/ledger';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const io: CliIo & { out: string; err: string } = {
    out: '',
    err: '',
    cwd,
    cancellation: neverCancelled,
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
  };
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

describe('flowbench loader', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-loader-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints a row per pass, records the timing in the history and the experiments ledger', async () => {
    fs.writeFileSync(
      path.join(dir, 'data.py'),
      '# %%\nimport time\n# %%\nrows = [list(range(8)) for _ in range(12)]\n',
    );
    fs.mkdirSync(path.join(dir, '.flowbench'));
    const r = await cli(['loader', 'data.py', '--cell', '1', '--name', 'rows'], dir);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'rows (list, length 12) from cell 1 of data.py');
    assert.match(
      lines[1],
      /^num_workers\s+first batch\s+p50\s+p90\s+max\s+batches\/s\s+samples\/s\s+batches\s+exhausted$/,
    );
    assert.match(lines[2], /^—\s+\S+ \S?s\s+.*\s12\s+exhausted$/);
    const { timings, loaders } = await readTimingHistory(dir);
    assert.equal(timings.length, 0);
    assert.equal(loaders.length, 1);
    assert.equal(loaders[0].file, 'data.py');
    assert.equal(loaders[0].name, 'rows');
    assert.equal(loaders[0].runs[0].batches, 12);
    assert.equal((await readHistory(dir)).records.length, 0, 'cell timing readers skip loader lines');
    const { records } = await readLedger(dir);
    assert.equal(records.length, 1);
    assert.equal(records[0].kind, 'loader');
    assert.equal(records[0].loader?.name, 'rows');
    assert.equal(records[0].model.path, 'data.py');
    const row = summarizeLedger(records).rows[0];
    assert.equal(row.metric, 'batches/s');
    assert.equal(row.higherIsBetter, true);
    assert.equal(row.model, 'data.py rows');
    const listed = await cli(['experiments', dir], dir);
    assert.match(listed.out, /loader\s+data\.py rows\s+cpu\s+batches\/s \d/);
  });

  it('--json gives the runs with their figures; --no-record writes nothing', async () => {
    fs.writeFileSync(path.join(dir, 'd.py'), '# %%\nrows = [[1, 2]] * 5\n');
    const r = await cli(
      ['loader', 'd.py', '--line', '2', '--name', 'rows', '--batches', '3', '--no-record', '--json'],
      dir,
    );
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.equal(json.name, 'rows');
    assert.equal(json.runs[0].batches, 3);
    assert.equal(json.runs[0].stoppedBy, 'batches');
    assert.equal(typeof json.runs[0].perBatch.p50, 'number');
    assert.equal(json.recordedIn, null);
    assert.equal(fs.existsSync(path.join(dir, '.flowbench')), false);
  });

  it('Ctrl-C stops the loader and every process it started: exit 130', async function () {
    this.timeout(120000);
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) execFileSync('node', ['esbuild.config.mjs'], { cwd: ROOT });
    const pids = path.join(dir, 'pids');
    fs.writeFileSync(
      path.join(dir, 'stuck.py'),
      '# %%\nimport os, subprocess, time\ndef batches():\n' +
        "    child = subprocess.Popen(['sleep', '60'])\n" +
        `    open(${JSON.stringify(pids)}, 'w').write('%d %d' % (os.getpid(), child.pid))\n` +
        '    time.sleep(60)\n    yield 1\nit = batches()\n',
    );
    const args = [
      path.join(ROOT, 'dist', 'cli.js'),
      'loader',
      'stuck.py',
      '--cell',
      '0',
      '--name',
      'it',
      '--no-record',
    ];
    const proc = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    const deadline = Date.now() + 60000;
    while (!(fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').includes(' ')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const [harness, child] = fs.readFileSync(pids, 'utf8').split(' ').map(Number);
    assert.ok(alive(harness) && alive(child));
    const code = new Promise<number | null>((resolve) => proc.on('close', resolve));
    proc.kill('SIGINT');
    assert.equal(await code, 130);
    assert.equal(err, 'error: cancelled\n');
    const until = Date.now() + 5000;
    while ((alive(harness) || alive(child)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!alive(harness) && !alive(child), 'the harness and what the loader started are gone');
  });

  it('bad options and a loader that raises: exit 2 and one error line', async () => {
    fs.writeFileSync(
      path.join(dir, 'e.py'),
      '# %%\ndef g():\n    yield 1\n    raise RuntimeError("no more")\nit = g()\n',
    );
    const cases: Array<[string[], RegExp]> = [
      [['--cell', '0', '--name', 'it', '--workers', '0,x'], /^error: --workers takes num_workers values separated/],
      [
        ['--cell', '0', '--name', 'it', '--batches', '3', '--time-budget', '1'],
        /^error: give --batches or --time-budget/,
      ],
      [['--name', 'it'], /^error: missing --cell N \(or --line L\)\n$/],
      [['--cell', '0', '--batches', '0'], /^error: --batches must be at least 1/],
      [['--cell', '0'], /^error: cell 0 assigns no DataLoader\(\.\.\.\) to a name: say what to time with --name\n$/],
    ];
    for (const [args, expected] of cases) {
      const r = await cli(['loader', 'e.py', ...args, '--no-record'], dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, expected);
      assert.equal(r.err.split('\n').filter((l) => l.startsWith('error:')).length, 1);
    }
    const raised = await cli(['loader', 'e.py', '--cell', '0', '--name', 'it', '--no-record'], dir);
    assert.equal(raised.code, 2);
    assert.match(raised.err, /^error: the loader it raised RuntimeError: no more \(e\.py, line 4\)\nTraceback/);
  });
});
