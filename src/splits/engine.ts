import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, throwIfCancelled, type Cancellation } from '../util/errors';
import { VERSION } from '../util/version';
import type { CsvHeader } from '../data/csv';
import { csvRowAt, scanProgress, scanTable, type ScannedChunk } from '../data/parallelScan';
import type { ColumnSpec } from '../data/chunkParser';
import { ColumnInterner, quantileBins, targetType, parsesAsNumber, type EncodedColumn } from '../data/labels';
import { stableOrder } from '../data/dates';
import { computeSplit, defaultShuffle, type SplitAssignment, type SplitParams } from './strategies';
import {
  isStrategy,
  manifestPathOf,
  STRATEGIES,
  TRAIN,
  VALID,
  UNUSED,
  writeSplitFiles,
  splitOutputRoles,
  type FoldSummary,
  type Size,
  type SplitManifest,
  type Strategy,
} from '../data/splitFile';
import { duplicateGroups, RowHashes, runChecks, sideCounts, type FoldView } from './checks';
import { ColumnSample } from '../data/sample';
import { suggestStrategy } from './suggest';
import { pythonSnippet, sklearnCall } from './pythonSnippet';
import { checkInputPath } from '../util/inputs';
import { OutputSet } from '../util/outputs';

export const SKLEARN_VERSION = '1.9.1';

/** Everything a split needs; names follow the CLI options. */
export interface SplitRequest {
  input: string;
  out: string;
  strategy: Strategy;
  target?: string;
  group?: string;
  time?: string;
  folds?: number;
  testSize?: Size;
  trainSize?: Size;
  gap?: number;
  maxTrainSize?: number;
  shuffle?: boolean;
  seed?: number;
  /** Stratify a continuous target on this many quantile bins. */
  bins?: number;
}

export interface SplitRunOptions {
  cancellation?: Cancellation;
  /** Parse threads for the CSV engine (default: one per core). */
  workers?: number;
  onProgress?(fraction: number, message: string): void;
  /** The Python snippet names files relative to this folder (the project the notebook runs in); default: cwd. */
  snippetRoot?: string;
}

export interface SplitOutcome {
  out: string;
  manifestPath: string;
  manifest: SplitManifest;
}

/**
 * Columns that identify a row rather than describe it: left out of the duplicate-row hash, as deepchecks ignores the
 * index.
 */
const ROW_ID_NAME = /^(id|idx|index|row|row_?id|row_?number|unnamed: ?0|#)$/i;

/** Rows kept for drift and advice: the sample holds between this and twice this many rows, whatever the file size. */
export const SAMPLE_ROWS = 5_000;

/** Above this many distinct labels, per-fold class counts are left out of the manifest (a continuous target). */
const MAX_LISTED_CLASSES = 100;

function applicable(req: SplitRequest): void {
  const s = req.strategy;
  const sized = s === 'holdout' || s === 'group-holdout';
  const folded = !sized;
  if (!sized && s !== 'time-series' && (req.testSize || req.trainSize)) {
    throw new UserError(
      (f) =>
        `${f('testSize')}/${f('testCount')}/${f('trainSize')}/${f('trainCount')}` +
        ` apply to holdout, group-holdout and time-series (${f('testCount')}), not ${s}`,
    );
  }
  if (s === 'time-series' && req.trainSize) {
    throw new UserError((f) => `time-series has no train size; use ${f('maxTrainSize', 'N')}`);
  }
  if (s === 'time-series' && req.testSize && 'fraction' in req.testSize) {
    throw new UserError((f) => `time-series takes its test window as a row count: ${f('testCount', 'N')}`);
  }
  if (!folded && req.folds !== undefined) {
    throw new UserError((f) => `${f('folds')} does not apply to ${s} (it makes one train/valid split)`);
  }
  if (s !== 'time-series' && (req.gap !== undefined || req.maxTrainSize !== undefined)) {
    throw new UserError((f) => `${f('gap')} and ${f('maxTrainSize')} apply to time-series only`);
  }
  if (s === 'time-series' && req.shuffle)
    throw new UserError('time-series never shuffles (scikit-learn TimeSeriesSplit keeps time order)');
  if (s === 'group-holdout' && req.shuffle === false)
    throw new UserError(
      'group-holdout always shuffles the groups (GroupShuffleSplit); use group-kfold for a deterministic split',
    );
  if ((s === 'stratified-kfold' || s === 'stratified-group-kfold') && !req.target) {
    throw new UserError((f) => `${f('strategy')} ${s} needs ${f('target', 'COLUMN')}`);
  }
  if ((s === 'group-kfold' || s === 'stratified-group-kfold' || s === 'group-holdout') && !req.group) {
    throw new UserError((f) => `${f('strategy')} ${s} needs ${f('group', 'COLUMN')}`);
  }
  if (req.maxTrainSize !== undefined && (!Number.isInteger(req.maxTrainSize) || req.maxTrainSize < 0)) {
    throw new UserError((f) => `${f('maxTrainSize')} must be a whole number >= 0, got ${req.maxTrainSize}`);
  }
  if (req.bins !== undefined && !req.target) {
    throw new UserError((f) => `${f('bins')} needs ${f('target', 'COLUMN')} (the continuous column to bin)`);
  }
}

export function normalizeRequest(
  req: SplitRequest,
): SplitRequest & { folds: number; shuffle: boolean; seed: number; gap: number } {
  if (!isStrategy(req.strategy))
    throw new UserError(`unknown strategy '${String(req.strategy)}'; use one of: ${STRATEGIES.join(', ')}`);
  applicable(req);
  const seed = req.seed ?? 42;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new UserError(`Seed must be between 0 and 2**32 - 1, got ${seed}`);
  return {
    ...req,
    folds: req.folds ?? 5,
    shuffle: req.shuffle ?? defaultShuffle(req.strategy),
    seed,
    gap: req.gap ?? 0,
  };
}

/**
 * What the first pass keeps: per-row codes of the needed columns, a 53-bit hash of each row's values, a bounded sample.
 */
interface FirstPass {
  header: CsvHeader;
  rows: number;
  bytes: number;
  sha256: string;
  target?: ColumnInterner;
  group?: ColumnInterner;
  times?: Float64Array;
  hashes: RowHashes | undefined;
  sample: ColumnSample;
}

async function firstPass(req: SplitRequest, opts: SplitRunOptions): Promise<FirstPass> {
  let targetIdx = -1;
  let groupIdx = -1;
  let timeIdx = -1;
  let target: ColumnInterner | undefined;
  let group: ColumnInterner | undefined;
  let times: Float64Array<ArrayBuffer> | undefined;
  const hashes = new RowHashes();
  let sample: ColumnSample | undefined;
  let nCols = 0;
  let delim = 44;
  const colIndex = (header: CsvHeader, name: string | undefined, option: 'target' | 'group' | 'time'): number => {
    if (name === undefined) return -1;
    const i = header.columns.indexOf(name);
    if (i < 0) {
      const close = header.columns.find((c) => c.trim().toLowerCase() === name.trim().toLowerCase());
      throw new UserError(
        (f) =>
          `${f(option)} column '${name}' is not in the header` +
          `${close ? ` (did you mean '${close}'?)` : ''}; columns are: ${header.columns.join(', ')}`,
      );
    }
    return i;
  };
  let fileBytes = 0;
  const started = Date.now();
  try {
    fileBytes = (await fs.promises.stat(req.input)).size;
  } catch {
    // The scan reports a missing file with a clear message.
  }
  const grow = (a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> => {
    if (need <= a.length) return a;
    // Past the first chunk's estimate the file is nearly read: grow by a quarter, not double.
    const g = new Float64Array(Math.max(need, Math.ceil(a.length * 1.25)));
    g.set(a);
    return g;
  };
  const onChunk = (c: ScannedChunk): void => {
    const cols = c.a.columns;
    if (target) target.addChunk(cols[0]!.dict!, cols[0]!.codes!, c.firstRow);
    if (group) group.addChunk(cols[1]!.dict!, cols[1]!.codes!, c.firstRow);
    if (times) {
      times = grow(times, c.firstRow + c.rows);
      times.set(cols[2]!.values!, c.firstRow);
    }
    hashes.append(c.a.hashes!);
    if (c.firstRow === 0 && fileBytes > 0) {
      // Size the per-row arrays and the sample's stride for the whole file from the first chunk's rows per byte.
      const expected = Math.ceil((fileBytes / Math.max(1, c.data.length)) * c.rows * 1.05);
      sample!.expectRows(expected);
      target?.reserve(expected);
      group?.reserve(expected);
      if (times) times = grow(times, expected);
    }
    // The sample keeps every stride-th row of the file: decode just those rows of this chunk.
    const stride = sample!.stride;
    for (let r = (stride - (c.firstRow % stride)) % stride; r < c.rows; r += stride) {
      sample!.offer(csvRowAt(c.data, c.rowStarts[r], delim, nCols, c.firstRow + r, 0));
    }
  };
  let headerSeen: CsvHeader | undefined;
  const summary = await scanTable(
    req.input,
    (header, leading) => {
      headerSeen = header;
      nCols = header.columns.length;
      delim = header.delimiter.charCodeAt(0);
      targetIdx = colIndex(header, req.target, 'target');
      groupIdx = colIndex(header, req.group, 'group');
      timeIdx = colIndex(header, req.time, 'time');
      if (targetIdx >= 0) target = new ColumnInterner(header.columns[targetIdx]);
      if (groupIdx >= 0) group = new ColumnInterner(header.columns[groupIdx]);
      if (timeIdx >= 0) times = new Float64Array(1 << 16);
      sample = new ColumnSample(header.columns, SAMPLE_ROWS);
      const columns: ColumnSpec[] = [
        { index: targetIdx, kind: 'intern', name: header.columns[targetIdx] ?? '', rows: 'all' },
        { index: groupIdx, kind: 'intern', name: header.columns[groupIdx] ?? '', rows: 'all' },
        {
          index: timeIdx,
          kind: 'time',
          name: req.time ?? '',
          rows: 'all',
          // Whether the time column holds plain numbers or dates is decided by the first data row, as before.
          numericTime: timeIdx >= 0 && parsesAsNumber(leading[0]?.[timeIdx] ?? ''),
        },
      ];
      // The hash covers every column but row ids and the time column (deepchecks compares whole rows, index aside).
      const hashColumns = header.columns
        .map((c, i) => (ROW_ID_NAME.test(c.trim()) || i === timeIdx ? -1 : i))
        .filter((i) => i >= 0);
      return { plan: { columns, hashColumns }, onChunk };
    },
    {
      cancellation: opts.cancellation,
      sha256: true,
      workers: opts.workers,
      onProgress: (done, total, rows) => {
        opts.onProgress?.(
          total > 0 ? (0.9 * done) / total : 0,
          scanProgress(path.basename(req.input), done, total, rows, Date.now() - started),
        );
      },
    },
  );
  return {
    header: headerSeen!,
    rows: summary.rows,
    bytes: summary.bytes,
    sha256: summary.sha256!,
    target,
    group,
    times: times?.subarray(0, summary.rows),
    hashes,
    sample: sample!,
  };
}

/** Splits `req.input` and writes FOLDS.csv plus FOLDS.csv.json atomically; nothing is written when anything fails. */
export async function createSplit(request: SplitRequest, opts: SplitRunOptions = {}): Promise<SplitOutcome> {
  const req = normalizeRequest(request);
  // Every path is checked before the file is read: the input is a regular file (a FIFO would block the reader,
  // /dev/zero never end), and neither output is the input, the other output, a folder or under a file.
  checkInputPath(req.input, { what: 'input file' });
  const outs = new OutputSet({
    inputs: [{ path: req.input, what: 'the input file' }],
    cancellation: opts.cancellation,
  });
  const roles = splitOutputRoles(req.out);
  outs.reserve(roles.folds);
  outs.reserve(roles.manifest);
  const pass = await firstPass(req, opts);
  throwIfCancelled(opts.cancellation);
  // Repeated rows do not depend on the folds: find them now and let the row hashes (8 bytes a row) go first.
  const duplicates = duplicateGroups(pass.hashes!);
  pass.hashes = undefined;
  opts.onProgress?.(0.9, 'splitting');
  const targetCol = pass.target?.encode(true);
  const groupCol = pass.group?.encode(true);
  // The interners' per-row codes are now the encoded columns' (recoded in place): drop the interners themselves.
  pass.target = undefined;
  pass.group = undefined;
  let stratifyCol: EncodedColumn | undefined = targetCol;
  if (targetCol && req.bins !== undefined) stratifyCol = quantileBins(targetCol, req.bins);
  const timeOrder = pass.times ? stableOrder(pass.times) : undefined;
  const params: SplitParams = {
    strategy: req.strategy,
    folds: req.folds,
    testSize: req.testSize,
    trainSize: req.trainSize,
    gap: req.gap,
    maxTrainSize: req.maxTrainSize,
    shuffle: req.shuffle,
    seed: req.seed,
  };
  const usesTarget =
    req.strategy === 'stratified-kfold' || req.strategy === 'stratified-group-kfold' || req.strategy === 'holdout';
  const split = computeSplit(params, {
    n: pass.rows,
    target: usesTarget ? stratifyCol : undefined,
    group: groupCol,
    timeOrder: req.strategy === 'time-series' ? timeOrder : undefined,
  });
  throwIfCancelled(opts.cancellation);
  opts.onProgress?.(0.93, 'checking');
  const folds = foldViews(split, params, pass.rows, req.strategy === 'time-series' ? timeOrder : undefined);
  const suggestion = suggestStrategy(pass.sample, { target: req.target, rows: pass.rows, targetColumn: targetCol });
  const checks = runChecks({
    folds,
    duplicates,
    target: targetCol,
    group: groupCol,
    times: pass.times,
    sample: pass.sample,
    exclude: new Set([req.target, req.group, req.time].filter((c): c is string => c !== undefined)),
    suggestion,
  });
  const manifestPath = manifestPathOf(req.out);
  const manifest: SplitManifest = {
    flowbench: VERSION,
    sklearn: SKLEARN_VERSION,
    createdAt: new Date().toISOString(),
    strategy: req.strategy,
    parameters: {
      target: req.target ?? null,
      group: req.group ?? null,
      time: req.time ?? null,
      folds: req.strategy === 'holdout' || req.strategy === 'group-holdout' ? null : req.folds,
      testSize: req.testSize ?? null,
      trainSize: req.trainSize ?? null,
      gap: req.strategy === 'time-series' ? req.gap : null,
      maxTrainSize: req.maxTrainSize ?? null,
      shuffle: req.shuffle,
      seed: req.seed,
      bins: req.bins ?? null,
    },
    sklearnEquivalent: sklearnCall(req),
    input: {
      file: path.resolve(req.input),
      bytes: pass.bytes,
      rows: pass.rows,
      columns: pass.header.columns,
      delimiter: pass.header.delimiter,
      sha256: pass.sha256,
    },
    output: { file: path.resolve(req.out), column: split.column },
    // Per-class counts for the column actually balanced (the bins when binning); not for a continuous column.
    folds: folds.map((f) =>
      summarizeFold(f, stratifyCol && stratifyCol.labels.length <= MAX_LISTED_CLASSES ? stratifyCol : undefined),
    ),
    warnings: split.warnings,
    checks,
    suggestion,
    python: '',
  };
  manifest.python = pythonSnippet(manifest, { root: opts.snippetRoot ?? process.cwd() });
  // Paths relative to the manifest's folder, so a committed split still names its data in another clone.
  manifest.input.file = manifestRelative(path.dirname(path.resolve(manifestPath)), manifest.input.file);
  manifest.output.file = path.basename(manifest.output.file);
  await writeSplitFiles(req.out, split, manifest, opts.cancellation, outs);
  opts.onProgress?.(1, 'done');
  return { out: path.resolve(req.out), manifestPath: path.resolve(manifestPath), manifest };
}

/** `file` relative to `dir` when it is no more than two folders up ('flowers.csv', '../raw/x.csv'), else absolute. */
export function manifestRelative(dir: string, file: string): string {
  const rel = path.relative(dir, file);
  if (path.isAbsolute(rel) || rel.split(path.sep).filter((p) => p === '..').length > 2) return file;
  return rel.split(path.sep).join('/');
}

/** Train/valid membership of each fold as row masks (1 = train, 2 = valid, 0 = neither). */
function foldViews(split: SplitAssignment, p: SplitParams, n: number, timeOrder: Int32Array | undefined): FoldView[] {
  const a = split.assignment;
  // One buffer for every fold's sides, filled for the fold asked for: a fold view costs a byte a row, not k of them.
  const scratch = { fold: -1, side: new Uint8Array(n) };
  const fill = (f: number): void => {
    const side = scratch.side;
    if (split.column === 'split') {
      for (let i = 0; i < n; i++) side[i] = a[i] === TRAIN ? 1 : a[i] === VALID ? 2 : 0;
    } else if (p.strategy === 'time-series') {
      side.fill(0);
      const testSize = p.testSize && 'count' in p.testSize ? p.testSize.count : Math.floor(n / (p.folds + 1));
      const testStart = n - p.folds * testSize + f * testSize;
      const trainEnd = testStart - p.gap;
      const max = p.maxTrainSize;
      const trainStart = max && max < trainEnd ? trainEnd - max : 0;
      for (let pos = trainStart; pos < trainEnd; pos++) side[timeOrder ? timeOrder[pos] : pos] = 1;
      for (let i = 0; i < n; i++) if (a[i] === f) side[i] = 2;
    } else {
      for (let i = 0; i < n; i++) side[i] = a[i] === f ? 2 : 1;
    }
    scratch.fold = f;
  };
  const folds = split.column === 'split' ? 1 : split.nFolds;
  return Array.from({ length: folds }, (_, f): FoldView => ({
    fold: f,
    rows: n,
    get side() {
      if (scratch.fold !== f) fill(f);
      return scratch.side;
    },
  }));
}

function summarizeFold(view: FoldView, target: EncodedColumn | undefined): FoldSummary {
  const c = sideCounts(view, target);
  const summary: FoldSummary = {
    fold: view.fold,
    train: c.train,
    valid: c.valid,
    unused: view.rows - c.train - c.valid,
  };
  if (target) {
    const rec = (counts: Int32Array): Record<string, number> =>
      Object.fromEntries(target.labels.map((l, i) => [l, counts[i]]));
    summary.classes = { train: rec(c.trainByLabel), valid: rec(c.validByLabel) };
  }
  return summary;
}

export { TRAIN, VALID, UNUSED, targetType };
