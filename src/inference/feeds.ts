import { UserError } from '../util/errors';
import type { ModelInfo, ValueInfo } from './onnxModel';
import { formatShape } from './onnxModel';
import type { Feeds, TensorType, WireTensor } from './protocol';
import { cellNumber, columnIndex, numericColumns, type Table } from '../data/table';

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
      `model input '${input.name}' has type ${input.elemType}, which Flowbench cannot feed (float, double, int64, int32, string, bool)`,
    );
  return t;
}

function typedArray(type: TensorType, values: ArrayLike<number>): WireTensor['data'] {
  switch (type) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.round(v))));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    default:
      throw new Error(`internal: no numeric array for ${type}`);
  }
}

export interface SkippedColumn {
  column: string;
  reason: 'not numeric' | 'not in the feature list' | 'not a model input' | 'excluded';
}

function skippedColumns(
  table: Table,
  fed: readonly string[],
  target: string | undefined,
  reason: (column: string) => SkippedColumn['reason'],
): SkippedColumn[] {
  return table.columns
    .filter((c) => c !== target && !fed.includes(c))
    .map((column) => ({ column, reason: reason(column) }));
}

export interface FeedPlan {
  mode: 'matrix' | 'per-column';
  /** Columns fed, in order: for 'matrix' the columns of the 2-D input, for 'per-column' one per input. */
  columns: string[];
  /**
   * The other columns (the target aside) and why they feed nothing: reports print them and the ledger keeps the
   * fed list, so a column is never dropped without a word.
   */
  skipped: SkippedColumn[];
  /** Builds feeds for the given data rows. */
  build(rows: readonly number[]): Feeds;
}

/**
 * Decides how CSV columns feed the model. One input per column (skl2onnx style) when every input is named after a
 * column; otherwise a single 2-D input fed every numeric column except the target (or `features`) in file order.
 */
export function planFeeds(
  model: ModelInfo,
  table: Table,
  opts: { features?: string[]; target?: string; exclude?: string[] } = {},
): FeedPlan {
  const inputs = model.inputs;
  if (inputs.length === 0) throw new UserError('the model declares no inputs');
  const byName = inputs.every((i) => table.columns.includes(i.name));
  const singleMatrix =
    inputs.length === 1 && (inputs[0].shape?.length ?? 2) === 2 && !(byName && isColumnShaped(inputs[0]));
  if (inputs.length > 1 || !singleMatrix) {
    if (!byName) {
      const missing = inputs.filter((i) => !table.columns.includes(i.name)).map((i) => i.name);
      throw new UserError(
        `the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a column of ${table.name} (columns: ${table.columns.join(', ')})`,
      );
    }
    if (opts.features) {
      throw new UserError(
        (f) =>
          `${f('features')} applies to a model with a single 2-D input;` +
          ' this model takes one input per column, matched by name',
      );
    }
    return {
      mode: 'per-column',
      columns: inputs.map((i) => i.name),
      skipped: skippedColumns(
        table,
        inputs.map((i) => i.name),
        opts.target,
        () => 'not a model input',
      ),
      build(rows) {
        const feeds: Feeds = {};
        for (const input of inputs) {
          const type = tensorType(input);
          const j = columnIndex(table, input.name);
          const dims = (input.shape?.length ?? 2) === 1 ? [rows.length] : [rows.length, 1];
          const data =
            type === 'string'
              ? rows.map((i) => table.cells[j][i])
              : typedArray(
                  type,
                  rows.map((i) => cellNumber(table, j, i)),
                );
          feeds[input.name] = { type, dims, data };
        }
        return feeds;
      },
    };
  }
  const input = inputs[0];
  const type = tensorType(input);
  if (type === 'string')
    throw new UserError(`model input '${input.name}' takes strings; name it after a column to feed that column`);
  let columns: string[];
  if (opts.features) {
    columns = opts.features;
    for (const c of columns) columnIndex(table, c, 'feature');
    if (opts.target && columns.includes(opts.target)) {
      throw new UserError((f) => `the target '${opts.target}' is also listed in ${f('features')}`);
    }
  } else {
    columns = numericColumns(table, [...(opts.target ? [opts.target] : []), ...(opts.exclude ?? [])]);
    if (columns.length === 0)
      throw new UserError(`${table.name} has no numeric column to feed (columns: ${table.columns.join(', ')})`);
  }
  const width = input.shape?.[1];
  if (typeof width === 'number' && width > 0 && width !== columns.length) {
    throw new UserError(
      (f) =>
        `model input '${input.name}' ${formatShape(input.shape)} takes ${width} features` +
        ` per row, but ${table.name} gives ${columns.length} (${columns.join(', ')});` +
        ` choose them with ${f('features')}`,
    );
  }
  const js = columns.map((c) => columnIndex(table, c, 'feature'));
  const fed = columns;
  return {
    mode: 'matrix',
    columns,
    skipped: skippedColumns(table, fed, opts.target, (c) =>
      opts.features ? 'not in the feature list' : opts.exclude?.includes(c) ? 'excluded' : 'not numeric',
    ),
    build(rows) {
      const values = new Float64Array(rows.length * js.length);
      rows.forEach((i, r) =>
        js.forEach((j, c) => {
          values[r * js.length + c] = cellNumber(table, j, i);
        }),
      );
      return { [input.name]: { type, dims: [rows.length, js.length], data: typedArray(type, values) } };
    },
  };
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
        `output '${name}' has shape [${t.dims.join(',')}], not one entry per input row (${rows}); it cannot be written per row`,
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

export function predictionCsv(t: PredictionTable, prefix?: { name: string; values: (number | string)[] }): string {
  const header = [...(prefix ? [prefix.name] : []), ...t.columns].map((c) => csvCell(c)).join(',');
  const lines: string[] = [header];
  for (let r = 0; r < t.rows; r++) {
    const cells = t.values.map((col) => csvCell(col[r]));
    lines.push((prefix ? [csvCell(prefix.values[r]), ...cells] : cells).join(','));
  }
  return lines.join('\n') + '\n';
}
