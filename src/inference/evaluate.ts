import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { encodeColumn } from '../data/labels';
import { cellNumber, columnIndex, readTable } from '../data/table';
import { readSplitRows, splitManifestHints } from '../data/splitFile';
import type { SessionHandle } from './runtimeHost';
import { classSpace, classCoder, decodeClassifier, decodeRegressor, outputRoles } from './predictions';
import { classificationMetrics, majorityBaseline, regressionMetrics } from './metrics';
import { appendExperiment, type ExperimentRecord } from './ledger';
import type { WireTensor } from './protocol';
import { VERSION } from '../util/version';
import { planFeeds } from './feeds';
import type { SkippedColumn } from './feeds';
import {
  fetchesFor,
  loadModel,
  newHost,
  runRows,
  sessionReport,
  type RuntimeOptions,
  type SessionReport,
} from './session';

export interface EvalOptions extends RuntimeOptions {
  model: string;
  /** Defaults to the data file named in the split's manifest (FOLDS.csv.json). */
  data?: string;
  split: string;
  fold?: number;
  /** Defaults to the target named in the split's manifest. */
  target?: string;
  features?: string[];
  /** Folder whose .flowbench/experiments.jsonl gets the record; false to skip the ledger. */
  ledgerRoot: string | false;
}

export interface EvalReport {
  task: 'classification' | 'regression';
  model: { path: string; sha256: string };
  data: { path: string; sha256: string; rows: number };
  split: { path: string; fold: number | null; manifestHash: string; train: number; valid: number };
  target: string;
  featureColumns: string[];
  /** Columns that fed nothing, and why (printed, so no column is dropped without a word). */
  skippedColumns?: SkippedColumn[];
  mode: 'matrix' | 'per-column';
  session: SessionReport;
  inferenceMs: number;
  classes?: { names: string[]; source: string };
  metrics: Record<string, number | null>;
  /**
   * The same metrics on the rows the model was trained on (the split's train rows), side by side with the
   * validation metrics so overfitting shows. Above TRAIN_METRIC_ROWS train rows, on every k-th train row.
   */
  train: { rows: number; sampled: boolean; metrics: Record<string, number | null> };
  baseline: Record<string, number | null>;
  baselineKind: string;
  ledger?: ExperimentRecord;
  /** Things worth knowing that did not stop the evaluation (e.g. the data changed since the split was made). */
  warnings: string[];
}

/** Train rows scored for the train metrics at most (every k-th train row above this). */
export const TRAIN_METRIC_ROWS = 100_000;

export async function runEval(opts: EvalOptions): Promise<EvalReport> {
  const hints = splitManifestHints(opts.split);
  const dataFile = opts.data ?? (hints.dataFile && fs.existsSync(hints.dataFile) ? hints.dataFile : undefined);
  if (!dataFile) {
    throw new UserError((f) => `missing ${f('data', 'DATA.csv')} (the split has no manifest naming its data file)`);
  }
  const targetName = opts.target ?? hints.target;
  if (!targetName) throw new UserError((f) => `missing ${f('target', 'COLUMN')} (the split's manifest names none)`);
  const o = { ...opts, data: dataFile, target: targetName };
  const warnings: string[] = [];
  const model = await loadModel(o.model);
  const roles = outputRoles(model.info);
  o.onProgress?.('reading data');
  const table = await readTable(o.data, o.cancellation);
  const tj = columnIndex(table, o.target, 'target');
  const split = await readSplitRows(o.split, table.rows, o.fold, o.cancellation);
  if (split.train.length === 0) {
    throw new UserError(`${path.basename(o.split)} has no train rows; the baseline needs them`);
  }
  const plan = planFeeds(model.info, table, { features: o.features, target: o.target });
  plan.build(split.valid.slice(0, 1));

  // Targets are checked before any process starts.
  let space: ReturnType<typeof classSpace> | null = null;
  let yTrue: Int32Array | Float64Array;
  let yTrain: Int32Array | Float64Array;
  if (roles.task === 'classification') {
    const used = [...split.train, ...split.valid];
    encodeColumn(
      o.target,
      used.map((i) => table.cells[tj][i]),
      (r) => table.lines[used[r]],
    );
    space = classSpace(
      model.info,
      used.map((i) => table.cells[tj][i]),
    );
    const code = classCoder(space);
    const encode = (rows: number[]): Int32Array =>
      Int32Array.from(rows, (i) => {
        const c = code(table.cells[tj][i]);
        if (c < 0) {
          throw new UserError(
            `target '${table.cells[tj][i]}' on line ${table.lines[i]} is not one of the model's classes` +
              ` (${space!.names.join(', ')})`,
          );
        }
        return c;
      });
    yTrue = encode(split.valid);
    yTrain = encode(split.train);
  } else {
    yTrue = Float64Array.from(split.valid, (i) => cellNumber(table, tj, i));
    yTrain = Float64Array.from(split.train, (i) => cellNumber(table, tj, i));
  }

  const stride = Math.max(1, Math.ceil(split.train.length / TRAIN_METRIC_ROWS));
  const trainPick = split.train.map((_, i) => i).filter((i) => i % stride === 0);
  const trainRows = trainPick.map((i) => split.train[i]);
  const host = newHost(o);
  let session: SessionHandle;
  let result: { outputs: Record<string, WireTensor>; ms: number };
  let trainResult: { outputs: Record<string, WireTensor>; ms: number };
  try {
    session = await host.createSession(path.resolve(model.path), o.providers, o.intraOpThreads);
    o.onProgress?.(`evaluating ${split.valid.length} rows on ${session.provider}`);
    result = await runRows(host, session, plan.build, split.valid, fetchesFor(model.info), o);
    trainResult = await runRows(host, session, plan.build, trainRows, fetchesFor(model.info), o);
  } finally {
    host.dispose();
  }
  const n = split.valid.length;
  let metrics: Record<string, number | null>;
  let trainMetrics: Record<string, number | null>;
  let baseline: Record<string, number | null>;
  let baselineKind: string;
  if (roles.task === 'classification') {
    const c = space!.names.length;
    const pred = decodeClassifier(roles, result.outputs, n, space!);
    metrics = { ...classificationMetrics(yTrue, pred.codes, pred.proba, c) };
    const tp = decodeClassifier(roles, trainResult.outputs, trainRows.length, space!);
    trainMetrics = {
      ...classificationMetrics(
        Int32Array.from(trainPick, (i) => yTrain[i]),
        tp.codes,
        tp.proba,
        c,
      ),
    };
    const maj = majorityBaseline(yTrain, c);
    const bp = new Float64Array(n * c);
    for (let i = 0; i < n; i++) bp.set(maj.proba, i * c);
    baseline = { ...classificationMetrics(yTrue, new Int32Array(n).fill(maj.label), bp, c) };
    baselineKind = `majority class '${space!.names[maj.label]}' with train class frequencies`;
  } else {
    const pred = decodeRegressor(roles.value, result.outputs, n);
    metrics = { ...regressionMetrics(yTrue, pred) };
    const tp = decodeRegressor(roles.value, trainResult.outputs, trainRows.length);
    trainMetrics = {
      ...regressionMetrics(
        Float64Array.from(trainPick, (i) => yTrain[i]),
        tp,
      ),
    };
    let mean = 0;
    for (let i = 0; i < yTrain.length; i++) mean += yTrain[i];
    mean /= yTrain.length;
    baseline = { ...regressionMetrics(yTrue, new Float64Array(n).fill(mean)) };
    baselineKind = `train mean ${Number(mean.toPrecision(6))}`;
  }
  const dataSha256 = table.sha256;
  if (hints.dataSha256 && hints.dataSha256 !== dataSha256) {
    warnings.push(
      `${path.basename(o.data)} changed since ${path.basename(o.split)} was made` +
        " (its SHA-256 differs from the manifest's); the rows may no longer match the split",
    );
  }
  const report: EvalReport = {
    task: roles.task,
    model: { path: o.model, sha256: model.sha256 },
    data: { path: o.data, sha256: dataSha256, rows: table.rows },
    split: { path: o.split, fold: split.fold, manifestHash: split.manifestHash, train: split.train.length, valid: n },
    target: o.target,
    featureColumns: plan.columns,
    skippedColumns: plan.skipped,
    mode: plan.mode,
    session: sessionReport(session, o.providers),
    inferenceMs: result.ms,
    classes: space ? { names: space.names, source: space.source } : undefined,
    metrics,
    train: { rows: trainRows.length, sampled: stride > 1, metrics: trainMetrics },
    baseline,
    baselineKind,
    warnings,
  };
  if (o.ledgerRoot !== false) {
    report.ledger = await appendExperiment(
      o.ledgerRoot,
      {
        kind: 'eval',
        time: new Date().toISOString(),
        model: report.model,
        data: report.data,
        split: report.split,
        target: o.target,
        features: plan.columns,
        task: report.task,
        metrics,
        baseline,
        latency: { inferenceMs: result.ms },
        provider: session.provider,
        flowbench: VERSION,
      },
      path.dirname(path.resolve(o.model)),
    );
  }
  return report;
}
