import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputSet, type PathRole } from '../util/outputs';
import { CancelledError, UserError, throwIfCancelled, type Cancellation } from '../util/errors';
import { sha256File } from '../util/hash';
import { cellNumber, columnIndex, readTable } from './table';

/**
 * The split file format, written by `flowbench split` and read by `flowbench eval`/`infer` and the editor: FOLDS.csv
 * holds one line per data row (a `split` column of train/valid/unused, or a `fold` column with the fold that
 * validates the row, -1 for never), and FOLDS.csv.json, the manifest, says how it was made. One type serves the
 * writer and every reader.
 */

/** The strategy names. The CLI's argument check and the extension's commands load no engine to know them. */
export const STRATEGIES = [
  'holdout',
  'kfold',
  'stratified-kfold',
  'group-kfold',
  'stratified-group-kfold',
  'group-holdout',
  'time-series',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

export function isStrategy(s: string): s is Strategy {
  return (STRATEGIES as readonly string[]).includes(s);
}

/** A split size as scikit-learn types it: a float is a fraction, an int a row count (JS can't tell 1 from 1.0). */
export type Size = { fraction: number } | { count: number };

export type SplitColumn = 'split' | 'fold';

/** Codes of the `split` column in an assignment array (a `fold` assignment holds fold numbers, -1 for none). */
export const TRAIN = 0;
export const VALID = 1;
export const UNUSED = 2;

export interface FoldSummary {
  fold: number;
  train: number;
  valid: number;
  unused: number;
  /** Rows per class in train and valid (when a target is known). */
  classes?: { train: Record<string, number>; valid: Record<string, number> };
}

/** One leakage or soundness check as the manifest records it. */
export interface SplitCheck {
  id: 'duplicates' | 'group-overlap' | 'time-overlap' | 'labels' | 'drift' | 'suggestion';
  title: string;
  status: 'pass' | 'warn' | 'skip' | 'info';
  /** The worst value over the folds, compared with `threshold` (deepchecks' defaults). */
  value?: number;
  threshold?: number;
  detail: string;
  perFold?: Array<Record<string, unknown>>;
  columns?: Array<{ column: string; method: 'ks' | 'cramers-v'; value: number; status: 'pass' | 'warn' }>;
}

/** The strategy the data itself suggests, as the manifest records it. */
export interface SplitSuggestion {
  strategy: Strategy;
  /** Wizard/CLI arguments that go with the strategy. */
  options: { time?: string; group?: string; target?: string; bins?: number };
  reason: string;
  /** Other findings worth a look (e.g. a continuous target that could be binned). */
  notes: string[];
  dateColumns: string[];
  groupColumns: string[];
}

export interface SplitManifest {
  flowbench: string;
  sklearn: string;
  createdAt: string;
  strategy: Strategy;
  parameters: {
    target: string | null;
    group: string | null;
    time: string | null;
    folds: number | null;
    testSize: Size | null;
    trainSize: Size | null;
    gap: number | null;
    maxTrainSize: number | null;
    shuffle: boolean;
    seed: number;
    bins: number | null;
  };
  sklearnEquivalent: string;
  input: { file: string; bytes: number; rows: number; columns: string[]; delimiter: string; sha256: string };
  output: { file: string; column: SplitColumn };
  folds: FoldSummary[];
  warnings: string[];
  checks: SplitCheck[];
  suggestion: SplitSuggestion;
  python: string;
}

/** Where a split's manifest lives: beside FOLDS.csv, with `.json` appended. */
export function manifestPathOf(foldsFile: string): string {
  return `${foldsFile}.json`;
}

/** The split file a data file gets when none is named: data/x.csv → data/x.folds.csv. */
export function defaultSplitPath(dataFile: string): string {
  const ext = path.extname(dataFile);
  return path.join(path.dirname(dataFile), `${path.basename(dataFile, ext)}.folds.csv`);
}

export interface SplitAssignmentData {
  column: SplitColumn;
  /** TRAIN/VALID/UNUSED per row for `split`; the validating fold (-1 for none) for `fold`. */
  assignment: Int32Array;
  nFolds: number;
}

/** How the output layer names a split's two files in messages (reserved by the engine, staged here). */
export function splitOutputRoles(out: string): { folds: PathRole; manifest: PathRole } {
  const manifest = manifestPathOf(out);
  return {
    folds: { path: out, field: 'out' },
    manifest: { path: manifest, what: `the manifest ${path.basename(manifest)}` },
  };
}

/**
 * Writes FOLDS.csv and its manifest together through the output layer: both are staged as temps and committed
 * together, or neither is, so a failure or a cancel replaces neither file. `outs` is the command's OutputSet (it
 * knows the inputs, so neither file can be one of them).
 */
export async function writeSplitFiles(
  out: string,
  split: SplitAssignmentData,
  manifest: SplitManifest,
  cancellation?: Cancellation,
  outs: OutputSet = new OutputSet({ cancellation }),
): Promise<void> {
  const roles = splitOutputRoles(out);
  try {
    const folds = outs.file(roles.folds);
    folds.write(split.column + '\n');
    const a = split.assignment;
    // Each row's line as bytes, assembled in one buffer per block and handed over as latin1 text (all ASCII).
    const values =
      split.column === 'split'
        ? ['train', 'valid', 'unused']
        : Array.from({ length: split.nFolds + 1 }, (_, f) => String(f - 1));
    const offset = split.column === 'split' ? 0 : 1;
    const encoded = values.map((v) => Buffer.from(v + '\n', 'latin1'));
    const step = 1 << 16;
    const block = Buffer.allocUnsafe(step * Math.max(...encoded.map((e) => e.length)));
    for (let start = 0; start < a.length; start += step) {
      const end = Math.min(a.length, start + step);
      let w = 0;
      for (let i = start; i < end; i++) {
        const e = encoded[a[i] + offset];
        for (let k = 0; k < e.length; k++) block[w++] = e[k];
      }
      folds.write(block.toString('latin1', 0, w));
      if (cancellation?.isCancellationRequested) throw new CancelledError();
      // Let the event loop breathe on big files (cancellation, progress UI).
      if ((start / step) % 16 === 15) await new Promise((r) => setImmediate(r));
    }
    outs.write(roles.manifest, JSON.stringify(manifest, null, 2) + '\n');
    throwIfCancelled(cancellation);
    await outs.commitAll();
  } catch (err) {
    outs.abortAll();
    throw err;
  }
}

export interface SplitRows {
  file: string;
  kind: SplitColumn;
  fold: number | null;
  train: number[];
  valid: number[];
  /** SHA-256 of the manifest FOLDS.csv.json when present, else of FOLDS.csv itself. */
  manifestHash: string;
  manifestFile: string;
}

/**
 * Reads a split file. Validation rows: split == valid, or fold == K; train rows: split == train, or every other fold
 * (rows that are never validated, fold -1, count as train).
 */
export async function readSplitRows(
  file: string,
  dataRows: number,
  fold?: number,
  cancellation?: Cancellation,
): Promise<SplitRows> {
  const t = await readTable(file, cancellation);
  if (t.rows !== dataRows) {
    throw new UserError(
      `${t.name} has ${t.rows} rows but the data has ${dataRows}; the split was made for another file`,
    );
  }
  const train: number[] = [];
  const valid: number[] = [];
  let kind: SplitColumn;
  let k: number | null = null;
  if (t.columns.includes('split')) {
    kind = 'split';
    const col = t.cells[columnIndex(t, 'split')];
    for (let i = 0; i < col.length; i++) {
      const v = col[i].trim().toLowerCase();
      if (v === 'valid' || v === 'validation' || v === 'test') valid.push(i);
      else if (v === 'train') train.push(i);
      else if (v !== 'unused')
        throw new UserError(`${t.name} line ${t.lines[i]}: split '${col[i]}' is not train, valid or unused`);
    }
  } else if (t.columns.includes('fold')) {
    kind = 'fold';
    const j = columnIndex(t, 'fold');
    const folds = Array.from({ length: t.rows }, (_, i) => cellNumber(t, j, i));
    const available = [...new Set(folds.filter((f) => f >= 0))].sort((a, b) => a - b);
    k = fold ?? available[0] ?? 0;
    if (!available.includes(k))
      throw new UserError(`fold ${k} is not in ${t.name} (folds: ${available.join(', ') || 'none'})`);
    folds.forEach((f, i) => (f === k ? valid : train).push(i));
  } else {
    throw new UserError(`${t.name} has neither a 'split' nor a 'fold' column; make one with 'flowbench split'`);
  }
  if (valid.length === 0) throw new UserError(`${t.name} has no validation rows${k !== null ? ` for fold ${k}` : ''}`);
  const manifest = manifestPathOf(file);
  const manifestFile = fs.existsSync(manifest) ? manifest : file;
  return { file, kind, fold: k, train, valid, manifestHash: await sha256File(manifestFile), manifestFile };
}

/**
 * A split's manifest, when there is a readable one; a missing or unreadable manifest gives undefined rather than an
 * error, since the split file alone is enough to evaluate. Relative `input.file` paths resolve against the manifest.
 */
export function readSplitManifest(foldsFile: string): Partial<SplitManifest> | undefined {
  let m: Partial<SplitManifest>;
  try {
    m = JSON.parse(fs.readFileSync(manifestPathOf(foldsFile), 'utf8')) as Partial<SplitManifest>;
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  return m;
}

/** What a manifest says about the data a split was made for, with only well-typed, non-empty values kept. */
export interface SplitManifestHints {
  target?: string;
  dataFile?: string;
  dataSha256?: string;
}

export function splitManifestHints(foldsFile: string): SplitManifestHints {
  const m = readSplitManifest(foldsFile);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const dataFile = str(m?.input?.file);
  return {
    target: str(m?.parameters?.target),
    dataFile: dataFile ? path.resolve(path.dirname(foldsFile), dataFile) : undefined,
    dataSha256: str(m?.input?.sha256),
  };
}
