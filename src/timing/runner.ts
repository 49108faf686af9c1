import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CancelledError, UserError, onCancelled, type Cancellation } from '../util/errors';
import { HARNESS_MARK } from './protocol';
import { NO_PYTHON_FIX } from './python';
import { shippedFile } from './shipped';
import type { TimeitRuns } from './stats';
import { trackChild } from '../util/children';

/** What the harness is asked to do (see harness.py). Lines are 1-based lines of the file. */
export interface HarnessJob {
  mode: 'timeit' | 'compare' | 'loader';
  file: string;
  text?: string;
  setup: Array<{ line: number; source: string; label?: string }>;
  cells: Array<{ line: number; source: string; label?: string }>;
  runs: number;
  loops: number;
  timeCap: number;
  /** Mode 'loader': the iterable to time after the cell ran, and how (see loader.ts). */
  loader?: { name: string; workers: number[] | null; batches: number; timeBudget: number; toDevice: boolean };
}

export interface HarnessProgress {
  event: 'progress';
  phase: 'calibrate' | 'cold' | 'runs' | 'run' | 'loader';
  cell?: string;
  /** Mode 'loader': the num_workers value being timed and the batches so far. */
  workers?: number | null;
  batches?: number;
  loops?: number;
  run?: number;
  runs?: number;
  etaSeconds?: number;
  elapsedSeconds?: number;
}

/** The harness reports each cell's %timeit figures with their runs. */
export type HarnessStats = TimeitRuns;

export interface HarnessEnvironment {
  python: { executable: string; version: string; implementation: string };
  ipython: { version: string | null; micro: string | null } | null;
}

export interface HarnessTimeitResult extends HarnessStats, HarnessEnvironment {
  event: 'result';
  compileTime: number;
  setupSeconds: number;
  firstLoopEpoch: number | null;
  cudaSync: boolean;
}

export interface HarnessCompareResult extends HarnessEnvironment {
  event: 'result';
  a: HarnessStats;
  b: HarnessStats;
  ratio: number;
  pairRatios: number[];
  ratioMean: number;
  ratioStdev: number;
  ratioMin: number;
  ratioMax: number;
  setupSeconds: number;
  firstLoopEpoch: number | null;
  cudaSync: boolean;
}

export interface HarnessError extends HarnessEnvironment {
  event: 'error';
  phase: 'setup' | 'compile' | 'run' | 'loader';
  cell: string | null;
  type: string;
  message: string;
  traceback: string;
  line: number | null;
  frames: Array<{ file: string; line: number; name: string }>;
  /** The cell tried to end the run rather than failed (type is 'os._exit' for that call). */
  stop?: 'SystemExit' | 'KeyboardInterrupt' | 'os._exit' | null;
}

/** The cell code the harness starts next: a setup part, or a timed cell. */
interface HarnessRunning {
  event: 'running';
  phase: 'setup' | 'run';
  cell: string | null;
}

export interface RunHarnessOptions {
  python: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  cancellation?: Cancellation;
  onProgress?: (p: HarnessProgress) => void;
  /** Called with the pid as soon as the process exists (tests check it is gone after cancellation). */
  onSpawn?: (pid: number) => void;
  /** The cell's own output (stdout and stderr), as it arrives. */
  onOutput?: (text: string) => void;
  /** Stops the run (interpreter start and setup included) after this many seconds; 0 or absent: no limit. */
  timeoutSeconds?: number;
  /** What set the timeout ('--timeout', a setting), for its message. */
  timeoutVia?: string;
}

/** The run went past its timeout; the harness and everything it started were killed. */
export class TimingTimeoutError extends UserError {
  constructor(
    readonly seconds: number,
    readonly running: string,
    via?: string,
  ) {
    super(
      `timed out after ${seconds} s${via ? ` (${via})` : ''} while running ${running}; ` +
        'the Python process and everything it started were stopped',
    );
    this.name = 'TimingTimeoutError';
  }
}

export interface HarnessRun<R> {
  outcome: R | HarnessError;
  /** Last part of the cell's own output (what it printed), for display next to an error. */
  output: string;
}

const OUTPUT_TAIL = 64 * 1024;
/** Where the harness writes its records (see harness.py); it moves it to a private number before the cell runs. */
const RESULT_FD = 3;
/** A longer line on the record channel is no record of ours (setTimeout also tops out near 2^31 ms). */
const RECORD_LIMIT = 16 * 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** harness.py, shipped beside the bundle (see shippedFile). */
export function harnessPath(): string {
  return shippedFile('harness.py');
}

/** Kills the harness and whatever the cell started: the whole process group (POSIX) or tree (Windows). */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () =>
      child.kill(),
    );
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * Runs the harness with a job and returns its one result or error record. Rejects with CancelledError after
 * killing the process tree when the token flips, with TimingTimeoutError likewise when the timeout passes, and
 * with UserError when the interpreter cannot be started, does not run the harness (not Python 3, a broken
 * environment) or the cell ended the process before a result.
 *
 * Records travel out of band: on descriptor 3, each line tagged with a nonce that only this process and the
 * harness know (it arrives on stdin with the job). What the cell prints, or writes to descriptor 3 (the harness
 * has moved its end away by then), cannot pass for a record. Stdout is scanned for the tag too, for a harness that
 * found no descriptor 3 (a platform that passes none) and fell back to it; there the nonce alone guards.
 */
export function runHarness<R extends { event: 'result' }>(
  job: HarnessJob,
  options: RunHarnessOptions,
): Promise<HarnessRun<R>> {
  return new Promise((resolve, reject) => {
    const nonce = randomBytes(16).toString('hex');
    const tag = `${HARNESS_MARK}${nonce} `;
    let child: ChildProcess;
    try {
      child = spawn(options.python, ['-u', harnessPath(), '--result-fd', String(RESULT_FD), '--watch-stdin'], {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' },
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        // Own process group, so cancelling reaches the cell's subprocesses too (kill(-pgid)).
        detached: process.platform !== 'win32',
        windowsHide: true,
        shell: false,
      });
    } catch (err) {
      reject(spawnError(options.python, err as NodeJS.ErrnoException));
      return;
    }
    const untrack = trackChild(() => killTree(child), { pid: child.pid, group: process.platform !== 'win32' });
    child.once('exit', untrack);
    let settled = false;
    let outcome: R | HarnessError | undefined;
    let running: HarnessRunning | undefined;
    let tail = '';
    let pending = '';
    let stderr = '';
    let heldBlank = false;
    let timer: NodeJS.Timeout | undefined;
    const keep = (text: string) => {
      if (text === '') return;
      tail = (tail + text).slice(-OUTPUT_TAIL);
      options.onOutput?.(text);
    };
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      onCancel.dispose();
      if (timer) clearTimeout(timer);
      fn();
    };
    const onCancel = onCancelled(options.cancellation, () => {
      killTree(child);
      finish(() => reject(new CancelledError('timing cancelled; the Python process was stopped')));
    });
    const limit = options.timeoutSeconds ?? 0;
    if (limit > 0) {
      timer = setTimeout(
        () => {
          killTree(child);
          // A result already in, held up only by something the cell left running on its stdout, still counts.
          if (outcome) finish(() => resolve({ outcome: outcome!, output: tail }));
          else finish(() => reject(new TimingTimeoutError(limit, runningText(running), options.timeoutVia)));
        },
        Math.min(limit * 1000, MAX_TIMER_MS),
      );
    }

    child.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(spawnError(options.python, err))));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stdin!.on('error', () => undefined); // the harness may exit before reading everything
    child.stdin!.write(JSON.stringify({ ...job, nonce }) + '\n');
    // stdin stays open: the harness exits when it closes (see watch_parent), so a dead editor leaves no runaway cell.

    const records = child.stdio[RESULT_FD] as Readable | null;
    let recordPending = '';
    records?.on('error', () => undefined);
    records?.setEncoding('utf8');
    records?.on('data', (chunk: string) => {
      recordPending += chunk;
      let nl: number;
      while ((nl = recordPending.indexOf('\n')) >= 0) {
        const line = recordPending.slice(0, nl);
        recordPending = recordPending.slice(nl + 1);
        if (line.startsWith(tag)) handleRecord(line.slice(tag.length));
      }
      if (recordPending.length > RECORD_LIMIT) recordPending = '';
    });

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        if (line.startsWith(tag)) {
          heldBlank = false; // the harness's own newline before its record
          handleRecord(line.slice(tag.length));
        } else if (line === '\n' && !heldBlank) {
          heldBlank = true;
        } else {
          if (heldBlank) keep('\n');
          heldBlank = line === '\n';
          if (!heldBlank) keep(line);
        }
      }
      // Output without a newline yet (a progress bar) is shown at once unless it may be the start of a record.
      if (pending !== '' && heldBlank) {
        keep('\n');
        heldBlank = false;
      }
      if (pending !== '' && !tag.startsWith(pending.slice(0, tag.length))) {
        keep(pending);
        pending = '';
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-OUTPUT_TAIL);
      keep(chunk);
    });

    function handleRecord(json: string) {
      // The first outcome is the harness's; nothing after it (a thread the cell left behind) can change it.
      if (outcome) return;
      let rec: { event?: string };
      try {
        rec = JSON.parse(json);
      } catch {
        return;
      }
      if (rec.event === 'progress') options.onProgress?.(rec as HarnessProgress);
      else if (rec.event === 'running') running = rec as HarnessRunning;
      else if (rec.event === 'result' || rec.event === 'error') outcome = rec as R | HarnessError;
    }

    child.on('close', (code, signal) => {
      if (pending !== '') {
        if (pending.startsWith(tag)) handleRecord(pending.slice(tag.length));
        else keep(pending);
        pending = '';
      }
      if (recordPending.startsWith(tag)) handleRecord(recordPending.slice(tag.length));
      if (heldBlank) keep('\n');
      const output = tail;
      if (outcome) {
        finish(() => resolve({ outcome: outcome!, output }));
        return;
      }
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      if (running) {
        finish(() => reject(new UserError(endedMessage(code, why, runningText(running)))));
        return;
      }
      finish(() =>
        reject(
          new UserError(
            `the interpreter ${options.python} ${why} without a timing result${last ? `: ${last}` : ''}. ` +
              'Flowbench needs Python 3.7 or newer; check flowbench.timing.pythonPath.',
          ),
        ),
      );
    });
  });
}

/** 'cell 2', 'cell 0 (setup)', or the interpreter itself before any cell code. */
function runningText(r: HarnessRunning | undefined): string {
  if (!r) return 'no cell yet (Python was starting)';
  return r.phase === 'setup' ? `${r.cell ?? 'the code above'} (setup)` : (r.cell ?? 'the cell');
}

/** The harness ran cell code and then ended without a record. */
function endedMessage(code: number | null, why: string, what: string): string {
  // 0 and 71 (harness.py's own status for it) come after records that could not reach us.
  if (code === 0 || code === 71) {
    return `${what} closed or replaced the harness's private record channel, so no timing result came back`;
  }
  return (
    `the Python process ${why} while running ${what}, before any timing result: the cell ended it ` +
    '(os._exit, os.abort, a signal or a crash in native code)'
  );
}

function spawnError(python: string, err: NodeJS.ErrnoException): Error {
  if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'ENOTDIR') {
    return new UserError((f) => `cannot start Python interpreter ${python} (${err.code}). ${NO_PYTHON_FIX(f)}`);
  }
  return err;
}
