import { UserError } from '../util/errors';
import type { ModelInfo, ValueInfo } from './onnxModel';
import { formatShape } from './onnxModel';
import type { Feeds, TensorType, WireTensor } from './protocol';
import { cellNumber, numericColumns, type Table } from '../data/table';

/** ONNX element type → onnxruntime-node tensor type, for the types a CSV can feed. */
const TENSOR_TYPES: Record<string, TensorType> = {
  float: 'float32',
  double: 'float64',
  int64: 'int64',
  int32: 'int32',
  string: 'string',
  bool: 'bool',
};

function tensorType(input: ValueInfo): TensorType {
  const t = TENSOR_TYPES[input.elemType];
  if (input.kind !== 'tensor' || !t)
    throw new UserError(
      `model input '${input.name}' has type ${input.elemType}, which Flowbench cannot feed ` +
        `(float, double, int64, int32, string, bool)`,
    );
  return t;
}

function typedArray(type: TensorType, values: ArrayLike<number>): WireTensor['data'] {
  switch (type) {
    case 'float32':
      return new Float32Array(values);
    case 'float64':
      return new Float64Array(values);
    case 'int64': {
      const out = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.round(values[i]));
      return out;
    }
    case 'int32':
      return new Int32Array(values);
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    default:
      throw new Error(`internal: no numeric array for ${type}`);
  }
}

/** What feed planning needs to know of a table: its columns, and which hold numbers (sampled or whole). */
export interface TableShape {
  name: string;
  columns: string[];
  isNumeric(column: string): boolean;
}

export interface SkippedColumn {
  column: string;
  reason: 'not numeric' | 'not in the feature list' | 'not a model input' | 'excluded';
}

function skippedColumns(
  shape: TableShape,
  fed: readonly string[],
  target: string | undefined,
  reason: (column: string) => SkippedColumn['reason'],
): SkippedColumn[] {
  return shape.columns
    .filter((c) => c !== target && !fed.includes(c))
    .map((column) => ({ column, reason: reason(column) }));
}

/** One model input and the header columns it is fed from. */
export interface FeedInput {
  name: string;
  type: TensorType;
  /** Header indices: the 2-D input's columns in order ('matrix'), or the one column ('vector' [n], 'column' [n,1]). */
  columns: number[];
  layout: 'matrix' | 'vector' | 'column';
}

export interface FeedPlan {
  mode: 'matrix' | 'per-column';
  /** Columns fed, in order: for 'matrix' the columns of the 2-D input, for 'per-column' one per input. */
  columns: string[];
  inputs: FeedInput[];
  /** Header indices of every fed column (each once). */
  fedColumns: number[];
  /**
   * The other columns (the target aside) and why they feed nothing: reports print them and the ledger keeps the
   * fed list, so a column is never dropped without a word.
   */
  skipped: SkippedColumn[];
  /** Builds feeds for the given data rows of an in-memory table (small inputs and tests). */
  build(rows: readonly number[]): Feeds;
}

/** A shape for an in-memory table: numeric columns decided from the whole column. */
export function tableShape(table: Table): TableShape {
  const numeric = new Set(numericColumns(table));
  return { name: table.name, columns: table.columns, isNumeric: (c) => numeric.has(c) };
}

/** Feeds for `n` rows from per-column values (numbers, or texts for string inputs), keyed by header index. */
export function feedsFrom(plan: FeedPlan, values: Map<number, Float64Array | string[]>, n: number): Feeds {
  const feeds: Feeds = {};
  for (const input of plan.inputs) {
    if (input.layout === 'matrix') {
      const w = input.columns.length;
      const cols = input.columns.map((j) => values.get(j) as Float64Array);
      // float32 (the usual case) is filled directly; other types go through a float64 row-major copy.
      const out = input.type === 'float32' ? new Float32Array(n * w) : new Float64Array(n * w);
      for (let c = 0; c < w; c++) {
        const col = cols[c];
        for (let r = 0, at = c; r < n; r++, at += w) out[at] = col[r];
      }
      const data = input.type === 'float32' || input.type === 'float64' ? out : typedArray(input.type, out);
      feeds[input.name] = { type: input.type, dims: [n, w], data };
    } else {
      const col = values.get(input.columns[0])!;
      const dims = input.layout === 'vector' ? [n] : [n, 1];
      const data =
        input.type === 'string'
          ? (col as string[]).slice(0, n)
          : typedArray(input.type, (col as Float64Array).subarray(0, n));
      feeds[input.name] = { type: input.type, dims, data };
    }
  }
  return feeds;
}

/**
 * Decides how CSV columns feed the model. One input per column (skl2onnx style) when every input is named after a
 * column; otherwise a single 2-D input fed every numeric column except the target (or `features`) in file order.
 */
export function planFeeds(
  model: ModelInfo,
  table: Table | TableShape,
  opts: { features?: string[]; target?: string; exclude?: string[] } = {},
): FeedPlan {
  const inMemory = 'cells' in table ? table : undefined;
  const shape = inMemory ? tableShape(inMemory) : (table as TableShape);
  const index = (c: string, role = 'column'): number => {
    const j = shape.columns.indexOf(c);
    if (j < 0) throw new UserError(`${role} '${c}' is not in ${shape.name} (columns: ${shape.columns.join(', ')})`);
    return j;
  };
  const inputs = model.inputs;
  if (inputs.length === 0) throw new UserError('the model declares no inputs');
  const byName = inputs.every((i) => shape.columns.includes(i.name));
  const singleMatrix =
    inputs.length === 1 && (inputs[0].shape?.length ?? 2) === 2 && !(byName && isColumnShaped(inputs[0]));
  let plan: Omit<FeedPlan, 'build' | 'fedColumns'>;
  if (inputs.length > 1 || !singleMatrix) {
    if (!byName) {
      const missing = inputs.filter((i) => !shape.columns.includes(i.name)).map((i) => i.name);
      throw new UserError(
        `the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); ` +
          `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a column of ${shape.name} ` +
          `(columns: ${shape.columns.join(', ')})`,
      );
    }
    if (opts.features) {
      throw new UserError(
        (f) =>
          `${f('features')} applies to a model with a single 2-D input;` +
          ' this model takes one input per column, matched by name',
      );
    }
    plan = {
      mode: 'per-column',
      columns: inputs.map((i) => i.name),
      skipped: skippedColumns(
        shape,
        inputs.map((i) => i.name),
        opts.target,
        () => 'not a model input',
      ),
      inputs: inputs.map((input) => ({
        name: input.name,
        type: tensorType(input),
        columns: [index(input.name)],
        layout: (input.shape?.length ?? 2) === 1 ? 'vector' : 'column',
      })),
    };
  } else {
    const input = inputs[0];
    const type = tensorType(input);
    if (type === 'string')
      throw new UserError(`model input '${input.name}' takes strings; name it after a column to feed that column`);
    let columns: string[];
    if (opts.features) {
      columns = opts.features;
      for (const c of columns) index(c, 'feature');
      if (opts.target && columns.includes(opts.target)) {
        throw new UserError((f) => `the target '${opts.target}' is also listed in ${f('features')}`);
      }
    } else {
      const exclude = [...(opts.target ? [opts.target] : []), ...(opts.exclude ?? [])];
      columns = shape.columns.filter((c) => !exclude.includes(c) && shape.isNumeric(c));
      if (columns.length === 0)
        throw new UserError(`${shape.name} has no numeric column to feed (columns: ${shape.columns.join(', ')})`);
    }
    const width = input.shape?.[1];
    if (typeof width === 'number' && width > 0 && width !== columns.length) {
      throw new UserError(
        (f) =>
          `model input '${input.name}' ${formatShape(input.shape)} takes ${width} features` +
          ` per row, but ${shape.name} gives ${columns.length} (${columns.join(', ')});` +
          ` choose them with ${f('features')}`,
      );
    }
    plan = {
      mode: 'matrix',
      columns,
      skipped: skippedColumns(shape, columns, opts.target, (c) =>
        opts.features ? 'not in the feature list' : opts.exclude?.includes(c) ? 'excluded' : 'not numeric',
      ),
      inputs: [{ name: input.name, type, columns: columns.map((c) => index(c, 'feature')), layout: 'matrix' }],
    };
  }
  const fedColumns = [...new Set(plan.inputs.flatMap((i) => i.columns))];
  const full: FeedPlan = {
    ...plan,
    fedColumns,
    build(rows) {
      if (!inMemory) throw new Error('internal: build(rows) needs an in-memory table');
      const values = new Map<number, Float64Array | string[]>();
      for (const input of plan.inputs) {
        for (const j of input.columns) {
          values.set(
            j,
            input.type === 'string'
              ? rows.map((i) => inMemory.cells[j][i])
              : Float64Array.from(rows, (i) => cellNumber(inMemory, j, i)),
          );
        }
      }
      return feedsFrom(full, values, rows.length);
    },
  };
  return full;
}

function isColumnShaped(v: ValueInfo): boolean {
  return v.shape !== null && (v.shape.length === 1 || (v.shape.length === 2 && v.shape[1] === 1));
}

/** Values one random input may hold: 2^27 (a 1 GiB float64 staging array); beyond, the declared size is suspect. */
export const MAX_RANDOM_ELEMENTS = 2 ** 27;

function formatElements(n: number): string {
  return Number.isFinite(n) && n < 1e6 ? n.toLocaleString('en-US') : n.toPrecision(3).replace('+', '');
}

/** A small deterministic PRNG (mulberry32) so random inputs are reproducible run to run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random inputs matching the declared shapes: the first dimension, when symbolic or unknown, is `batch`; other
 * symbolic dimensions are 1. Floats are standard normal, integers 0..9, booleans fair coins.
 */
export function randomFeeds(model: ModelInfo, batch: number, seed = 42): Feeds {
  const next = rng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const feeds: Feeds = {};
  for (const input of model.inputs) {
    const type = tensorType(input);
    if (!input.shape) {
      throw new UserError(
        (f) =>
          `model input '${input.name}' has no declared shape; random inputs need one` +
          ` (use ${f('input', 'DATA.csv')})`,
      );
    }
    const dims = input.shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? batch : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    // Declared sizes come from the file: checked before anything is allocated for them.
    if (!(n <= MAX_RANDOM_ELEMENTS)) {
      const declared = formatShape(input.shape);
      const actual = `[${dims.join(',')}]`;
      const batched = typeof input.shape[0] !== 'number' || input.shape[0] <= 0;
      throw new UserError(
        (f) =>
          `model input '${input.name}' ${declared} needs ${formatElements(n)} values` +
          `${actual === declared ? '' : ` as ${actual}`}; random inputs are limited to` +
          ` ${formatElements(MAX_RANDOM_ELEMENTS)} values per input` +
          ` (${batched ? `use a smaller ${f('batch')}, or ` : ''}feed rows with ${f('input', 'DATA.csv')})`,
      );
    }
    if (type === 'string') {
      feeds[input.name] = { type, dims, data: Array.from({ length: n }, () => String(Math.floor(next() * 10))) };
      continue;
    }
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++)
      values[i] =
        type === 'float32' || type === 'float64'
          ? normal()
          : type === 'bool'
            ? next() < 0.5
              ? 1
              : 0
            : Math.floor(next() * 10);
    feeds[input.name] = { type, dims, data: typedArray(type, values) };
  }
  return feeds;
}

/** Number of rows a feed set covers (first dimension of the first input). */
export function feedRows(feeds: Feeds): number {
  const first = Object.values(feeds)[0];
  return first?.dims[0] ?? 0;
}

/** Column headers and per-row values for outputs: 'name' for one value per row, 'name_i' for the i-th of several. */
export interface PredictionTable {
  columns: string[];
  rows: number;
  /** values[c][r] */
  values: (number | string | boolean)[][];
}

export function outputsToTable(outputs: Record<string, WireTensor>, order: string[], rows: number): PredictionTable {
  const columns: string[] = [];
  const values: (number | string | boolean)[][] = [];
  for (const name of order) {
    const t = outputs[name];
    if (!t) continue;
    if (t.dims.length === 0 || t.dims[0] !== rows) {
      throw new UserError(
        `output '${name}' has shape [${t.dims.join(',')}], not one entry per input row (${rows}); ` +
          `it cannot be written per row`,
      );
    }
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const data = t.data as ArrayLike<number | bigint | string>;
    for (let k = 0; k < per; k++) {
      columns.push(per === 1 ? name : `${name}_${k}`);
      const col: (number | string | boolean)[] = new Array(rows);
      for (let r = 0; r < rows; r++) {
        const v = data[r * per + k];
        col[r] = typeof v === 'bigint' ? Number(v) : v;
      }
      values.push(col);
    }
  }
  return { columns, rows, values };
}

function csvCell(v: number | string | boolean): string {
  const s =
    typeof v === 'number'
      ? Number.isInteger(v)
        ? String(v)
        : String(Math.fround(v) === v ? Number(v.toPrecision(9)) : v)
      : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Powers of ten 1e-4 … 1e9, exact in a double (index e + 4 holds 10^e). */
const POW10_CELL = Float64Array.from({ length: 14 }, (_, i) => Number(`1e${i - 4}`));
const SCALE = Float64Array.from({ length: 13 }, (_, k) => 10 ** k);

/**
 * Writes csvCell's text for a number into `out` at `at` and returns the end. A float32 value between 1e-4 and 1e9 is
 * written with 9 significant digits straight from integer arithmetic (a·10^k is exact in a double for k ≤ 12, so the
 * rounding is toPrecision(9)'s), trailing zeros dropped: the text csvCell makes, without building a string. Every
 * other number takes csvCell's own path.
 */
function writeNumber(out: Buffer, at: number, v: number): number {
  const a = v < 0 ? -v : v;
  if (Number.isInteger(v) && a < 2147483648 && !Object.is(v, -0)) {
    // Labels and row indices: the digits of a 32-bit integer, as String(v) writes them.
    let x = a | 0;
    if (v < 0) out[at++] = 45;
    if (x === 0) {
      out[at++] = 48;
      return at;
    }
    let len = 0;
    for (let t = x; t > 0; t = (t / 10) | 0) len++;
    for (let i = at + len - 1; i >= at; i--) {
      const q = (x / 10) | 0;
      out[i] = 48 + x - q * 10;
      x = q;
    }
    return at + len;
  }
  if (Number.isInteger(v) || Math.fround(v) !== v || !(a >= 1e-4 && a < 1e9)) {
    return at + out.write(csvCell(v), at, 'latin1');
  }
  let e = 0;
  while (a >= POW10_CELL[e + 5]) e++;
  while (a < POW10_CELL[e + 4]) e--;
  const m = Math.round(a * SCALE[8 - e]);
  // A carry into a tenth digit cannot happen for float32 values here (they are never that close to a power of ten),
  // but stays correct if it did.
  if (m >= 1e9) return at + out.write(csvCell(v), at, 'latin1');
  const point = e + 1;
  if (v < 0) out[at++] = 45;
  // The nine digits, then the point placed and trailing zeros (after it) dropped.
  const d = DIGIT_SCRATCH;
  let mi = m | 0;
  for (let i = 8; i >= 0; i--) {
    const q = (mi / 10) | 0;
    d[i] = 48 + mi - q * 10;
    mi = q;
  }
  let end = 9;
  while (end > 1 && end > point && d[end - 1] === 48) end--;
  if (point <= 0) {
    out[at++] = 48;
    out[at++] = 46;
    for (let z = point; z < 0; z++) out[at++] = 48;
    for (let i = 0; i < end; i++) out[at++] = d[i];
  } else {
    for (let i = 0; i < point; i++) out[at++] = d[i];
    if (point < end) {
      out[at++] = 46;
      for (let i = point; i < end; i++) out[at++] = d[i];
    }
  }
  return at;
}

const DIGIT_SCRATCH = new Uint8Array(9);

/** csvCell for a number, through the fast writer (tests compare the two). */
export function numberCell(v: number): string {
  const b = Buffer.allocUnsafe(64);
  return b.toString('latin1', 0, writeNumber(b, 0, v));
}

/** The header line of a prediction CSV (with the row-index column first when a split picked the rows). */
export function predictionCsvHeader(t: PredictionTable, prefix?: string): string {
  return [...(prefix ? [prefix] : []), ...t.columns].map((c) => csvCell(c)).join(',') + '\n';
}

/** The lines of a prediction table, one per row (each with its row index first when given), as UTF-8 bytes. */
export function predictionCsvRows(t: PredictionTable, prefix?: ArrayLike<number>): Buffer {
  const cols = t.values;
  let out = Buffer.allocUnsafe(Math.max(1024, t.rows * (cols.length + 1) * 16));
  let at = 0;
  for (let r = 0; r < t.rows; r++) {
    if (out.length - at < 64 * (cols.length + 1)) {
      const g = Buffer.allocUnsafe(out.length * 2);
      out.copy(g, 0, 0, at);
      out = g;
    }
    if (prefix) at = writeNumber(out, at, prefix[r]);
    for (let c = 0; c < cols.length; c++) {
      if (c > 0 || prefix) out[at++] = 44;
      const v = cols[c][r];
      if (typeof v === 'number') at = writeNumber(out, at, v);
      else {
        const text = csvCell(v);
        if (out.length - at < Buffer.byteLength(text) + 64) {
          const g = Buffer.allocUnsafe(out.length * 2 + Buffer.byteLength(text));
          out.copy(g, 0, 0, at);
          out = g;
        }
        at += out.write(text, at, 'utf8');
      }
    }
    out[at++] = 10;
  }
  return out.subarray(0, at);
}

/**
 * Prediction CSV lines straight from a batch's output tensors (no table of JS values in between): one line per row,
 * the row index first when given; the columns are outputsToTable's, in the same order.
 */
export function predictionCsvFromOutputs(
  outputs: Record<string, WireTensor>,
  order: string[],
  rows: number,
  prefix?: ArrayLike<number>,
): { columns: string[]; bytes: Buffer } {
  const parts: { data: ArrayLike<number | bigint | string>; per: number; k: number }[] = [];
  const columns: string[] = [];
  for (const name of order) {
    const t = outputs[name];
    if (!t) continue;
    if (t.dims.length === 0 || t.dims[0] !== rows) {
      throw new UserError(
        `output '${name}' has shape [${t.dims.join(',')}], not one entry per input row (${rows}); ` +
          'it cannot be written per row',
      );
    }
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    for (let k = 0; k < per; k++) {
      columns.push(per === 1 ? name : `${name}_${k}`);
      parts.push({ data: t.data as ArrayLike<number | bigint | string>, per, k });
    }
  }
  let out = Buffer.allocUnsafe(Math.max(1024, rows * (parts.length + 1) * 14));
  let at = 0;
  for (let r = 0; r < rows; r++) {
    if (out.length - at < 64 * (parts.length + 1)) {
      const g = Buffer.allocUnsafe(out.length * 2);
      out.copy(g, 0, 0, at);
      out = g;
    }
    if (prefix) at = writeNumber(out, at, prefix[r]);
    for (let c = 0; c < parts.length; c++) {
      if (c > 0 || prefix) out[at++] = 44;
      const p = parts[c];
      const v = p.data[r * p.per + p.k];
      if (typeof v === 'number') at = writeNumber(out, at, v);
      else if (typeof v === 'bigint') at = writeNumber(out, at, Number(v));
      else {
        const text = csvCell(v);
        const need = Buffer.byteLength(text) + 64 * (parts.length + 1);
        if (out.length - at < need) {
          const g = Buffer.allocUnsafe(out.length * 2 + need);
          out.copy(g, 0, 0, at);
          out = g;
        }
        at += out.write(text, at, 'utf8');
      }
    }
    out[at++] = 10;
  }
  return { columns, bytes: out.subarray(0, at) };
}

export function predictionCsv(t: PredictionTable, prefix?: { name: string; values: (number | string)[] }): string {
  const header = [...(prefix ? [prefix.name] : []), ...t.columns].map((c) => csvCell(c)).join(',');
  const lines: string[] = [header];
  for (let r = 0; r < t.rows; r++) {
    const cells = t.values.map((col) => csvCell(col[r]));
    lines.push((prefix ? [csvCell(prefix.values[r]), ...cells] : cells).join(','));
  }
  return lines.join('\n') + '\n';
}
