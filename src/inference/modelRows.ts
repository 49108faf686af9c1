import * as path from 'node:path';
import { CancelledError, UserError, type Cancellation } from '../util/errors';
import type { ColumnSpec } from '../data/chunkParser';
import { ChunkParser } from '../data/chunkParser';
import { ColumnInterner } from '../data/labels';
import { scanProgress, scanTable, type ScannedChunk } from '../data/parallelScan';
import { isNumericColumn } from '../data/table';
import { splitRowsMismatch } from '../data/splitFile';
import type { CsvHeader } from '../data/csv';
import { feedsFrom, planFeeds, type FeedPlan, type TableShape } from './feeds';
import type { ModelInfo } from './onnxModel';
import type { Feeds } from './protocol';

/**
 * Streams a data file into a model, for infer and eval: the CSV engine reads it once, in parallel, decoding only the
 * columns the model is fed and the target, and only for the rows a split selects; rows go out in batches (a group
 * per selection bit, so validation rows and train rows never share one) while the next chunks are parsed. Memory
 * stays bounded by a few chunks and one batch per group, whatever the file size.
 */

/** Rows per model call: large enough to keep onnxruntime busy, small enough to keep memory flat. */
export const BATCH_ROWS = 32_768;
/** Batches sent to the model and not yet scored, at most: one running, one waiting, while the scan reads on. */
const MAX_PENDING_BATCHES = 2;

export interface RowBatch {
  /** The selection bit the rows share (1 when no mask selects rows). */
  group: number;
  rows: number;
  feeds: Feeds;
  /** Data row index (0-based) of each row. */
  rowIndex: Int32Array;
  /** The target of each row: global codes into `target.interner` (classification) or values (regression). */
  target?: Int32Array | Float64Array;
  /** Classification: the target's distinct labels so far (every code in `target` among them), with their lines. */
  labels?: { texts: readonly string[]; lineOf(code: number): number };
}

export interface ModelRowsOptions {
  file: string;
  model: ModelInfo;
  features?: string[];
  target?: string;
  /** How the target is read: interned labels (classification) or numbers (regression). */
  targetKind?: 'intern' | 'number';
  /**
   * One byte per data row from a split (bits: 1 train, 2 valid, 4 a train row picked for train metrics); absent:
   * every row is fed. The data must have exactly as many rows as the mask.
   */
  mask?: Uint8Array;
  /** Mask bits whose rows are fed to the model (each bit its own batches). */
  feedBits?: number;
  /** Mask bits whose rows' targets are read (fed rows, and e.g. train rows for the baseline). */
  targetBits?: number;
  workers?: number;
  cancellation?: Cancellation;
  sha256?: boolean;
  onProgress?(message: string): void;
  /** The split file the mask came from, for the message when its row count differs from the data's. */
  splitFile?: string;
  onBatch(batch: RowBatch): Promise<void>;
  /** Every target read (fed rows and the others, e.g. train rows for the baseline), chunk by chunk in row order,
   * with each row's mask bits. */
  onTargets?(bits: Uint8Array, target: Int32Array | Float64Array): void;
}

export interface ModelRowsResult {
  plan: FeedPlan;
  header: CsvHeader;
  rows: number;
  bytes: number;
  sha256?: string;
  /** The target's distinct labels (classification), in order of first appearance, with the line of each. */
  target?: { interner: ColumnInterner; lineOf(code: number): number };
}

/**
 * Column typing from the leading rows: numeric when every value there that is not missing is a number. A ragged
 * row types nothing (the scan reports it, with its line).
 */
function shapeFromRows(name: string, header: CsvHeader, leading: string[][]): TableShape {
  const columns = header.columns.map((c) => c.trim());
  const rows = leading.filter((r) => r.length === columns.length);
  const numeric = new Set(columns.filter((_, j) => isNumericColumn(rows.map((r) => r[j] ?? ''))));
  return { name, columns, isNumeric: (c) => numeric.has(c) };
}

class BatchBuilder {
  /** Per fed column (in `fed` order): its values, unless the batch is built straight into `matrix`. */
  readonly cols: Float64Array[];
  /** The single float32 2-D input, row-major, when that is what the model takes (the usual case: no copy). */
  readonly matrix: Float32Array | undefined;
  rowIndex = new Int32Array(BATCH_ROWS);
  target: Int32Array | Float64Array | undefined;
  n = 0;

  constructor(
    readonly group: number,
    fedCount: number,
    direct: boolean,
    targetKind: 'intern' | 'number' | undefined,
  ) {
    this.matrix = direct ? new Float32Array(BATCH_ROWS * fedCount) : undefined;
    this.cols = direct ? [] : Array.from({ length: fedCount }, () => new Float64Array(BATCH_ROWS));
    this.target =
      targetKind === 'intern'
        ? new Int32Array(BATCH_ROWS)
        : targetKind === 'number'
          ? new Float64Array(BATCH_ROWS)
          : undefined;
  }
}

export async function streamModelRows(o: ModelRowsOptions): Promise<ModelRowsResult> {
  const name = path.basename(o.file);
  const mask = o.mask;
  const feedBits = mask ? (o.feedBits ?? 0xff) : 1;
  const targetBits = mask ? (o.targetBits ?? feedBits) : o.target ? 1 : 0;
  let plan: FeedPlan | undefined;
  let headerSeen: CsvHeader | undefined;
  let targetIdx = -1;
  const interner = o.targetKind === 'intern' && o.target ? new ColumnInterner(o.target) : undefined;
  const firstLines = new Map<number, number>();
  const builders = new Map<number, BatchBuilder>();
  let fed: number[] = [];
  let direct = false;
  let started = Date.now();
  let lastProgress = 0;

  // Batches go to onBatch one after another, in row order, while the scan reads on: up to MAX_PENDING_BATCHES wait
  // or run, each with its own copy of the rows, so the model works while the next batch is parsed.
  let tail: Promise<void> = Promise.resolve();
  const pending: Promise<void>[] = [];
  const flush = async (b: BatchBuilder): Promise<void> => {
    if (b.n === 0) return;
    const n = b.n;
    let feeds: Feeds;
    if (b.matrix) {
      const input = plan!.inputs[0];
      feeds = { [input.name]: { type: 'float32', dims: [n, fed.length], data: b.matrix.slice(0, n * fed.length) } };
    } else {
      feeds = feedsFrom(plan!, new Map(fed.map((j, k) => [j, b.cols[k].slice(0, n)])), n);
    }
    const batch: RowBatch = {
      group: b.group,
      rows: n,
      feeds,
      rowIndex: b.rowIndex.slice(0, n),
      target: b.target?.slice(0, n),
      labels: interner ? { texts: interner.distinct, lineOf: (code) => firstLines.get(code) ?? 0 } : undefined,
    };
    b.n = 0;
    const done = tail.then(() => o.onBatch(batch));
    done.catch(() => undefined); // awaited below or at the end; never an unhandled rejection
    tail = done;
    pending.push(done);
    if (pending.length >= MAX_PENDING_BATCHES) await pending.shift();
  };
  /** Waits for every batch sent so far; the first batch's error, if any, is thrown. */
  const drain = async (): Promise<void> => {
    for (const r of await Promise.allSettled(pending.splice(0))) if (r.status === 'rejected') throw r.reason;
  };
  /** A scan error gives way to a batch's: the batch's rows come earlier in the file. A cancel does not wait. */
  const afterBatches = async <T>(scan: Promise<T>): Promise<T> => {
    try {
      return await scan;
    } catch (err) {
      if (!(err instanceof CancelledError)) await drain();
      throw err;
    }
  };

  const onChunk = async (c: ScannedChunk): Promise<void> => {
    const out = mask ? c.b! : c.a;
    // Per column spec (in plan order): the decoded values, read with a cursor as rows go by.
    const featureOut = fed.map((_, k) => out.columns[k]!.values!);
    const nFed = fed.length;
    const tk = fed.length;
    const targetOut = targetIdx >= 0 ? out.columns[tk] : undefined;
    let targetCodes: Int32Array | undefined;
    if (interner && targetOut) {
      const before = interner.distinct.length;
      targetCodes = interner.mapChunk(targetOut.dict!, targetOut.codes!, c.firstRow);
      // Lines of labels new to the file, for messages about them (found from the rows the column saw).
      if (interner.distinct.length > before) {
        const localRow = new Map<number, number>();
        targetOut.dict!.firstRow.forEach((r, i) => localRow.set(interner.code(targetOut.dict!.texts[i])!, r));
        for (let g = before; g < interner.distinct.length; g++) {
          const seenAt = localRow.get(g)!;
          firstLines.set(
            g,
            c.firstLine + ChunkParser.lineAt(c.data, c.rowStarts[rowOfNth(c, mask, targetBits, seenAt)]),
          );
        }
      }
    }
    const targetValues = targetOut?.values;
    const wantBits = o.onTargets !== undefined && targetIdx >= 0;
    const bitsOf = wantBits ? new Uint8Array(c.rows) : undefined;
    let fi = 0;
    let ti = 0;
    // Rows of one group come in runs: the builder is looked up again only when the group changes.
    let lastGroup = -1;
    let b: BatchBuilder | undefined;
    for (let r = 0; r < c.rows; r++) {
      const row = c.firstRow + r;
      const bits = mask ? (row < mask.length ? mask[row] : 0) : 1;
      let t = -1;
      if ((bits & targetBits) !== 0) {
        if (bitsOf) bitsOf[ti] = bits;
        t = ti++;
      }
      const group = bits & feedBits;
      if (group === 0) continue;
      if (group !== lastGroup) {
        lastGroup = group;
        b = builders.get(group);
        if (!b) {
          b = new BatchBuilder(group, fed.length, direct, o.targetKind && targetIdx >= 0 ? o.targetKind : undefined);
          builders.set(group, b);
        }
      }
      if (!b) continue;
      const at = b.n;
      if (b.matrix) {
        const m = b.matrix;
        const base = at * nFed;
        for (let k = 0; k < nFed; k++) m[base + k] = featureOut[k][fi];
      } else {
        for (let k = 0; k < nFed; k++) b.cols[k][at] = featureOut[k][fi];
      }
      fi++;
      b.rowIndex[at] = row;
      if (b.target && t >= 0) b.target[at] = targetCodes ? targetCodes[t] : targetValues![t];
      b.n++;
      if (b.n === BATCH_ROWS) await flush(b);
    }
    if (o.onTargets && bitsOf) o.onTargets(bitsOf.subarray(0, ti), targetCodes ?? targetValues!);
  };

  const summary = await afterBatches(
    scanTable(
      o.file,
      (header, leading) => {
        headerSeen = header;
        const shape = shapeFromRows(name, header, leading);
        if (o.target) {
          targetIdx = shape.columns.indexOf(o.target);
          if (targetIdx < 0) {
            throw new UserError(`target '${o.target}' is not in ${name} (columns: ${shape.columns.join(', ')})`);
          }
        }
        plan = planFeeds(o.model, shape, { features: o.features, target: o.target });
        const strings = plan.inputs.some((i) => i.type === 'string');
        if (strings) throw new UserError('string model inputs are not supported for CSV data yet; feed numbers');
        fed = plan.fedColumns;
        // One float32 matrix input fed its columns in order: batches are built straight into the tensor.
        const only = plan.inputs.length === 1 ? plan.inputs[0] : undefined;
        direct =
          only !== undefined &&
          only.layout === 'matrix' &&
          only.type === 'float32' &&
          only.columns.every((j, k) => fed[k] === j);
        const rowsOf = (bits: number): ColumnSpec['rows'] => (mask ? bits : 'all');
        const columns: ColumnSpec[] = fed.map((j) => ({
          index: j,
          kind: 'number',
          name: shape.columns[j],
          rows: rowsOf(feedBits),
        }));
        // The target is read only when asked for (eval); infer only keeps it out of the features.
        if (targetIdx >= 0 && o.targetKind) {
          columns.push({ index: targetIdx, kind: o.targetKind, name: o.target!, rows: rowsOf(targetBits) });
        } else targetIdx = -1;
        started = Date.now();
        return {
          plan: { columns },
          select: mask
            ? (first, n) => {
                if (first + n <= mask.length) return mask.subarray(first, first + n);
                // More data rows than the split has: read on without decoding, to name both counts at the end.
                const sel = new Uint8Array(n);
                if (first < mask.length) sel.set(mask.subarray(first));
                return sel;
              }
            : undefined,
          onChunk,
        };
      },
      {
        workers: o.workers,
        cancellation: o.cancellation,
        sha256: o.sha256,
        onProgress: (bytes, total, rows) => {
          const now = Date.now();
          if (!o.onProgress || now - lastProgress < 250) return;
          lastProgress = now;
          o.onProgress(scanProgress(name, bytes, total, rows, now - started));
        },
      },
    ),
  );
  if (mask && summary.rows !== mask.length) throw splitRowsMismatch(o.splitFile ?? o.file, mask.length, summary.rows);
  for (const b of builders.values()) await flush(b);
  await drain();
  return {
    plan: plan!,
    header: headerSeen!,
    rows: summary.rows,
    bytes: summary.bytes,
    sha256: summary.sha256,
    target: interner ? { interner, lineOf: (code) => firstLines.get(code) ?? 0 } : undefined,
  };
}

/** The chunk row of the n-th row (0-based) whose mask byte has one of `bits` (every row when there is no mask). */
function rowOfNth(c: ScannedChunk, mask: Uint8Array | undefined, bits: number, nth: number): number {
  if (!mask) return nth;
  let seen = -1;
  for (let r = 0; r < c.rows; r++) {
    if (((mask[c.firstRow + r] ?? 0) & bits) !== 0 && ++seen === nth) return r;
  }
  return c.rows - 1;
}
