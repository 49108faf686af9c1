/**
 * Ctrl-C for real: the bundled CLI runs as its own process group (as a terminal's foreground job), gets SIGINT or
 * SIGTERM once it is working, and must exit 130 within a second of the signal, leaving no output, no temp file and
 * no process behind. "Ctrl-C" is sent to the whole group, as a terminal does, so the ONNX Runtime worker would get
 * it too if it were in that group.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { linearRegressorModel } from '../../../src/inference/onnxBuilder';
import { DIST_CLI, ensureDist, snapshot } from './harness';

const LINUX = process.platform === 'linux';

/** Every process whose parent is `pid`, and theirs (from /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(e), ppid);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parents) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); read its state instead.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Bytes the process has read so far (/proc/<pid>/io rchar): how we know it is working on the input. */
function bytesRead(pid: number): number {
  try {
    return Number(/rchar: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** From the signal to the process's exit. */
  ms: number;
  /** The processes under the CLI when the signal went. */
  children: number[];
}

/**
 * Starts the CLI in `cwd` as the leader of its own process group, waits until `working` says it is busy, then sends
 * `signal` (to the group: a terminal's Ctrl-C) and times how long it takes to exit.
 */
async function interrupt(
  argv: string[],
  cwd: string,
  working: (pid: number) => boolean,
  signal: NodeJS.Signals = 'SIGINT',
  o: { toGroup?: boolean; twice?: boolean } = {},
): Promise<Interrupted> {
  const child: ChildProcess = spawn(process.execPath, [DIST_CLI, ...argv], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, sig) => resolve({ code, signal: sig, at: Date.now() })),
  );
  const pid = child.pid!;
  try {
    await until('the command to start working', () => working(pid) || child.exitCode !== null);
    assert.equal(child.exitCode, null, `it finished before the signal: ${stderr}`);
    const children = descendants(pid);
    const t0 = Date.now();
    if (o.toGroup !== false) process.kill(-pid, signal);
    else process.kill(pid, signal);
    if (o.twice) {
      await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) process.kill(-pid, signal);
    }
    const r = await exited;
    return { code: r.code, signal: r.signal, stderr, ms: r.at - t0, children };
  } finally {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function assertCancelled(r: Interrupted, context: string): void {
  assert.equal(r.signal, null, `${context}: killed by ${r.signal} instead of exiting`);
  assert.equal(r.code, 130, `${context}: exit ${r.code}, expected 130; stderr:\n${r.stderr}`);
  assert.ok(r.ms < 1000, `${context}: took ${r.ms} ms after the signal to exit`);
  assert.equal(r.stderr.trim(), 'error: cancelled', `${context}: stderr:\n${r.stderr}`);
}

async function assertNoLeftovers(r: Interrupted, context: string): Promise<void> {
  // A child may be on its way out when its parent exits: it must be gone within a second.
  await until(`${context}: the child processes ${r.children.join(', ')} to end`, () => !r.children.some(alive), 1000);
}

/** A CSV of about `mb` megabytes: two numeric features and a label. Returns its rows. */
function bigCsv(file: string, mb: number): number {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'a,b,y\n');
  const rows: string[] = [];
  for (let i = 0; i < 4096; i++) rows.push(`${(i * 0.37) % 11},${(i * 7) % 13},${i % 3 === 0 ? 'neg' : 'pos'}`);
  const block = rows.join('\n') + '\n';
  let n = 0;
  for (let written = 0; written < mb * 1024 * 1024; written += block.length, n += rows.length) fs.writeSync(fd, block);
  fs.closeSync(fd);
  return n;
}

(LINUX ? describe : describe.skip)(
  'signals: Ctrl-C and SIGTERM stop every command cleanly, within a second',
  function () {
    this.timeout(120_000);
    let dir: string;
    let before0: Map<string, string>;
    before(() => {
      ensureDist();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-signals-'));
      const rows = bigCsv(path.join(dir, 'big.csv'), 30);
      // A two-fold split of big.csv, so eval reads the split and then spends its time on the data.
      fs.writeFileSync(path.join(dir, 'folds.csv'), 'fold\n' + '0\n1\n'.repeat(rows / 2));
      fs.writeFileSync(path.join(dir, 'reg.onnx'), linearRegressorModel([2, 0.5], 1));
      fs.writeFileSync(path.join(dir, 'old.csv'), 'an earlier good output\n');
      fs.writeFileSync(path.join(dir, 'old.csv.json'), '{}\n');
      fs.writeFileSync(path.join(dir, 'spin.py'), '# %%\nimport time\n# %%\nwhile True:\n    time.sleep(0.001)\n');
      fs.mkdirSync(path.join(dir, '.flowbench'));
      fs.writeFileSync(path.join(dir, '.flowbench', 'experiments.jsonl'), '');
      before0 = snapshot(dir);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Everything in the folder as it was: no new output, no temp, the earlier outputs untouched. */
    function assertFolderUnchanged(context: string): void {
      assert.deepEqual([...snapshot(dir)], [...before0], `${context}: the folder changed`);
    }

    it('infer on a 30 MB CSV, Ctrl-C while it reads: 130, no predictions, nothing left running', async () => {
      const r = await interrupt(
        ['infer', 'reg.onnx', '--input', 'big.csv', '--target', 'y', '--out', 'old.csv', '--ep', 'cpu'],
        dir,
        (pid) => bytesRead(pid) > 4 * 1024 * 1024,
      );
      assertCancelled(r, 'infer while reading');
      await assertNoLeftovers(r, 'infer while reading');
      assertFolderUnchanged('infer while reading');
    });

    it('infer, Ctrl-C to the whole group while the ONNX Runtime worker runs: the worker is stopped by Flowbench', async () => {
      let worker = 0;
      // cuda,cpu: the CPU provider alone runs onnxruntime in the CLI's own process, with no worker to stop.
      const r = await interrupt(
        ['infer', 'reg.onnx', '--input', 'big.csv', '--target', 'y', '--out', 'old.csv', '--ep', 'cuda,cpu'],
        dir,
        (pid) => {
          worker = descendants(pid)[0] ?? 0;
          return worker > 0;
        },
      );
      assert.ok(r.children.length > 0, 'the worker had started');
      // Not "write EPIPE" (exit 2) and not a run that ignores the signal and finishes (exit 0).
      assertCancelled(r, 'infer with the worker running');
      await assertNoLeftovers(r, 'infer with the worker running');
      assertFolderUnchanged('infer with the worker running');
    });

    it('split on a 30 MB CSV, SIGTERM while it reads: 130, FOLDS.csv and its manifest untouched', async () => {
      const r = await interrupt(
        ['split', 'big.csv', '--strategy', 'stratified-kfold', '--target', 'y', '--out', 'old.csv'],
        dir,
        (pid) => bytesRead(pid) > 4 * 1024 * 1024,
        'SIGTERM',
      );
      assertCancelled(r, 'split');
      await assertNoLeftovers(r, 'split');
      assertFolderUnchanged('split');
    });

    it('eval on a 30 MB CSV, Ctrl-C: 130, no ledger line', async () => {
      const r = await interrupt(
        ['eval', 'reg.onnx', '--data', 'big.csv', '--split', 'folds.csv', '--target', 'a', '--ep', 'cpu'],
        dir,
        (pid) => bytesRead(pid) > 4 * 1024 * 1024,
      );
      assertCancelled(r, 'eval');
      await assertNoLeftovers(r, 'eval');
      assertFolderUnchanged('eval');
    });

    it('bench with a time budget, Ctrl-C mid-benchmark: 130, the worker gone, no ledger line', async () => {
      let since = 0;
      // Half a second after the worker appears, it is in its timed loop.
      const r = await interrupt(['bench', 'reg.onnx', '--time-budget', '60', '--ep', 'cpu'], dir, (pid) => {
        if (since === 0 && descendants(pid).length > 0) since = Date.now();
        return since > 0 && Date.now() - since > 500;
      });
      assertCancelled(r, 'bench');
      await assertNoLeftovers(r, 'bench');
      assertFolderUnchanged('bench');
    });

    it('timeit on a cell that never ends, Ctrl-C: 130, the Python process group killed, no history line', async function () {
      const r = await interrupt(
        ['timeit', 'spin.py', '--cell', '1', '--history-dir', '.'],
        dir,
        (pid) => descendants(pid).length > 0,
      );
      assertCancelled(r, 'timeit');
      await assertNoLeftovers(r, 'timeit');
      assertFolderUnchanged('timeit');
    });

    it('the worker, in a process group of its own, still dies with its parent (SIGKILL: no cleanup ran)', async () => {
      const child = spawn(
        process.execPath,
        [DIST_CLI, 'bench', 'reg.onnx', '--time-budget', '60', '--ep', 'cpu', '--no-ledger'],
        { cwd: dir, stdio: 'ignore', detached: true },
      );
      const pid = child.pid!;
      let worker = 0;
      try {
        await until('the worker', () => (worker = descendants(pid)[0] ?? 0) > 0);
        const exited = new Promise((r) => child.on('exit', r));
        process.kill(pid, 'SIGKILL');
        await exited;
        // Its IPC channel closes with the parent: the worker exits by itself.
        await until(`worker ${worker} to exit after its parent died`, () => !alive(worker), 3000);
      } finally {
        for (const p of [pid, worker]) {
          try {
            if (p) process.kill(p, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      assertFolderUnchanged('parent killed');
    });

    it('a second Ctrl-C stops at once, still with 130 and nothing left behind', async () => {
      const r = await interrupt(
        ['infer', 'reg.onnx', '--input', 'big.csv', '--target', 'y', '--out', 'old.csv', '--ep', 'cpu'],
        dir,
        (pid) => bytesRead(pid) > 2 * 1024 * 1024,
        'SIGINT',
        { twice: true },
      );
      assertCancelled(r, 'two Ctrl-C');
      await assertNoLeftovers(r, 'two Ctrl-C');
      assertFolderUnchanged('two Ctrl-C');
    });
  },
);
