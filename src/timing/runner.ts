import { spawn, type ChildProcess } from 'node:child_process';
import { CancelledError, UserError, onCancelled, type Cancellation } from '../util/errors';
import { HARNESS_MARK, HARNESS_SOURCE } from './harnessSource';
import { NO_PYTHON_FIX } from './python';
import type { TimeitRuns } from './stats';

/** What the harness is asked to do (see harnessSource.ts). Lines are 1-based lines of the file. */
export interface HarnessJob {
  mode: 'timeit' | 'compare';
  file: string;
  text?: string;
  setup: Array<{ line: number; source: string; label?: string }>;
  cells: Array<{ line: number; source: string; label?: string }>;
  runs: number;
  loops: number;
  timeCap: number;
}

export interface HarnessProgress {
  event: 'progress';
  phase: 'calibrate' | 'cold' | 'runs' | 'run';
  cell?: string;
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
  phase: 'setup' | 'compile' | 'run';
  cell: string | null;
  type: string;
  message: string;
  traceback: string;
  line: number | null;
  frames: Array<{ file: string; line: number; name: string }>;
}

export interface RunHarnessOptions {
  python: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  cancellation?: Cancellation;
  onProgress?: (p: HarnessProgress) => void;
  /** Called with the pid as soon as the process exists (tests check it is gone after cancellation). */
  onSpawn?: (pid: number) => void;
  /** The cell's own output (stdout and stderr, markers removed), as it arrives. */
  onOutput?: (text: string) => void;
}

export interface HarnessRun<R> {
  outcome: R | HarnessError;
  /** Last part of the cell's own output (what it printed), for display next to an error. */
  output: string;
}

const OUTPUT_TAIL = 64 * 1024;

/** Kills the harness and whatever the cell started: the whole process group (POSIX) or tree (Windows). */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => child.kill());
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
 * killing the process tree when the token flips, and with UserError when the interpreter cannot be started or
 * does not run the harness (not Python 3, a broken environment).
 */
export function runHarness<R extends { event: 'result' }>(job: HarnessJob, options: RunHarnessOptions): Promise<HarnessRun<R>> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(options.python, ['-u', '-c', HARNESS_SOURCE], {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
        // Own process group, so cancelling reaches the cell's subprocesses too (kill(-pgid)).
        detached: process.platform !== 'win32',
        windowsHide: true,
        shell: false,
      });
    } catch (err) {
      reject(spawnError(options.python, err as NodeJS.ErrnoException));
      return;
    }
    let settled = false;
    let outcome: R | HarnessError | undefined;
    let tail = '';
    let pending = '';
    let stderr = '';
    let heldBlank = false;
    const keep = (text: string) => {
      if (text === '') return;
      tail = (tail + text).slice(-OUTPUT_TAIL);
      options.onOutput?.(text);
    };
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      onCancel.dispose();
      fn();
    };
    const onCancel = onCancelled(options.cancellation, () => {
      killTree(child);
      finish(() => reject(new CancelledError('timing cancelled; the Python process was stopped')));
    });

    child.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(spawnError(options.python, err))));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stdin!.on('error', () => undefined); // the harness may exit before reading everything
    child.stdin!.write(JSON.stringify(job) + '\n');
    // stdin stays open: the harness exits when it closes (see watch_parent), so a dead editor leaves no runaway cell.

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        if (line.startsWith(HARNESS_MARK)) {
          heldBlank = false; // the harness's own newline before its marker
          handleRecord(line.slice(HARNESS_MARK.length));
        } else if (line === '\n' && !heldBlank) {
          heldBlank = true;
        } else {
          if (heldBlank) keep('\n');
          heldBlank = line === '\n';
          if (!heldBlank) keep(line);
        }
      }
      // Output without a newline yet (a progress bar) is shown at once unless it may be the start of a marker.
      if (pending !== '' && heldBlank) {
        keep('\n');
        heldBlank = false;
      }
      if (pending !== '' && !HARNESS_MARK.startsWith(pending.slice(0, HARNESS_MARK.length))) {
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
      let rec: { event?: string };
      try {
        rec = JSON.parse(json);
      } catch {
        return;
      }
      if (rec.event === 'progress') options.onProgress?.(rec as HarnessProgress);
      else if (rec.event === 'result' || rec.event === 'error') outcome = rec as R | HarnessError;
    }

    child.on('close', (code, signal) => {
      if (pending !== '') {
        if (pending.startsWith(HARNESS_MARK)) handleRecord(pending.slice(HARNESS_MARK.length));
        else keep(pending);
        pending = '';
      }
      if (heldBlank) keep('\n');
      const output = tail;
      if (outcome) {
        finish(() => resolve({ outcome: outcome!, output }));
        return;
      }
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
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

function spawnError(python: string, err: NodeJS.ErrnoException): Error {
  if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'ENOTDIR') {
    return new UserError((f) => `cannot start Python interpreter ${python} (${err.code}). ${NO_PYTHON_FIX(f)}`);
  }
  return err;
}
