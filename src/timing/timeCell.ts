import { readCheckedTextSync } from '../util/inputs';
import * as path from 'node:path';
import { UserError, type Cancellation } from '../util/errors';
import { cellName, hasCode, parseCells, preamble, type CellMarkerSettings, type PercentCell } from '../python/cells';
import { formatTimeitLine, slowestRunWarning, MICRO_SIGN, type FormatOptions } from './format';
import type { ResolvedPython } from './python';
import { timeitStats, type TimeitRuns } from './stats';
import {
  runHarness,
  type HarnessCompareResult,
  type HarnessError,
  type HarnessJob,
  type HarnessProgress,
  type HarnessStats,
  type HarnessTimeitResult,
} from './runner';

export type SetupMode = 'above' | 'none';

export interface TimingOptions {
  /** Absolute path of the .py file. */
  file: string;
  /** The editor's text when it differs from the disk (unsaved edits); otherwise the file is read. */
  text?: string;
  setup?: SetupMode;
  runs?: number;
  /** Loops per run; 0 or undefined calibrates like %timeit. */
  loops?: number;
  /** Above this predicted total (s), a slow cell runs once instead; 0 disables. */
  timeCapSeconds?: number;
  /** Past this many seconds (interpreter start and setup included) the run is killed; 0 or absent: no limit. */
  timeoutSeconds?: number;
  /** What set the timeout ('--timeout', a setting), named in its error. */
  timeoutVia?: string;
  precision?: number;
  markers?: CellMarkerSettings;
  python: ResolvedPython;
  /** Working directory of the cell; the file's folder by default, as Jupyter's notebookFileRoot. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  cancellation?: Cancellation;
  onProgress?: (p: HarnessProgress) => void;
  onSpawn?: (pid: number) => void;
  /** Epoch ms when the user asked (the command started): the overhead is measured from here. */
  startedAt?: number;
}

export interface TimeCellOptions extends TimingOptions {
  /** 0-based cell index (markdown cells count). */
  cell: number;
}

export type CellStatistics = TimeitRuns;

export interface TimeCellResult extends CellStatistics {
  file: string;
  /** The cell's index among all cells (markdown included), as the history records it. */
  cell: number;
  /** The number users see: code cells counted from 1. */
  cellNumber: number;
  /** 1-based line of the cell's marker. */
  cellLine: number;
  hash: string;
  title: string;
  /** Exactly as IPython prints it: '12.3 ms ± 456 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)'. */
  line: string;
  /** IPython's 'The slowest run took …' warning, when it applies. */
  warning?: string;
  setup: SetupMode;
  setupCells: number[];
  setupSeconds: number;
  compileTime: number;
  cudaSync: boolean;
  /** path: what was run (maybe a shim); executable: Python's sys.executable. */
  interpreter: { path: string; source: string; executable: string; version: string; implementation: string };
  ipythonVersion: string | null;
  /** Command start to the first timed loop, less the setup cells' own time (ms). */
  overheadMs: number | null;
  /** Epoch ms at which the first timed loop started (benchmarks measure from their own start to here). */
  firstLoopAt: number | null;
  wallMs: number;
  /** What the cell printed (the last 64 KiB). */
  output: string;
}

/** A cell (or its setup) raised: the Python traceback, with lines of the .py file. Nothing is recorded. */
export class CellRaisedError extends UserError {
  constructor(
    readonly detail: HarnessError,
    readonly file: string,
    readonly output: string,
  ) {
    super(cellErrorMessage(detail, file));
    this.name = 'CellRaisedError';
  }

  /** The traceback as Python prints it, lines in the file. */
  get traceback(): string {
    return this.detail.traceback;
  }
}

function cellErrorMessage(d: HarnessError, file: string): string {
  const where = d.line ? ` (${path.basename(file)}, line ${d.line})` : '';
  const what = d.phase === 'setup' ? `setup ${d.cell ?? 'code'}` : (d.cell ?? 'the cell');
  const msg = d.message ? `${d.type}: ${d.message}` : d.type;
  // A cell that tries to end the run is told so, not just shown an exception it may have meant.
  switch (d.stop) {
    case 'SystemExit':
      return `${what} raised ${msg.split('\n')[0]}${where}: a timed cell must not call sys.exit() or exit()`;
    case 'KeyboardInterrupt':
      return `${what} raised ${msg.split('\n')[0]}${where}: the cell interrupted itself, so nothing was timed`;
    case 'os._exit':
      return `${what} called os._exit(${d.message})${where}: a timed cell must not end the Python process`;
  }
  const verb = d.phase === 'compile' ? 'does not compile:' : 'raised';
  return `${what} ${verb} ${msg.split('\n')[0]}${where}`;
}

/** A Python source bigger than this is not a script to time (and reading it whole would be the problem). */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

/** The file's text, opened once and checked: a regular file (a FIFO or a folder is refused), at most 64 MiB. */
export function readSource(file: string, text?: string): string {
  if (text !== undefined) return text;
  return readCheckedTextSync(file, { what: 'Python file', maxBytes: MAX_SOURCE_BYTES });
}

function listCells(cells: PercentCell[]): string {
  return cells
    .filter((c) => c.number !== undefined)
    .map((c) => `${c.number}: line ${c.startLine + 1}`)
    .join(', ');
}

/** Picks a timeable cell by index with a message listing the cells when the index is wrong. */
export function pickCell(cells: PercentCell[], index: number, file: string): PercentCell {
  if (cells.length === 0) {
    throw new UserError(`${path.basename(file)} has no '# %%' cells (a cell starts at a line '# %%')`);
  }
  const cell = Number.isInteger(index) ? cells[index] : undefined;
  if (!cell) throw new UserError(`there is no such cell in ${path.basename(file)} (cells ${listCells(cells)})`);
  if (cell.kind === 'markdown')
    throw new UserError(`the cell at line ${cell.startLine + 1} is a markdown cell; only code cells are timed`);
  if (!hasCode(cell.source)) throw new UserError(`${cellName(cell)} (line ${cell.startLine + 1}) has no code to time`);
  return cell;
}

/**
 * Picks a code cell by the number users see (code cells from 1, as the lenses and messages count them), with a
 * message listing the cells when there is none.
 */
export function pickCellByNumber(cells: PercentCell[], n: number, file: string): PercentCell {
  if (cells.length === 0) {
    throw new UserError(`${path.basename(file)} has no '# %%' cells (a cell starts at a line '# %%')`);
  }
  const cell = cells.find((c) => c.number === n);
  if (!cell) {
    const count = cells.filter((c) => c.number !== undefined).length;
    throw new UserError(
      `cell ${n} does not exist: ${path.basename(file)} has code cells 1 to ${count}, counted from the top ` +
        `(markdown cells not counted; ${listCells(cells)})`,
    );
  }
  return pickCell(cells, cell.index, file);
}

function jobCell(c: PercentCell, label = cellName(c)): HarnessJob['cells'][number] {
  return { line: c.startLine + 2, source: c.source, label };
}

/**
 * The code that runs once, untimed, before the timed cell(s): the lines before the first marker and the code cells
 * above `before`, less those in `skip` (the timed cells themselves).
 */
export function setupParts(
  text: string,
  cells: PercentCell[],
  before: number,
  mode: SetupMode,
  skip: number[] = [],
): { parts: HarnessJob['setup']; indices: number[] } {
  if (mode === 'none') return { parts: [], indices: [] };
  const parts: HarnessJob['setup'] = [];
  // From every cell: the first one left after skipping would stretch the preamble over the skipped ones.
  const pre = preamble(text, cells);
  if (hasCode(pre)) parts.push({ line: 1, source: pre, label: 'the lines before the first cell' });
  const above = cells.filter((c) => c.index < before && c.kind === 'code' && !skip.includes(c.index));
  for (const c of above) parts.push(jobCell(c));
  return { parts, indices: above.map((c) => c.index) };
}

function validateCounts(o: TimingOptions): { runs: number; loops: number; cap: number } {
  const runs = o.runs ?? 7;
  const loops = o.loops ?? 0;
  const cap = o.timeCapSeconds ?? 0;
  const timeout = o.timeoutSeconds ?? 0;
  if (!Number.isInteger(runs) || runs < 1) throw new UserError(`runs must be a whole number ≥ 1, got ${runs}`);
  if (!Number.isInteger(loops) || loops < 0)
    throw new UserError(`loops must be a whole number ≥ 0 (0 = calibrate), got ${loops}`);
  if (!Number.isFinite(cap) || cap < 0) throw new UserError(`the time cap must be ≥ 0 seconds, got ${cap}`);
  if (!Number.isFinite(timeout) || timeout < 0) throw new UserError(`the timeout must be ≥ 0 s, got ${timeout}`);
  return { runs, loops, cap };
}

export function formatOptionsFor(r: { ipython: HarnessTimeitResult['ipython'] }, precision?: number): FormatOptions {
  return { precision: precision ?? 3, micro: r.ipython?.micro ?? MICRO_SIGN };
}

/**
 * Runs a job in the interpreter (the cell's folder as working directory); a cell that raised becomes CellRaisedError.
 */
async function runJob<R extends HarnessTimeitResult | HarnessCompareResult>(job: HarnessJob, o: TimingOptions) {
  const run = await runHarness<R>(job, {
    python: o.python.path,
    cwd: o.cwd ?? path.dirname(job.file),
    env: o.env,
    cancellation: o.cancellation,
    onProgress: o.onProgress,
    onSpawn: o.onSpawn,
    timeoutSeconds: o.timeoutSeconds,
    timeoutVia: o.timeoutVia,
  });
  const r = run.outcome;
  if (r.event === 'error') throw new CellRaisedError(r, job.file, run.output);
  return { r: r as R, fmt: formatOptionsFor(r as R, o.precision), output: run.output };
}

/** Times one '# %%' cell of a .py file with IPython's %timeit protocol in the given interpreter. */
export async function timeCell(o: TimeCellOptions): Promise<TimeCellResult> {
  const startedAt = o.startedAt ?? Date.now();
  const file = path.resolve(o.file);
  const text = readSource(file, o.text);
  const cells = parseCells(text, o.markers);
  const cell = pickCell(cells, o.cell, file);
  const setupMode = o.setup ?? 'above';
  const { runs, loops, cap } = validateCounts(o);
  const setup = setupParts(text, cells, cell.index, setupMode);
  const job: HarnessJob = {
    mode: 'timeit',
    file,
    text,
    setup: setup.parts,
    cells: [jobCell(cell)],
    runs,
    loops,
    timeCap: cap,
  };
  const { r, fmt, output } = await runJob<HarnessTimeitResult>(job, o);
  const stats: TimeitRuns = { ...timeitStats(r), timings: r.timings, allRuns: r.allRuns };
  return {
    file,
    cell: cell.index,
    cellNumber: cell.number!,
    cellLine: cell.startLine + 1,
    hash: cell.hash,
    title: cell.title,
    ...stats,
    line: formatTimeitLine(stats, fmt),
    warning: r.capped ? undefined : slowestRunWarning(r.best, r.worst),
    setup: setupMode,
    setupCells: setup.indices,
    setupSeconds: r.setupSeconds,
    compileTime: r.compileTime,
    cudaSync: r.cudaSync,
    interpreter: {
      path: o.python.path,
      source: o.python.source,
      executable: r.python.executable,
      version: r.python.version,
      implementation: r.python.implementation,
    },
    ipythonVersion: r.ipython?.version ?? null,
    overheadMs: r.firstLoopEpoch === null ? null : r.firstLoopEpoch * 1000 - startedAt - r.setupSeconds * 1000,
    firstLoopAt: r.firstLoopEpoch === null ? null : r.firstLoopEpoch * 1000,
    wallMs: Date.now() - startedAt,
    output,
  };
}

export interface CompareOptions extends TimingOptions {
  a: number;
  b: number;
}

export interface CompareSide extends CellStatistics {
  cell: number;
  /** The number users see (code cells from 1). */
  cellNumber: number;
  cellLine: number;
  hash: string;
  line: string;
}

export interface CompareResult {
  file: string;
  a: CompareSide;
  b: CompareSide;
  /** mean(B) / mean(A): above 1, B is slower. */
  ratio: number;
  /** Spread of the per-run-pair ratios (population std. dev.) and their range. */
  ratioStdev: number;
  ratioMin: number;
  ratioMax: number;
  /** 'B/A = 1.83 ± 0.04 (7 interleaved pairs): cell 4 is 1.83× slower than cell 2'. */
  /** The code cells run once first, untimed (indices), the earlier of the two timed cells included. */
  setupCells: number[];
  summary: string;
  interpreter: { path: string; version: string };
}

/** A/B: both cells in one process with the same setup, their runs interleaved, the ratio with its spread. */
export async function compareCells(o: CompareOptions): Promise<CompareResult> {
  const file = path.resolve(o.file);
  const text = readSource(file, o.text);
  const cells = parseCells(text, o.markers);
  const ca = pickCell(cells, o.a, file);
  const cb = pickCell(cells, o.b, file);
  if (ca.index === cb.index) throw new UserError('compare needs two different cells');
  const { runs, loops } = validateCounts(o);
  const setupMode = o.setup ?? 'above';
  // Both cells see what the later one sees when timed alone: every code cell above it, the earlier of the two timed
  // cells included (run once, untimed), so a cell that uses a name the other defines runs as it does on its own.
  const setup = setupParts(text, cells, Math.max(ca.index, cb.index), setupMode);
  const job: HarnessJob = {
    mode: 'compare',
    file,
    text,
    setup: setup.parts,
    cells: [jobCell(ca, `A (${cellName(ca)})`), jobCell(cb, `B (${cellName(cb)})`)],
    runs,
    loops,
    timeCap: 0,
  };
  const { r, fmt } = await runJob<HarnessCompareResult>(job, o);
  const side = (c: PercentCell, s: HarnessStats): CompareSide => ({
    cell: c.index,
    cellNumber: c.number!,
    cellLine: c.startLine + 1,
    hash: c.hash,
    ...timeitStats(s),
    timings: s.timings,
    allRuns: s.allRuns,
    line: formatTimeitLine(s, fmt),
  });
  const ratio = r.ratio;
  const verdict =
    ratio >= 1
      ? `${cellName(cb)} is ${ratio.toFixed(2)}× slower than ${cellName(ca)}`
      : `${cellName(cb)} is ${(1 / ratio).toFixed(2)}× faster than ${cellName(ca)}`;
  return {
    file,
    a: side(ca, r.a),
    b: side(cb, r.b),
    ratio,
    ratioStdev: r.ratioStdev,
    ratioMin: r.ratioMin,
    ratioMax: r.ratioMax,
    setupCells: setup.indices,
    summary:
      `B/A = ${ratio.toFixed(3)} ± ${r.ratioStdev.toFixed(3)} (${r.pairRatios.length} interleaved pairs, ` +
      `range ${r.ratioMin.toFixed(3)}–${r.ratioMax.toFixed(3)}): ${verdict}`,
    interpreter: { path: o.python.path, version: r.python.version },
  };
}
