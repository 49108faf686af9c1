import * as path from 'node:path';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/atomicWrite';
import { columnIndex, readTable, type Table } from '../data/table';
import { readSplitRows } from '../data/splitFile';
import { feedRows, outputsToTable, planFeeds, predictionCsv, randomFeeds, type PredictionTable } from './feeds';
import type { SkippedColumn } from './feeds';
import type { WireTensor } from './protocol';
import {
  fetchesFor,
  loadModel,
  newHost,
  runRows,
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
}

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
  table: PredictionTable;
  /** Data row index (0-based) of each prediction, when a split selected the rows. */
  rowIndex?: number[];
  out?: string;
}

export async function runInference(o: InferOptions): Promise<InferReport> {
  const model = await loadModel(o.model);
  let plan: ReturnType<typeof planFeeds> | null = null;
  let table: Table | null;
  let rows: number[] = [];
  let subset = false;
  if (o.input) {
    table = await readTable(o.input, o.cancellation);
    if (o.target) columnIndex(table, o.target, 'target');
    plan = planFeeds(model.info, table, { features: o.features, target: o.target });
    if (o.split) {
      rows = (await readSplitRows(o.split, table.rows, o.fold, o.cancellation)).valid;
      subset = true;
    } else rows = Array.from({ length: table.rows }, (_, i) => i);
    // Parse every cell before starting a process, so bad data fails fast with the line and column.
    plan.build(rows.slice(0, 1));
  } else if (o.split) {
    throw new UserError((f) => `${f('split')} needs ${f('input', 'DATA.csv')}`);
  }
  const host = newHost(o);
  try {
    const session = await host.createSession(path.resolve(model.path), o.providers, o.intraOpThreads);
    o.onProgress?.(`running on ${session.provider}`);
    const fetches = fetchesFor(model.info);
    let outputs: Record<string, WireTensor>;
    let ms: number;
    let n: number;
    if (plan) {
      ({ outputs, ms } = await runRows(host, session, plan.build, rows, fetches, o));
      n = rows.length;
    } else {
      const feeds = randomFeeds(model.info, o.batch ?? 1);
      n = feedRows(feeds);
      ({ outputs, ms } = await host.run(session.sessionId, feeds, fetches));
    }
    const predictions = outputsToTable(outputs, tensorOutputs(model.info), n);
    if (o.out) {
      await writeFileAtomic(o.out, predictionCsv(predictions, subset ? { name: 'row', values: rows } : undefined));
    }
    return {
      model: o.model,
      session: sessionReport(session, o.providers),
      source: plan ? 'csv' : 'random',
      mode: plan?.mode,
      featureColumns: plan?.columns,
      skippedColumns: plan?.skipped,
      rows: n,
      inferenceMs: ms,
      table: predictions,
      rowIndex: subset ? rows : undefined,
      out: o.out,
    };
  } finally {
    host.dispose();
  }
}
