import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, UserError, CancellationSource } from '../../../src/util/errors';
import { resolvePython } from '../../../src/timing/python';
import { HARNESS_MARK } from '../../../src/timing/protocol';
import { runHarness, TimingTimeoutError } from '../../../src/timing/runner';
import { peer } from '../peers';
import { FORGED } from './forged';
import { CellRaisedError, compareCells, timeCell } from '../../../src/timing/timeCell';

const python = resolvePython([]);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-timing-'));
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function count(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').length : 0;
}

/** Alive and not a zombie (an orphan may wait for a reaper that never comes in a container). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('timing harness: IPython %timeit protocol', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the cell as often as IPython does and computes TimeitResult statistics exactly', async () => {
    const oursLog = path.join(dir, 'ours.log');
    const ipyLog = path.join(dir, 'ipython.log');
    const body = (log: string) => `time.sleep(0.03)\nwith open(${JSON.stringify(log)}, 'a') as f:\n    f.write('.')\n`;
    const file = write(dir, 'proto.py', `# %%\nimport time\n# %% [markdown]\n# text\n# %%\n${body(oursLog)}`);
    const r = await timeCell({ file, cell: 2, python });

    // The reference: IPython's own %%timeit on the same body, run live, and its TimeitResult over our runs.
    const ref = spawnSync(
      'python3',
      [
        peer('ipython_timeit_protocol.py'),
        'import time',
        body(ipyLog),
        JSON.stringify({ loops: r.loops, allRuns: r.allRuns }),
      ],
      { encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } },
    );
    assert.equal(ref.status, 0, ref.stderr);
    const ipy = JSON.parse(ref.stdout);

    assert.equal(r.loops, ipy.loops, 'same calibrated loop count');
    assert.equal(r.runs, ipy.repeat, 'same number of runs');
    assert.equal(count(oursLog), count(ipyLog), 'same number of executions (calibration trials included)');
    assert.equal(count(oursLog), 1 + 10 + 7 * 10);
    assert.equal(r.mean, ipy.average);
    assert.equal(r.stdev, ipy.stdev);
    assert.equal(r.best, ipy.best);
    assert.equal(r.worst, ipy.worst);
    assert.equal(r.line, ipy.line);
    assert.ok(r.mean >= 0.03 && r.mean < 0.06, `a 30 ms sleep measures ${r.mean}`);
    assert.ok(r.firstRun >= 0.03, 'the first (cold) run is the first calibration trial');
    assert.deepEqual(r.setupCells, [0], 'markdown cells are not setup');
  });

  it('with fixed loops and runs: one cold run, then runs × loops, no calibration', async () => {
    const log = path.join(dir, 'n.log');
    const file = write(dir, 'fixed.py', `# %%\nwith open(${JSON.stringify(log)}, 'a') as f:\n    f.write('.')\n`);
    const r = await timeCell({ file, cell: 0, python, loops: 3, runs: 2 });
    assert.equal(r.loops, 3);
    assert.equal(r.runs, 2);
    assert.equal(r.timings.length, 2);
    assert.equal(count(log), 1 + 2 * 3);
    assert.match(r.line, / per loop \(mean ± std\. dev\. of 2 runs, 3 loops each\)$/);
  });

  it('setup above runs once in the same namespace; setup none leaves names undefined', async () => {
    const log = path.join(dir, 'setup.log');
    const file = write(
      dir,
      'setup.py',
      `import os\n# %%\nopen(${JSON.stringify(log)}, 'a').write('s')\nvalue = 21\n# %%\ny = value * 2\n`,
    );
    const r = await timeCell({ file, cell: 1, python, runs: 2, loops: 5 });
    assert.equal(count(log), 1, 'setup ran exactly once');
    assert.ok(r.setupSeconds >= 0);
    await assert.rejects(timeCell({ file, cell: 1, python, setup: 'none', runs: 1, loops: 1 }), (err: unknown) => {
      assert.ok(err instanceof CellRaisedError);
      assert.equal(err.detail.type, 'NameError');
      assert.equal(err.detail.line, 6);
      return true;
    });
  });

  it('a slow cell past the time cap runs once', async () => {
    const log = path.join(dir, 'cap.log');
    const file = write(
      dir,
      'cap.py',
      `# %%\nimport time\ntime.sleep(0.25)\nopen(${JSON.stringify(log)}, 'a').write('.')\n`,
    );
    const r = await timeCell({ file, cell: 0, python, timeCapSeconds: 1 });
    assert.equal(r.capped, true);
    assert.equal(r.runs, 1);
    assert.equal(r.loops, 1);
    assert.equal(count(log), 1);
    assert.equal(r.mean, r.firstRun);
  });

  it('synchronises CUDA around every timed run once the cell has imported torch and initialised CUDA', async () => {
    // A stand-in torch next to the file (the file's folder is sys.path[0]) that counts synchronize() calls.
    const log = path.join(dir, 'sync.log');
    fs.mkdirSync(path.join(dir, 'torch'));
    fs.writeFileSync(
      path.join(dir, 'torch', '__init__.py'),
      `class _Cuda:\n    def is_available(self): return True\n    def is_initialized(self): return True\n` +
        `    def synchronize(self):\n        open(${JSON.stringify(log)}, 'a').write('.')\ncuda = _Cuda()\n`,
    );
    const file = write(dir, 'gpu.py', '# %%\nimport torch\ny = 1\n');
    const r = await timeCell({ file, cell: 0, python, loops: 2, runs: 3 });
    assert.equal(r.cudaSync, true);
    // Cold run: torch arrives during it, so only its end is synchronised; then 3 runs, each synchronised at both ends.
    assert.equal(count(log), 1 + 3 * 2);
    const plain = write(dir, 'cpu.py', '# %%\ny = 1\n');
    assert.equal((await timeCell({ file: plain, cell: 0, python, loops: 2, runs: 3 })).cudaSync, false);
  });

  it('runs in the file folder, with __name__ == "__main__" and __file__ set', async () => {
    fs.writeFileSync(path.join(dir, 'data.txt'), 'hello');
    const file = write(
      dir,
      'cwd.py',
      `# %%\nassert open('data.txt').read() == 'hello'\nassert __name__ == '__main__'\nassert __file__.endswith('cwd.py')\n`,
    );
    const r = await timeCell({ file, cell: 0, python, runs: 1, loops: 1 });
    assert.equal(r.runs, 1);
  });
});

describe('timing harness: failures', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('maps a traceback into the .py file (cell and the function it calls) and quotes the editor text', async () => {
    const text = ['import math', '# %%', 'def f(x):', '    return 1 / x', '', '# %% Raise', 'y = 2', 'f(0)', ''].join(
      '\n',
    );
    // The disk holds something else: the unsaved editor text is what runs and what the traceback quotes.
    const file = write(dir, 'bad.py', '# nothing here\n');
    await assert.rejects(timeCell({ file, text, cell: 1, python }), (err: unknown) => {
      assert.ok(err instanceof CellRaisedError && err instanceof UserError);
      assert.equal(err.message, 'cell 2 raised ZeroDivisionError: division by zero (bad.py, line 4)');
      assert.deepEqual(
        err.detail.frames.map((f) => [f.line, f.name]),
        [
          [8, '<module>'],
          [4, 'f'],
        ],
      );
      assert.match(err.traceback, /line 8, in <module>\n\s+f\(0\)/);
      assert.match(err.traceback, /line 4, in f\n\s+return 1 \/ x/);
      assert.doesNotMatch(err.traceback, /<string>|inner|harness/);
      return true;
    });
  });

  it('reports a syntax error at its line, and an error in a setup cell as setup', async () => {
    const file = write(dir, 'syntax.py', '# %%\nboom = 1 / 0\n# %%\nx = 1\n# %%\n\nx = (\n');
    await assert.rejects(timeCell({ file, cell: 2, python, setup: 'none' }), (err: unknown) => {
      assert.ok(err instanceof CellRaisedError);
      assert.equal(err.detail.phase, 'compile');
      assert.equal(err.detail.type, 'SyntaxError');
      assert.equal(err.detail.line, 7);
      return true;
    });
    await assert.rejects(timeCell({ file, cell: 1, python }), (err: unknown) => {
      assert.ok(err instanceof CellRaisedError);
      assert.equal(err.detail.phase, 'setup');
      assert.equal(err.detail.line, 2);
      assert.match(err.message, /^setup cell 1 raised ZeroDivisionError/);
      return true;
    });
  });

  it('rejects markdown, empty and missing cells with a clear message', async () => {
    const file = write(dir, 'kinds.py', '# %% [markdown]\n# hi\n# %%\n# just a comment\n');
    await assert.rejects(timeCell({ file, cell: 0, python }), /markdown cell/);
    await assert.rejects(timeCell({ file, cell: 1, python }), /no code to time/);
    await assert.rejects(timeCell({ file, cell: 5, python }), /no such cell in kinds\.py \(cells 1: line 3\)/);
    await assert.rejects(timeCell({ file: path.join(dir, 'nope.py'), cell: 0, python }), /Python file not found/);
  });

  it('cancellation kills the harness and the processes the cell started', async () => {
    const pids = path.join(dir, 'pids.txt');
    const file = write(
      dir,
      'forever.py',
      `# %%\nimport os, subprocess, time\np = subprocess.Popen(['sleep', '60'])\nopen(${JSON.stringify(pids)}, 'w').write('%d %d' % (os.getpid(), p.pid))\ntime.sleep(60)\n`,
    );
    const source = new CancellationSource();
    let spawned = 0;
    const started = Date.now();
    const run = timeCell({ file, cell: 0, python, cancellation: source.token, onSpawn: (pid) => (spawned = pid) });
    await waitFor(() => fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').includes(' '), 15000);
    const [harnessPid, childPid] = fs.readFileSync(pids, 'utf8').split(' ').map(Number);
    assert.ok(alive(harnessPid) && alive(childPid));
    source.cancel();
    await assert.rejects(run, CancelledError);
    await waitFor(() => !alive(harnessPid) && !alive(childPid), 5000);
    assert.ok(spawned > 0);
    assert.ok(Date.now() - started < 30000, 'cancelled long before the cell would end');
  });

  it('no Python: a clear message with the fix, for a missing path, an empty PATH and an unstartable interpreter', async () => {
    assert.throws(
      () => resolvePython([{ path: path.join(dir, 'no-python'), source: 'explicit', via: '--python' }]),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(
          err.message,
          /Python interpreter not found: .*no-python \(from --python\)\. Fix: install Python 3/,
        );
        return true;
      },
    );
    assert.throws(
      () => resolvePython([], { PATH: dir }),
      /No Python found: python3 is not on PATH\. Fix: .*flowbench\.timing\.pythonPath/,
    );
    assert.throws(
      () => resolvePython([{ path: 'python-does-not-exist', source: 'setting', via: 'flowbench.timing.pythonPath' }]),
      /'python-does-not-exist' \(from flowbench\.timing\.pythonPath\) is not on PATH/,
    );
    const job = {
      mode: 'timeit' as const,
      file: path.join(dir, 'x.py'),
      setup: [],
      cells: [{ line: 2, source: 'x = 1' }],
      runs: 1,
      loops: 1,
      timeCap: 0,
    };
    await assert.rejects(
      runHarness(job, { python: path.join(dir, 'gone'), cwd: dir }),
      /cannot start Python interpreter .*gone \(ENOENT\)\. Fix:/,
    );
    await assert.rejects(
      runHarness(job, { python: '/bin/false', cwd: dir }),
      /exited with code 1 without a timing result/,
    );
    // A folder (a virtual environment) resolves to its interpreter.
    const venvBin = path.join(dir, 'venv', 'bin');
    fs.mkdirSync(venvBin, { recursive: true });
    fs.symlinkSync(python.path, path.join(venvBin, 'python'));
    assert.equal(
      resolvePython([{ path: path.join(dir, 'venv'), source: 'setting' }]).path,
      path.join(venvBin, 'python'),
    );
  });

  it('compare times two cells in one process and reports B/A with its spread', async () => {
    const file = write(dir, 'ab.py', '# %%\nimport time\n# %%\ntime.sleep(0.002)\n# %%\ntime.sleep(0.006)\n');
    const r = await compareCells({ file, a: 1, b: 2, python, runs: 4, loops: 10 });
    assert.equal(r.a.runs, 4);
    assert.equal(r.b.loops, 10);
    assert.ok(r.ratio > 1.8 && r.ratio < 3.6, `ratio ${r.ratio}`);
    assert.ok(r.ratioMin <= r.ratio * 1.2 && r.ratioMax >= r.ratioMin);
    assert.match(r.summary, /^B\/A = \d\.\d{3} ± \d\.\d{3} \(4 interleaved pairs/);
  });

  it('compare runs the cells above the later one first, the earlier timed cell included, once', async () => {
    const log = path.join(dir, 'ab.log');
    const cell = (name: string) => `# %%\nopen(${JSON.stringify(log)}, 'a').write('${name}')\n`;
    const file = write(dir, 'first.py', `${cell('a')}${cell('s')}${cell('b')}`);
    const r = await compareCells({ file, a: 0, b: 2, python, runs: 1, loops: 1 });
    const ran = fs.readFileSync(log, 'utf8');
    // Cells 1 and 2 once as setup (what cell 3 sees when timed alone), then each timed cell once cold, once timed.
    assert.deepEqual([...ran].sort().join(''), 'aaabbs');
    assert.equal(ran.slice(0, 2), 'as');
    assert.deepEqual(r.setupCells, [0, 1]);
    assert.equal(r.a.cellNumber, 1);
    assert.equal(r.b.cellNumber, 3);
  });

  it('compare of two dependent cells (B uses a name A defines) gives a ratio instead of a NameError', async () => {
    const file = write(dir, 'dep.py', '# %%\nimport time\n# %%\ndata = list(range(2000))\n# %%\ntotal = sum(data)\n');
    const r = await compareCells({ file, a: 1, b: 2, python, runs: 2, loops: 5 });
    assert.ok(Number.isFinite(r.ratio) && r.ratio > 0, r.summary);
    assert.match(r.summary, /cell 3 is [\d.]+× (slower|faster) than cell 2$/);
  });
});

describe('timing harness: results out of band, the timeout, cells that try to end the run', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a cell printing a record, or writing one to descriptor 3 or every descriptor, gets its real timing', async () => {
    const forged = JSON.stringify(`\n${HARNESS_MARK}${FORGED}\n`);
    const cells = [
      `print(${forged}, end='')`,
      `try:\n    os.write(3, ${forged}.encode())\nexcept OSError:\n    pass`,
      `for fd in range(3, 1024):\n    try:\n        os.write(fd, ${forged}.encode())\n` +
        '    except OSError:\n        pass',
    ];
    const file = write(dir, 'forge.py', cells.map((c) => `# %%\nimport os, time\n${c}\ntime.sleep(0.002)\n`).join(''));
    for (const cell of [0, 1, 2]) {
      const r = await timeCell({ file, cell, python, runs: 2, loops: 2, setup: 'none' });
      assert.ok(r.mean >= 0.002, `cell ${cell}: ${r.line}`);
      assert.notEqual(r.interpreter.executable, 'forged');
      if (cell === 0) assert.equal(r.output, `\n${HARNESS_MARK}${FORGED}\n`.repeat(1 + 2 * 2), 'its output, untouched');
    }
  });

  it('a cell that closes or replaces every descriptor is told it cut the record channel', async () => {
    const file = write(
      dir,
      'cut.py',
      '# %%\nimport os\nos.closerange(3, 65536)\n# %%\nimport os\n' +
        'null = os.open(os.devnull, os.O_WRONLY)\nfor fd in range(3, 1024):\n    if fd != null:\n' +
        '        try:\n            os.dup2(null, fd)\n        except OSError:\n            pass\n',
    );
    for (const cell of [0, 1]) {
      await assert.rejects(timeCell({ file, cell, python, setup: 'none' }), (err: unknown) => {
        assert.ok(err instanceof UserError && !(err instanceof CellRaisedError));
        const expected =
          `cell ${cell + 1} closed or replaced the harness's private record channel, ` +
          'so no timing result came back';
        assert.equal(err.message, expected);
        return true;
      });
    }
  });

  it('KeyboardInterrupt, sys.exit(), os._exit() and posix._exit() in a cell each say what happened', async () => {
    const file = write(
      dir,
      'exits.py',
      '# %%\nraise KeyboardInterrupt\n# %%\nimport sys\nsys.exit(4)\n# %%\nexit()\n' +
        '# %%\nimport os\nos._exit(5)\n# %%\nimport posix\nposix._exit(6)\n',
    );
    const expected = [
      'cell 1 raised KeyboardInterrupt (exits.py, line 2): the cell interrupted itself, so nothing was timed',
      'cell 2 raised SystemExit: 4 (exits.py, line 5): a timed cell must not call sys.exit() or exit()',
      'cell 3 raised SystemExit: None (exits.py, line 7): a timed cell must not call sys.exit() or exit()',
      'cell 4 called os._exit(5) (exits.py, line 10): a timed cell must not end the Python process',
    ];
    for (const [cell, message] of expected.entries()) {
      await assert.rejects(timeCell({ file, cell, python, setup: 'none' }), (err: unknown) => {
        assert.ok(err instanceof CellRaisedError, String(err));
        assert.equal(err.message, message);
        assert.match(err.traceback, /exits\.py", line \d+, in <module>/);
        return true;
      });
    }
    // What the harness cannot see coming still names the cell and the exit status.
    await assert.rejects(timeCell({ file, cell: 4, python, setup: 'none' }), (err: unknown) => {
      assert.ok(err instanceof UserError && !(err instanceof CellRaisedError));
      assert.match(err.message, /^the Python process exited with code 6 while running cell 5, before any timing/);
      return true;
    });
    // In setup, the message says so.
    const inSetup = timeCell({ file, cell: 1, python });
    await assert.rejects(inSetup, /setup cell 1 raised KeyboardInterrupt \(exits\.py, line 2\)/);
  });

  it('the timeout kills a cell that never ends and what it started, and says so', async () => {
    const pids = path.join(dir, 'pids.txt');
    const file = write(
      dir,
      'forever.py',
      `# %%\nimport os, subprocess, time\np = subprocess.Popen(['sleep', '60'])\n` +
        `open(${JSON.stringify(pids)}, 'w').write('%d %d' % (os.getpid(), p.pid))\ntime.sleep(60)\n`,
    );
    const started = Date.now();
    const run = timeCell({ file, cell: 0, python, timeoutSeconds: 1.5, timeoutVia: '--timeout' });
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof TimingTimeoutError && err instanceof UserError);
      assert.equal(
        err.message,
        'timed out after 1.5 s (--timeout) while running cell 1; ' +
          'the Python process and everything it started were stopped',
      );
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1400 && elapsed < 10000, `stopped after ${elapsed} ms`);
    const [harnessPid, childPid] = fs.readFileSync(pids, 'utf8').split(' ').map(Number);
    await waitFor(() => !alive(harnessPid) && !alive(childPid), 5000);
  });

  it('the timeout counts the setup cells, and names them; a run within it is untouched', async () => {
    const file = write(dir, 'slowsetup.py', '# %%\nimport time\ntime.sleep(60)\n# %%\nx = 1\n');
    const slow = timeCell({ file, cell: 1, python, timeoutSeconds: 1 });
    await assert.rejects(slow, /timed out after 1 s while running cell 1 \(setup\);/);
    const r = await timeCell({ file, cell: 1, python, setup: 'none', timeoutSeconds: 30, runs: 2, loops: 2 });
    assert.equal(r.runs, 2);
    const negative = timeCell({ file, cell: 1, python, timeoutSeconds: -1 });
    await assert.rejects(negative, /the timeout must be ≥ 0 s, got -1/);
  });

  it('the harness and what the cell started stop when the process that started it dies (stdin closes)', async () => {
    const pidFile = path.join(dir, 'pid');
    const source =
      `import os, subprocess, time\np = subprocess.Popen(['sleep', '60'])\n` +
      `open(${JSON.stringify(pidFile)}, 'w').write('%d %d' % (os.getpid(), p.pid))\ntime.sleep(60)\n`;
    const file = write(dir, 'orphan.py', `# %%\n${source}`);
    const cells = [{ line: 2, source, label: 'cell 0' }];
    const job = { mode: 'timeit', file, setup: [], cells, runs: 1, loops: 1, timeCap: 0 };
    const options = { python: python.path, cwd: dir };
    const parent = spawn(
      process.execPath,
      [path.join(__dirname, 'harnessParent.js'), JSON.stringify(job), JSON.stringify(options)],
      { stdio: 'ignore' },
    );
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8') !== '', 15000);
    const [harnessPid, childPid] = fs.readFileSync(pidFile, 'utf8').split(' ').map(Number);
    assert.ok(alive(harnessPid) && alive(childPid));
    parent.kill('SIGKILL');
    await waitFor(() => !alive(harnessPid) && !alive(childPid), 5000);
  });
});
