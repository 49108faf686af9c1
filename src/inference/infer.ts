import * as path from 'node:path';
import { UserError } from '../util/errors';
import { OutputSet, type StagedFile } from '../util/outputs';
import { manifestPathOf, readSplitMask, VALID_ROW } from '../data/splitFile';
import {
  feedRows,
  outputsToTable,
  predictionCsvFromOutputs,
  predictionCsvHeader,
  predictionCsvRows,
  randomFeeds,
  type PredictionTable,
  type SkippedColumn,
} from './feeds';
import { streamModelRows } from './modelRows';
import {
  fetchesFor,
  loadModel,
  newHost,
  sessionReport,
  tensorOutputs,
  type RuntimeOptions,
  type SessionReport,
} from './session';

export interface InferOptions extends RuntimeOptions {
  model: string;
  input?: string;
  split?: string;
  fold?: number;
  features?: string[];
  target?: string;
  batch?: number;
  out?: string;
  /** Parse threads for the CSV engine (default: one per core). */
  workers?: number;
  /** Rows of predictions kept in the report (the file gets every row). */
  previewRows?: number;
}

/** Rows of predictions the report keeps by default. */
export const PREVIEW_ROWS = 100;

export interface InferReport {
  model: string;
  session: SessionReport;
  source: 'csv' | 'random';
  mode?: 'matrix' | 'per-column';
  featureColumns?: string[];
  /** Columns that fed nothing, and why (printed, so no column is dropped without a word). */
  skippedColumns?: SkippedColumn[];
  rows: number;
  inferenceMs: number;
  /** The first predictions (PREVIEW_ROWS, or previewRows); `rows` counts them all. */
  table: PredictionTable;
  /** Data row index (0-based) of each previewed prediction, when a split selected the rows. */
  rowIndex?: number[];
  out?: string;
}

export async function runInference(o: InferOptions): Promise<InferReport> {
  if (o.split && !o.input) throw new UserError((f) => `${f('split')} needs ${f('input', 'DATA.csv')}`);
  // The predictions may replace nothing the run reads: checked before the model is even loaded.
  const outs = new OutputSet({
    inputs: [
      { path: o.model, what: 'the model' },
      o.input && { path: o.input, field: 'input' },
      o.split && { path: o.split, field: 'split' },
      o.split && manifestPathOf(o.split),
    ],
    cancellation: o.cancellation,
  });
  if (o.out) outs.reserve({ path: o.out, field: 'out' });
  const model = await loadModel(o.model);
  const previewRows = o.previewRows ?? PREVIEW_ROWS;
  const mask = o.split
    ? (await readSplitMask(o.split, o.fold, { cancellation: o.cancellation, workers: o.workers })).mask
    : undefined;
  const host = newHost(o);
  let writer: StagedFile | undefined;
  try {
    writer = o.out ? outs.file({ path: o.out, field: 'out' }) : undefined;
    // The session (a child process, onnxruntime loading) starts while the first chunks are parsed.
    const sessionReady = host.createSession(path.resolve(model.path), o.providers, o.intraOpThreads);
    sessionReady.catch(() => undefined);
    const fetches = fetchesFor(model.info);
    const order = tensorOutputs(model.info);
    let ms = 0;
    let n = 0;
    let preview: PredictionTable | undefined;
    const previewIndex: number[] = [];
    if (o.input) {
      let headerWritten = false;
      const stream = await streamModelRows({
        file: o.input,
        model: model.info,
        features: o.features,
        target: o.target,
        mask,
        feedBits: VALID_ROW,
        splitFile: o.split,
        workers: o.workers,
        cancellation: o.cancellation,
        onProgress: o.onProgress,
        onBatch: async (b) => {
          const session = await sessionReady;
          const r = await host.run(session.sessionId, b.feeds, fetches);
          ms += r.ms;
          if (writer) {
            const csv = predictionCsvFromOutputs(r.outputs, order, b.rows, mask ? b.rowIndex : undefined);
            if (!headerWritten)
              writer.write(
                predictionCsvHeader({ columns: csv.columns, rows: 0, values: [] }, mask ? 'row' : undefined),
              );
            headerWritten = true;
            writer.write(csv.bytes);
          }
          if (n < previewRows) {
            const take = Math.min(previewRows - n, b.rows);
            preview = appendPreview(preview, outputsToTable(r.outputs, order, b.rows), take);
            if (mask) for (let i = 0; i < take; i++) previewIndex.push(b.rowIndex[i]);
          }
          n += b.rows;
        },
      });
      const session = await sessionReady;
      const report: InferReport = {
        model: o.model,
        session: sessionReport(session, o.providers),
        source: 'csv',
        mode: stream.plan.mode,
        featureColumns: stream.plan.columns,
        skippedColumns: stream.plan.skipped,
        rows: n,
        inferenceMs: ms,
        table: preview ?? { columns: [], rows: 0, values: [] },
        rowIndex: mask ? previewIndex : undefined,
        out: o.out,
      };
      await outs.commitAll();
      return report;
    }
    const session = await sessionReady;
    o.onProgress?.(`running on ${session.provider}`);
    const feeds = randomFeeds(model.info, o.batch ?? 1);
    n = feedRows(feeds);
    const r = await host.run(session.sessionId, feeds, fetches);
    const table = outputsToTable(r.outputs, order, n);
    if (writer) {
      writer.write(predictionCsvHeader(table));
      writer.write(predictionCsvRows(table));
      await outs.commitAll();
    }
    return {
      model: o.model,
      session: sessionReport(session, o.providers),
      source: 'random',
      rows: n,
      inferenceMs: r.ms,
      table: appendPreview(undefined, table, Math.min(n, previewRows)),
      out: o.out,
    };
  } catch (err) {
    outs.abortAll();
    throw err;
  } finally {
    host.dispose();
  }
}

/** The first rows of a prediction table, grown batch by batch (the report shows these; the file has them all). */
function appendPreview(into: PredictionTable | undefined, t: PredictionTable, take: number): PredictionTable {
  const base = into ?? { columns: t.columns, rows: 0, values: t.columns.map(() => []) };
  base.values.forEach((col, c) => col.push(...t.values[c].slice(0, take)));
  base.rows += take;
  return base;
}
