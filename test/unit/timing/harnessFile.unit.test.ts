import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolvePython } from '../../../src/timing/python';
import { harnessPath } from '../../../src/timing/runner';
import { HARNESS_MARK } from '../../../src/timing/protocol';
import { FORGED } from './forged';

const python = resolvePython([]).path;
const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const harness = path.join(repoRoot, 'src', 'timing', 'harness.py');

type Rec = { event: string; [key: string]: unknown };

function job(file: string, source: string, extra: Record<string, unknown> = {}) {
  const cells = [{ line: 2, source, label: 'cell 0' }];
  return { mode: 'timeit', file, text: `# %%\n${source}`, setup: [], cells, runs: 2, loops: 3, timeCap: 0, ...extra };
}

const NONCE = '0123456789abcdef0123456789abcdef';
/** The records of a cold run and two runs: the cell starts running after the first progress record. */
const EVENTS = ['progress', 'running', 'progress', 'progress', 'progress', 'result'];
const TAG = `${HARNESS_MARK}${NONCE} `;

interface Direct {
  status: number | null;
  stdout: string;
  stderr: string;
  /** What arrived on descriptor 3. */
  channel: string;
  records: Rec[];
}

/** harness.py as the runner starts it (records on descriptor 3, a nonce, stdin kept open), without the runner. */
function direct(input: object, opts: { fd3?: boolean } = {}): Promise<Direct> {
  const fd3 = opts.fd3 ?? true;
  return new Promise((resolve, reject) => {
    const child = spawn(python, [harness, '--result-fd', '3', '--watch-stdin'], {
      stdio: fd3 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    });
    let stdout = '';
    let stderr = '';
    let channel = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdio[3]?.on('data', (d) => (channel += d));
    child.on('error', reject);
    // stdin stays open as the runner keeps it: its end would stop the harness (--watch-stdin).
    child.stdin!.write(JSON.stringify({ ...input, nonce: NONCE }) + '\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('close', (status) => {
      clearTimeout(timer);
      child.stdin!.destroy();
      const source = fd3 ? channel : stdout;
      const records = source
        .split('\n')
        .filter((l) => l.startsWith(TAG))
        .map((l) => JSON.parse(l.slice(TAG.length)));
      resolve({ status, stdout, stderr, channel, records });
    });
  });
}

describe('timing harness.py on its own', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-harness-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compiles as a Python module', () => {
    // The cache prefix keeps __pycache__ out of src/.
    const r = spawnSync(python, ['-m', 'py_compile', harness], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPYCACHEPREFIX: dir },
    });
    assert.equal(r.status, 0, r.stderr);
  });

  it('is found in src/timing/ when the runner runs from tsc output', () => {
    assert.equal(harnessPath(), harness);
  });

  it('run by hand: reads the job on stdin, prints the cell output and marked records on stdout', () => {
    const file = path.join(dir, 'cell.py');
    const input = JSON.stringify(job(file, "print('from the cell')\n")) + '\n';
    const r = spawnSync(python, [harness], { input, encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const records: Rec[] = r.stdout
      .split('\n')
      .filter((l) => l.startsWith(HARNESS_MARK))
      .map((l) => JSON.parse(l.slice(HARNESS_MARK.length)));
    assert.deepEqual(
      records.map((x) => x.event),
      EVENTS,
    );
    const result = records[records.length - 1];
    assert.equal(result.loops, 3);
    assert.equal((result.allRuns as number[]).length, 2);
    assert.equal(r.stdout.split('\n').filter((l) => l === 'from the cell').length, 1 + 2 * 3);
  });

  it('run by hand: a raising cell gives one error record with the traceback and exit code 3', () => {
    const file = path.join(dir, 'bad.py');
    const input = JSON.stringify(job(file, 'x = 1 / 0\n')) + '\n';
    const r = spawnSync(python, [harness], { input, encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 3, r.stderr);
    const records: Rec[] = r.stdout
      .split('\n')
      .filter((l) => l.startsWith(HARNESS_MARK))
      .map((l) => JSON.parse(l.slice(HARNESS_MARK.length)));
    const last = records[records.length - 1];
    assert.equal(last.event, 'error');
    assert.equal(last.type, 'ZeroDivisionError');
    assert.equal(last.line, 2);
    assert.doesNotMatch(last.traceback as string, /harness\.py/);
  });

  it('through descriptor 3: every record carries the nonce, and stdout is only what the cell printed', async () => {
    const file = path.join(dir, 'cell.py');
    const source = `print('from the cell')\nprint(${JSON.stringify(HARNESS_MARK + FORGED)})\n`;
    // The cell's stdin is empty even though the runner keeps its own open.
    const r = await direct(job(file, source + 'import sys\nassert sys.stdin.read() == ""\n'));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.channel.split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 0 && lines.every((l) => l.startsWith(TAG)), r.channel);
    assert.deepEqual(
      r.records.map((x) => x.event),
      EVENTS,
    );
    const result = r.records[r.records.length - 1];
    assert.equal(result.loops, 3);
    assert.notEqual(result.mean, 1e-9);
    assert.equal(r.stdout, `from the cell\n${HARNESS_MARK}${FORGED}\n`.repeat(1 + 2 * 3), 'stdout is the cell output');
  });

  it('a record a cell writes to descriptor 3, or to every descriptor, does not reach the channel as one', async () => {
    const file = path.join(dir, 'forge.py');
    const forged = JSON.stringify(`\n${HARNESS_MARK}${FORGED}\n`);
    const log = path.join(dir, 'fd3.log');
    const one = await direct(
      job(
        file,
        `import os\ntry:\n    os.write(3, ${forged}.encode())\n    w = 'written'\n` +
          `except OSError as e:\n    w = e.strerror\nopen(${JSON.stringify(log)}, 'w').write(w)\n`,
      ),
    );
    assert.equal(one.status, 0, one.stderr);
    assert.equal(fs.readFileSync(log, 'utf8'), 'Bad file descriptor', 'descriptor 3 is closed before the cell runs');
    assert.equal(one.records.filter((x) => x.event === 'result').length, 1);
    assert.notEqual(one.records[one.records.length - 1].mean, 1e-9);

    // Spraying every descriptor reaches the private one too, but without the nonce.
    const spray = await direct(
      job(
        file,
        `import os\nfor fd in range(3, 1024):\n    try:\n` +
          `        os.write(fd, ${forged}.encode())\n    except OSError:\n        pass\n`,
        { runs: 1, loops: 1 },
      ),
    );
    assert.equal(spray.status, 0, spray.stderr);
    assert.match(spray.channel, new RegExp(`^${HARNESS_MARK}\\{"event":"result"`, 'm'), 'the spray got there');
    const results = spray.records.filter((x) => x.event === 'result');
    assert.equal(results.length, 1);
    assert.notEqual(results[0].mean, 1e-9);
    assert.notEqual((results[0].python as { executable: string }).executable, 'forged');
  });

  it('a cell that closes every descriptor leaves no result and exit status 71', async () => {
    const r = await direct(job(path.join(dir, 'close.py'), 'import os\nos.closerange(3, 65536)\n'));
    assert.equal(r.status, 71, r.stderr);
    assert.equal(r.records.filter((x) => x.event === 'result').length, 0);
    assert.match(r.stderr, /the record channel was closed or replaced/);
  });

  it('with no descriptor 3 (a platform that passes none) the nonce-tagged records go to stdout', async () => {
    const file = path.join(dir, 'cell.py');
    const r = await direct(job(file, `print(${JSON.stringify(HARNESS_MARK + FORGED)})\n`), { fd3: false });
    assert.equal(r.status, 0, r.stderr);
    const results = r.records.filter((x) => x.event === 'result');
    assert.equal(results.length, 1);
    assert.notEqual(results[0].mean, 1e-9);
  });

  it('KeyboardInterrupt, SystemExit and os._exit in a cell each give an error record saying so', async () => {
    const kbi = await direct(job(path.join(dir, 'a.py'), 'raise KeyboardInterrupt\n'));
    assert.equal(kbi.status, 3, kbi.stderr);
    const interrupted = { event: 'error', type: 'KeyboardInterrupt', stop: 'KeyboardInterrupt', line: 2 };
    assert.deepEqual(pick(kbi.records.at(-1)!), interrupted);
    const exit = await direct(job(path.join(dir, 'b.py'), 'import sys\nsys.exit(4)\n'));
    assert.equal(exit.status, 3, exit.stderr);
    assert.deepEqual(pick(exit.records.at(-1)!), { event: 'error', type: 'SystemExit', stop: 'SystemExit', line: 3 });
    assert.equal(exit.records.at(-1)!.message, '4');
    const hard = await direct(job(path.join(dir, 'c.py'), 'import os\nos._exit(5)\n'));
    assert.equal(hard.status, 5, 'os._exit still ends the process with its status');
    assert.deepEqual(pick(hard.records.at(-1)!), { event: 'error', type: 'os._exit', stop: 'os._exit', line: 3 });
    assert.match(hard.records.at(-1)!.traceback as string, /line 3, in <module>\n\s+os\._exit\(5\)/);
    assert.doesNotMatch(hard.records.at(-1)!.traceback as string, /harness\.py/);
  });

  it("os._exit in a forked child of the cell is the child's own business", async () => {
    const source = 'import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nos.waitpid(pid, 0)\n';
    const r = await direct(job(path.join(dir, 'fork.py'), source, { runs: 1, loops: 1 }));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.records.filter((x) => x.event === 'error'),
      [],
    );
    assert.equal(r.records.at(-1)!.event, 'result');
  });

  it('--watch-stdin: the process stops when stdin closes, even in a cell that never ends and closed fd 0', async () => {
    const pidFile = path.join(dir, 'pid');
    const source =
      `import os, time\nos.close(0)\nopen(${JSON.stringify(pidFile)}, 'w').write(str(os.getpid()))\n` +
      'time.sleep(60)\n';
    const stdio: ['pipe', 'ignore', 'ignore', 'pipe'] = ['pipe', 'ignore', 'ignore', 'pipe'];
    const child = spawn(python, [harness, '--result-fd', '3', '--watch-stdin'], { stdio });
    child.stdin!.write(JSON.stringify(job(path.join(dir, 'f.py'), source)) + '\n');
    const started = Date.now();
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8') === '') {
      assert.ok(Date.now() - started < 15000, 'the cell started');
      await new Promise((r) => setTimeout(r, 25));
    }
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdin!.end();
    // Not leading a process group of its own (not started detached), it just exits.
    assert.equal(await exited, 70);
    assert.ok(Date.now() - started < 15000);
  });
});

function pick(rec: Rec): Record<string, unknown> {
  return { event: rec.event, type: rec.type, stop: rec.stop, line: rec.line };
}
