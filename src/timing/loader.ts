import * as path from 'node:path';
import { UserError, type Cancellation, type MessageText } from '../util/errors';
import { sha256 } from '../util/hash';
import { cellAtLine, cellHash, hasCode, parseCells, type CellMarkerSettings, type PercentCell } from '../python/cells';
import { dataLoaderAssignments, type LoaderSite } from '../python/scanner';
import type { ResolvedPython } from './python';
import {
  runHarness,
  type HarnessEnvironment,
  type HarnessError,
  type HarnessJob,
  type HarnessProgress,
} from './runner';
import { CellRaisedError, pickCell, readSource, setupParts, type SetupMode } from './timeCell';

/**
 * Times a data loader (flowbench loader, Time Loader): the code that builds it runs once, then the iterable is
 * iterated and every batch timed on its own, the first apart (it pays for worker start-up). The harness does the
 * timing (harness.py, mode 'loader'), with the guarantees of the cell timings: its own process group, results out
 * of band, tracebacks in the script's lines.
 */

export interface LoaderOptions {
  /** Absolute path of the .py file. */
  file: string;
  /** The editor's text when it differs from the disk. */
  text?: string;
  /** The cell that builds the loader (0-based, markdown cells counted); or `line`. */
  cell?: number;
  /** A 1-based line: the cell holding it, or in a file without cells (or above its first cell) the code up to it. */
  line?: number;
  /** The iterable to time: a name or expression; by default the name the code assigns a DataLoader(...) to. */
  name?: string;
  /** Stop after this many batches (the first included); 0 or absent: no count limit. */
  batches?: number;
  /** Stop each run after this many seconds (the first batch included); 0: none. Default 10 without `batches`. */
  timeBudgetSeconds?: number;
  /** Re-create a torch DataLoader with each of these num_workers values and time each. */
  workers?: number[];
  /** Move every batch to the GPU (torch with CUDA) and synchronise before the clock stops. */
  toDevice?: boolean;
  setup?: SetupMode;
  markers?: CellMarkerSettings;
  python: ResolvedPython;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  cancellation?: Cancellation;
  onProgress?: (p: HarnessProgress) => void;
  onSpawn?: (pid: number) => void;
  timeoutSeconds?: number;
  timeoutVia?: string;
  startedAt?: number;
}

export const DEFAULT_LOADER_BUDGET_S = 10;

/** What the loader is, as the harness found it. */
export interface LoaderTarget {
  /** Python type: 'torch.utils.data.dataloader.DataLoader', 'list', 'generator', ... */
  type: string;
  isDataLoader: boolean;
  numWorkers: number | null;
  batchSize: number | null;
  datasetType: string | null;
  datasetLength: number | null;
  /** len() of the iterable when it has one (a DataLoader: batches per epoch). */
  length: number | null;
}

/** Seconds per batch after the first. */
export interface BatchStats {
  min: number;
  p50: number;
  p90: number;
  max: number;
  mean: number;
}

export type StoppedBy = 'exhausted' | 'batches' | 'time-budget' | 'batch-cap';

/** One pass over the loader (one num_workers value of a sweep). */
export interface LoaderRun {
  /** num_workers of this pass (null: not a DataLoader). */
  workers: number | null;
  /** Re-created from the original with this num_workers (a sweep), or the loader as the script made it. */
  recreated: boolean;
  /** iter() and the first next(): worker start-up included. null when the loader was empty. */
  firstBatchSeconds: number | null;
  firstBatchSize: number | null;
  batches: number;
  /** Samples in all batches (each batch's first tensor's first dimension, else its length); null when unknown. */
  samples: number | null;
  exhausted: boolean;
  stoppedBy: StoppedBy;
  totalSeconds: number;
  /** Per batch after the first; null with fewer than two batches. */
  perBatch: BatchStats | null;
  /** Batches per second after the first (the steady rate a training loop sees). */
  batchesPerSec: number | null;
  samplesPerSec: number | null;
  /** Seconds per batch after the first, in order; with many batches each point is the mean of `seriesBucket`. */
  series: number[];
  seriesBucket: number;
}

export interface LoaderResult {
  file: string;
  /** The cell that built the loader; null when the code up to `line` ran (a file without cells). */
  cell: number | null;
  /** 1-based first line of that code (the cell's marker, or 1). */
  cellLine: number;
  /** Identity of the code that built the loader (the cell's hash, or the hash of the lines up to `line`). */
  hash: string;
  /** SHA-256 of all the code that ran (setup and the loader's code), for the experiments ledger. */
  codeSha256: string;
  title: string;
  /** What ran: 'cell 2', 'lines 1–14'. */
  label: string;
  name: string;
  /** Whether the name came from the options or from the DataLoader assignment found in the code. */
  nameFrom: 'option' | 'assignment';
  target: LoaderTarget;
  runs: LoaderRun[];
  /** Index into runs of the highest batches/s (null with no rate); only meaningful with a sweep. */
  fastest: number | null;
  /** The arguments a sweep carried over from the original DataLoader; null without a sweep. */
  carried: string[] | null;
  toDevice: { device: string; name: string } | null;
  batches: number;
  timeBudgetSeconds: number;
  setup: SetupMode;
  setupCells: number[];
  setupSeconds: number;
  /** The cell's own run (building the loader). */
  cellSeconds: number;
  torchVersion: string | null;
  interpreter: { path: string; source: string; executable: string; version: string; implementation: string };
  wallMs: number;
  /** What the code printed (the last 64 KiB). */
  output: string;
}

interface HarnessLoaderRun extends Omit<LoaderRun, 'batchesPerSec' | 'samplesPerSec'> {
  samplesAfterFirst?: number | null;
  afterFirstSeconds?: number;
}

interface HarnessLoaderResult extends HarnessEnvironment {
  event: 'result';
  name: string;
  target: LoaderTarget;
  runs: HarnessLoaderRun[];
  carried: string[] | null;
  toDevice: { device: string; name: string } | null;
  setupSeconds: number;
  cellSeconds: number;
  torchVersion: string | null;
}

/** The harness's own findings about what the options name (harness.py LoaderProblem). */
interface LoaderProblemRecord extends HarnessError {
  problem: string;
  details: Record<string, unknown>;
}

/** The code that builds the loader: a code cell, or in a file without cells the lines up to the assignment. */
interface LoaderCode {
  cell: PercentCell | null;
  /** 1-based line of its first source line. */
  line: number;
  source: string;
  label: string;
  hash: string;
  title: string;
  /** 0-based first and last lines of the source in the file. */
  from: number;
  to: number;
}

function codeFor(o: LoaderOptions, text: string, file: string): LoaderCode {
  const cells = parseCells(text, o.markers);
  if (o.cell !== undefined && o.line !== undefined)
    throw new UserError((f) => `give ${f('cell')} or ${f('line')}, not both`);
  if (o.cell !== undefined) return cellCode(pickCell(cells, o.cell, file));
  if (o.line === undefined)
    throw new UserError((f) => `say which code builds the loader: ${f('cell')} or ${f('line')}`);
  const lines = text.split(/\r\n|\r|\n/);
  if (!Number.isInteger(o.line) || o.line < 1 || o.line > lines.length)
    throw new UserError(`line ${o.line} is outside ${path.basename(file)} (lines 1 to ${lines.length})`);
  const inCell = cellAtLine(cells, o.line - 1);
  if (inCell) return cellCode(pickCell(cells, inCell.index, file));
  // No cell holds the line: the script's own top-level code up to the end of the statement there.
  const site = dataLoaderAssignments(text).find((s) => s.line === o.line! - 1);
  const last = site ? site.endLine : o.line - 1;
  const end = cells.length > 0 ? Math.min(last, cells[0].startLine - 1) : last;
  const source = lines.slice(0, end + 1).join('\n');
  if (!hasCode(source)) throw new UserError(`lines 1 to ${end + 1} of ${path.basename(file)} have no code to run`);
  return {
    cell: null,
    line: 1,
    source,
    label: `lines 1–${end + 1}`,
    hash: cellHash(source),
    title: '',
    from: 0,
    to: end,
  };
}

function cellCode(c: PercentCell): LoaderCode {
  return {
    cell: c,
    line: c.startLine + 2,
    source: c.source,
    label: `cell ${c.index}`,
    hash: c.hash,
    title: c.title,
    from: c.startLine + 1,
    to: c.endLine,
  };
}

/** The DataLoader assignment the loader timing binds by default: the one on `line`, else the only one in the code. */
export function defaultLoaderName(
  text: string,
  code: { from: number; to: number; label: string },
  line?: number,
): string {
  const sites = dataLoaderAssignments(text).filter((s) => s.line >= code.from && s.line <= code.to);
  const onLine = line === undefined ? undefined : sites.find((s) => s.line === line - 1);
  if (onLine) return onLine.name;
  const names = [...new Set(sites.map((s: LoaderSite) => s.name))];
  if (names.length === 1) return names[0];
  if (names.length === 0)
    throw new UserError(
      (f) => `${code.label} assigns no DataLoader(...) to a name: say what to time with ${f('name')}`,
    );
  throw new UserError(
    (f) => `${code.label} assigns several data loaders (${names.join(', ')}): pick one with ${f('name')}`,
  );
}

function validate(o: LoaderOptions): { batches: number; budget: number; workers: number[] | null } {
  const batches = o.batches ?? 0;
  if (!Number.isInteger(batches) || batches < 0)
    throw new UserError((f) => `${f('batches')} must be a whole number ≥ 1, got ${batches}`);
  if (o.batches !== undefined && o.batches !== 0 && o.timeBudgetSeconds !== undefined && o.timeBudgetSeconds > 0)
    throw new UserError((f) => `give ${f('batches')} or ${f('timeBudget')}, not both`);
  const budget = o.timeBudgetSeconds ?? (batches > 0 ? 0 : DEFAULT_LOADER_BUDGET_S);
  if (!Number.isFinite(budget) || budget < 0)
    throw new UserError(
      (f) => `${f('timeBudget')} must be ≥ 0 seconds (0: until the loader is exhausted), got ${budget}`,
    );
  const timeout = o.timeoutSeconds ?? 0;
  if (!Number.isFinite(timeout) || timeout < 0) throw new UserError(`the timeout must be ≥ 0 s, got ${timeout}`);
  let workers: number[] | null = null;
  if (o.workers !== undefined && o.workers.length > 0) {
    for (const w of o.workers)
      if (!Number.isInteger(w) || w < 0 || w > 1024)
        throw new UserError((f) => `${f('workers')} takes num_workers values from 0 to 1024, got ${w}`);
    workers = [...new Set(o.workers)];
  }
  return { batches, budget, workers };
}

/** The harness's LoaderProblem in the words of each audience. */
function problemError(p: LoaderProblemRecord, file: string): UserError {
  const d = p.details;
  const name = String(d.name ?? '');
  const texts: Record<string, MessageText> = {
    'bad-name': (f) => `${f('name')} '${name}' is not a Python name or expression`,
    undefined: () =>
      `'${name}' is not defined after ${String(d.cell ?? 'the code')} of ${path.basename(file)} ran ` +
      '(assigned inside a function or under a condition that did not run?)',
    'not-iterable': () => `'${name}' is of type ${String(d.type)}, which cannot be iterated: time an iterable`,
    'not-dataloader': (f) =>
      `${f('workers')} re-creates a torch DataLoader with other num_workers values, but '${name}' is of type ` +
      `${String(d.type)}: leave ${f('workers')} out to time it as it is`,
    'recreate-failed': () =>
      `the DataLoader could not be re-created with num_workers=${String(d.workers)}: ${String(d.message)}`,
    'no-torch': (f) => `${f('toDevice')} moves batches to the GPU with torch, which this Python cannot import`,
    'no-cuda': (f) =>
      `${f('toDevice')} needs CUDA, but torch ${String(d.torch)} reports torch.cuda.is_available() == False ` +
      `(${d.cuda ? `built for CUDA ${String(d.cuda)}: no GPU or driver visible` : 'a CPU-only build'}); ` +
      `time it without ${f('toDevice')}`,
  };
  return new UserError(texts[p.problem] ?? (() => `the loader timing failed: ${p.problem}`));
}

function rates(r: HarnessLoaderRun): LoaderRun {
  const after = r.afterFirstSeconds ?? 0;
  const { samplesAfterFirst, afterFirstSeconds: _after, ...rest } = r;
  return {
    ...rest,
    batchesPerSec: r.batches > 1 && after > 0 ? (r.batches - 1) / after : null,
    samplesPerSec: r.batches > 1 && after > 0 && samplesAfterFirst != null ? samplesAfterFirst / after : null,
  };
}

/** The run with the highest steady rate (batches/s after the first batch). */
export function fastestRun(runs: readonly Pick<LoaderRun, 'batchesPerSec'>[]): number | null {
  let best: number | null = null;
  runs.forEach((r, i) => {
    if (r.batchesPerSec !== null && (best === null || r.batchesPerSec > runs[best].batchesPerSec!)) best = i;
  });
  return best;
}

/** Runs the code that builds the loader, then times it (or each re-created num_workers variant). */
export async function timeLoader(o: LoaderOptions): Promise<LoaderResult> {
  const startedAt = o.startedAt ?? Date.now();
  const file = path.resolve(o.file);
  const text = readSource(file, o.text);
  const { batches, budget, workers } = validate(o);
  const code = codeFor(o, text, file);
  const name = o.name?.trim() || defaultLoaderName(text, code, o.line);
  const setupMode = o.setup ?? 'above';
  const setup = code.cell
    ? setupParts(text, parseCells(text, o.markers), code.cell.index, setupMode)
    : { parts: [], indices: [] };
  const job: HarnessJob = {
    mode: 'loader',
    file,
    text,
    setup: setup.parts,
    cells: [{ line: code.line, source: code.source, label: code.label }],
    runs: 0,
    loops: 0,
    timeCap: 0,
    loader: { name, workers, batches, timeBudget: budget, toDevice: o.toDevice === true },
  };
  const run = await runHarness<HarnessLoaderResult>(job, {
    python: o.python.path,
    cwd: o.cwd ?? path.dirname(file),
    env: o.env,
    cancellation: o.cancellation,
    onProgress: o.onProgress,
    onSpawn: o.onSpawn,
    timeoutSeconds: o.timeoutSeconds,
    timeoutVia: o.timeoutVia,
  });
  const r = run.outcome;
  if (r.event === 'error') {
    if ((r as LoaderProblemRecord).problem) throw problemError(r as LoaderProblemRecord, file);
    throw new CellRaisedError(r, file, run.output);
  }
  const runs = r.runs.map(rates);
  return {
    file,
    cell: code.cell?.index ?? null,
    cellLine: code.cell ? code.cell.startLine + 1 : 1,
    hash: code.hash,
    codeSha256: sha256([...setup.parts.map((p) => p.source), code.source].join('\n')),
    title: code.title,
    label: code.label,
    name,
    nameFrom: o.name?.trim() ? 'option' : 'assignment',
    target: r.target,
    runs,
    fastest: fastestRun(runs),
    carried: r.carried,
    toDevice: r.toDevice,
    batches,
    timeBudgetSeconds: budget,
    setup: setupMode,
    setupCells: setup.indices,
    setupSeconds: r.setupSeconds,
    cellSeconds: r.cellSeconds,
    torchVersion: r.torchVersion,
    interpreter: {
      path: o.python.path,
      source: o.python.source,
      executable: r.python.executable,
      version: r.python.version,
      implementation: r.python.implementation,
    },
    wallMs: Date.now() - startedAt,
    output: run.output,
  };
}
