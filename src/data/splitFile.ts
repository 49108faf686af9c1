import { checkInputPath, openCheckedInput, readCheckedTextSync } from '../util/inputs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputSet, type PathRole } from '../util/outputs';
import { CancelledError, UserError, throwIfCancelled, type Cancellation } from '../util/errors';
import { sha256File } from '../util/hash';
import { ChunkParser } from './chunkParser';
import { scanTable } from './parallelScan';

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
  assignment: Int8Array | Int16Array | Int32Array;
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

/** Selection bits of a split mask: a train row, a validation row. */
export const TRAIN_ROW = 1;
export const VALID_ROW = 2;

export interface SplitMask {
  file: string;
  kind: SplitColumn;
  fold: number | null;
  /** One byte per data row: TRAIN_ROW, VALID_ROW or 0 (unused). */
  mask: Uint8Array;
  train: number;
  valid: number;
  /** SHA-256 of the manifest FOLDS.csv.json when present, else of FOLDS.csv itself. */
  manifestHash: string;
  manifestFile: string;
}

/**
 * Reads a split file into a byte per row (1 byte a row, whatever the data's width). Validation rows: split == valid,
 * or fold == K; train rows: split == train, or every other fold (rows never validated, fold -1, count as train).
 */
export async function readSplitMask(
  file: string,
  fold?: number,
  options: { cancellation?: Cancellation; workers?: number } = {},
): Promise<SplitMask> {
  const name = path.basename(file);
  const read = (await readPlainSplit(file, options.cancellation)) ?? (await readAnySplit(file, options));
  const { kind, folds, rows: n } = read;
  let mask = read.mask;
  let k: number | null = null;
  if (kind === 'fold') {
    const available = folds.values.filter((v) => v >= 0).sort((a, b) => a - b);
    k = fold ?? available[0] ?? 0;
    const validCode = folds.values.indexOf(k);
    if (validCode < 0 || k < 0) {
      throw new UserError(`fold ${k} is not in ${name} (folds: ${available.join(', ') || 'none'})`);
    }
    const codes = folds.codes;
    // Byte codes are recoded in place (row i's code is read before its bit is written): no second array a row.
    mask = codes instanceof Uint8Array ? codes.subarray(0, n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = codes[i] === validCode ? VALID_ROW : TRAIN_ROW;
  } else mask = mask.subarray(0, n);
  let train = 0;
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const m = mask[i];
    train += m & TRAIN_ROW;
    valid += (m & VALID_ROW) >> 1;
  }
  if (valid === 0) throw new UserError(`${name} has no validation rows${k !== null ? ` for fold ${k}` : ''}`);
  const manifest = manifestPathOf(file);
  const manifestFile = fs.existsSync(manifest) ? manifest : file;
  checkInputPath(manifestFile, { what: manifestFile === manifest ? 'split manifest' : 'split file' });
  return { file, kind, fold: k, mask, train, valid, manifestHash: await sha256File(manifestFile), manifestFile };
}

interface SplitRows {
  kind: SplitColumn;
  /** kind 'fold': each row's fold, as a code into `values`. */
  folds: { codes: Uint8Array | Uint16Array | Int32Array; values: readonly number[] };
  /** kind 'split': each row's bits (at least `rows` long). */
  mask: Uint8Array;
  rows: number;
}

/** A line's text in a split column, as bits. */
function splitBits(text: string): number | undefined {
  const v = text.trim().toLowerCase();
  if (v === 'valid' || v === 'validation' || v === 'test') return VALID_ROW;
  if (v === 'train') return TRAIN_ROW;
  if (v === 'unused') return 0;
  return undefined;
}

/** Any split table (more columns, quotes, blank lines...), through the CSV engine, with its messages. */
export async function readAnySplit(
  file: string,
  options: { cancellation?: Cancellation; workers?: number },
): Promise<SplitRows> {
  const name = path.basename(file);
  let kind = 'split' as SplitColumn;
  let mask = new Uint8Array(1 << 16);
  // The fold column as a small code per row into its distinct values (a byte a row for up to 255 folds).
  const folds = new FoldCodes();
  const summary = await scanTable(
    file,
    (header) => {
      const j = header.columns.indexOf('split');
      const k = header.columns.indexOf('fold');
      if (j < 0 && k < 0) {
        throw new UserError(`${name} has neither a 'split' nor a 'fold' column; make one with 'flowbench split'`);
      }
      kind = j >= 0 ? 'split' : 'fold';
      const index = j >= 0 ? j : k;
      return {
        plan: { columns: [{ index, kind: j >= 0 ? 'intern' : 'number', name: kind, rows: 'all' }] },
        onChunk: (c) => {
          const col = c.a.columns[0]!;
          if (kind === 'split') {
            if (c.firstRow + c.rows > mask.length) {
              const g = new Uint8Array(Math.max(mask.length * 2, c.firstRow + c.rows));
              g.set(mask);
              mask = g;
            }
            const dict = col.dict!;
            const bits = dict.texts.map((t, i) => {
              const b = splitBits(t);
              if (b !== undefined) return b;
              const r = dict.firstRow[i];
              const line = c.firstLine + ChunkParser.lineAt(c.data, c.rowStarts[r]);
              throw new UserError(`${name} line ${line}: split '${t}' is not train, valid or unused`);
            });
            const codes = col.codes!;
            for (let r = 0; r < c.rows; r++) mask[c.firstRow + r] = bits[codes[r]];
          } else folds.addChunk(col.values!, c.firstRow);
        },
      };
    },
    // A split file's rows are a few bytes each and a parsed row takes 12 (its start and its value): smaller chunks
    // keep the chunks in flight a few MB instead of a hundred.
    { ...options, chunkBytes: 1 << 18 },
  );
  return { kind, folds, mask, rows: summary.rows };
}

const LF = 10;
const CR = 13;
const MINUS = 45;
const BLOCK_BYTES = 1 << 20;
/** Longer than any line the plain reader takes ('validation' and its line end). */
const PLAIN_LINE_MAX = 16;

/**
 * The split file as Flowbench writes it, read with a byte loop: a one-column header (`fold` or `split`), then one
 * value a line (a fold number from -1 to 254, or one of the split words in lower case), LF or CRLF line ends.
 * 10M folds: 0.9 s and a 263 MB peak through the CSV engine, 0.3 s and 62 MB (the whole process) this way.
 * Anything else (other columns, quotes, blanks, other words, no data rows) gives undefined: the CSV engine then
 * reads the file, with its messages.
 */
export async function readPlainSplit(file: string, cancellation?: Cancellation): Promise<SplitRows | undefined> {
  const { handle, size } = await openCheckedInput(file, { what: 'split file' });
  try {
    const buf = Buffer.allocUnsafe(BLOCK_BYTES + PLAIN_LINE_MAX);
    // A byte a row: the split word's bits, or the fold number + 1 (folds -1 .. 254). Every line but the last has
    // two bytes at least, so the rows are at most half the size: the array is sized once.
    const bytes = new Uint8Array(Math.ceil(size / 2) + 1);
    const present = new Uint8Array(256);
    let kind: SplitColumn | undefined;
    let rows = 0;
    let carry = 0;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, carry, BLOCK_BYTES, position);
      position += bytesRead;
      const eof = bytesRead === 0;
      const end = carry + bytesRead;
      let i = 0;
      if (kind === undefined) {
        const head = plainHeader(buf.subarray(0, end));
        if (head === undefined) return undefined;
        kind = head.kind;
        i = head.end;
      }
      const taken = plainLines(buf, i, end, eof, kind, bytes, rows, present);
      if (taken === undefined) return undefined;
      const n = taken.rows;
      i = taken.end;
      rows += n;
      if (eof) break;
      throwIfCancelled(cancellation);
      // The unfinished line moves to the front of the buffer.
      carry = end - i;
      if (carry > PLAIN_LINE_MAX) return undefined;
      buf.copy(buf, 0, i, end);
    }
    if (kind === undefined || rows === 0) return undefined;
    // Code c is fold c - 1; folds absent from the file have no value (NaN matches no fold).
    const values = Array.from(present, (seen, c) => (seen ? c - 1 : NaN));
    // Split words take 5 bytes and more a line: their bits get an array of their own size.
    const mask = kind === 'split' && bytes.length > 2 * rows ? bytes.slice(0, rows) : bytes;
    return { kind, folds: { codes: bytes, values }, mask, rows };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The whole lines of buf[i, end) (the last one too at the file's end) into `out` from row `rows`: a fold number + 1
 * (marked in `present`) or a split word's bits; how many and where the unfinished line starts, or undefined for a
 * line the plain reader does not take. A function of its own so it is optimised as one loop.
 */
function plainLines(
  buf: Uint8Array,
  i: number,
  end: number,
  eof: boolean,
  kind: SplitColumn,
  out: Uint8Array,
  rows: number,
  present: Uint8Array,
): { rows: number; end: number } | undefined {
  let n = 0;
  // Each pass takes one whole line; the last, unfinished one waits for the next block (or is the file's end).
  while (i < end) {
    const start = i;
    let j = i;
    while (j < end && buf[j] !== LF && buf[j] !== CR) j++;
    // The line's end: LF, CRLF, or the file's end; a lone CR is left to the CSV engine.
    let next = j;
    if (j < end) {
      if (buf[j] === CR) {
        if (j + 1 >= end) {
          if (!eof) break;
          return undefined;
        }
        if (buf[j + 1] !== LF) return undefined;
        next = j + 2;
      } else next = j + 1;
    } else if (!eof) break;
    // More rows than the size at open allows (the file grew meanwhile): left to the CSV engine, which reads to the end.
    if (j - start === 0 || j - start > PLAIN_LINE_MAX || rows + n >= out.length) return undefined;
    if (kind === 'fold') {
      let k = start;
      let code: number;
      if (buf[k] === MINUS) {
        // -1 (never validated) is the one negative fold taken here.
        if (j - k !== 2 || buf[k + 1] !== 49) return undefined;
        code = 0;
      } else {
        if (j - k > 3) return undefined;
        let v = 0;
        for (; k < j; k++) {
          const d = buf[k] - 48;
          if (d < 0 || d > 9) return undefined;
          v = v * 10 + d;
        }
        if (v > 254) return undefined;
        code = v + 1;
      }
      present[code] = 1;
      out[rows + n++] = code;
    } else {
      const b = plainSplitBits(buf, start, j);
      if (b === undefined) return undefined;
      out[rows + n++] = b;
    }
    i = next;
  }
  return { rows: n, end: i };
}

/** `fold` or `split` alone on the first line, and where the data starts. */
function plainHeader(buf: Uint8Array): { kind: SplitColumn; end: number } | undefined {
  for (const kind of ['fold', 'split'] as const) {
    let k = 0;
    while (k < kind.length && buf[k] === kind.charCodeAt(k)) k++;
    if (k < kind.length) continue;
    if (buf[k] === LF) return { kind, end: k + 1 };
    if (buf[k] === CR && buf[k + 1] === LF) return { kind, end: k + 2 };
    return undefined;
  }
  return undefined;
}

const PLAIN_WORDS = new Map<string, number>(
  ['train', 'valid', 'validation', 'test', 'unused'].map((w) => [w, splitBits(w)!]),
);

/** The bits of a lower-case split word in buf[s, e), or undefined. */
function plainSplitBits(buf: Uint8Array, s: number, e: number): number | undefined {
  for (let k = s; k < e; k++) if (buf[k] < 97 || buf[k] > 122) return undefined;
  return PLAIN_WORDS.get(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'));
}

/** A fold number per row as a code into the distinct fold numbers, in the narrowest array that holds the codes. */
class FoldCodes {
  codes: Uint8Array | Uint16Array | Int32Array = new Uint8Array(1 << 16);
  readonly values: number[] = [];
  private readonly codeOf = new Map<number, number>();
  private readonly small = new Int32Array(256).fill(-1);
  private limit = 0xff;

  addChunk(values: Float64Array, firstRow: number): void {
    const end = firstRow + values.length;
    if (end > this.codes.length) this.resize(Math.max(this.codes.length * 2, end));
    let last = NaN;
    let lastCode = -1;
    const small = this.small;
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      // Fold numbers -1 .. 254 (every split Flowbench writes) skip the map: folds change from row to row.
      const slot = v + 1;
      if (slot >= 0 && slot < 256 && (slot | 0) === slot && small[slot] >= 0) {
        this.codes[firstRow + r] = small[slot];
        continue;
      }
      if (v !== last || lastCode < 0) {
        let code = this.codeOf.get(v);
        if (code === undefined) {
          code = this.values.length;
          this.values.push(v);
          this.codeOf.set(v, code);
          // -0 shares 0's slot, as it shares its code in the map.
          if (v >= -1 && v < 255 && Number.isInteger(v)) this.small[v + 1] = code;
          if (code > this.limit) this.widen();
        }
        last = v;
        lastCode = code;
      }
      this.codes[firstRow + r] = lastCode;
    }
  }

  private resize(length: number, wider = false): void {
    const Kind = wider ? (this.codes instanceof Uint8Array ? Uint16Array : Int32Array) : this.codes.constructor;
    const g = new (Kind as Uint8ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor)(length);
    g.set(this.codes);
    this.codes = g;
  }

  private widen(): void {
    this.resize(this.codes.length, true);
    this.limit = this.codes instanceof Uint16Array ? 0xffff : 0x7fffffff;
  }
}

/** The message for a split made for another file (its row count differs from the data's). */
export function splitRowsMismatch(splitFile: string, splitRows: number, dataRows: number | string): UserError {
  return new UserError(
    `${path.basename(splitFile)} has ${splitRows} rows but the data has ${dataRows}; ` +
      `the split was made for another file`,
  );
}

/**
 * A split's manifest, when there is a readable one; a missing or unreadable manifest gives undefined rather than an
 * error, since the split file alone is enough to evaluate. Relative `input.file` paths resolve against the manifest.
 */
export function readSplitManifest(foldsFile: string): Partial<SplitManifest> | undefined {
  let m: Partial<SplitManifest>;
  try {
    const text = readCheckedTextSync(manifestPathOf(foldsFile), { what: 'split manifest', maxBytes: 256 << 20 });
    m = JSON.parse(text) as Partial<SplitManifest>;
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
