import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { OutputSet } from '../util/outputs';
import { manifestPathOf, readSplitMask, splitManifestHints, TRAIN_ROW, VALID_ROW } from '../data/splitFile';
import {
  classSpace,
  classCoder,
  declaredClassSpace,
  decodeClassifier,
  decodeRegressor,
  outputRoles,
  type ClassSpace,
} from './predictions';
import { ClassificationAccumulator, constantPredictionMetrics, regressionMetrics } from './metrics';
import { streamModelRows, type RowBatch } from './modelRows';
import { reserveLedger, stageExperiment, type ExperimentRecord } from './ledger';
import type { SkippedColumn } from './feeds';
import type { WireTensor } from './protocol';
import { VERSION } from '../util/version';
import { fetchesFor, loadModel, newHost, sessionReport, type RuntimeOptions, type SessionReport } from './session';

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
  /** Parse threads for the CSV engine (default: one per core). */
  workers?: number;
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

/** One batch's outputs with its rows' targets. */
interface KeptBatch {
  outputs: Record<string, WireTensor>;
  rows: number;
  target: Int32Array | Float64Array;
}

type ClassifierRoles = Extract<ReturnType<typeof outputRoles>, { task: 'classification' }>;

/**
 * The scores of a group of rows (valid, or the train rows scored for train metrics), in row order: classification
 * metrics accumulated batch by batch (or the batches kept while the class order is unknown), or a regression's
 * predictions and targets (its metrics need the targets' mean first).
 */
class GroupScorer {
  constructor(readonly expectedRows: number) {}
  rows = 0;
  acc: ClassificationAccumulator | undefined;
  readonly kept: KeptBatch[] = [];
  private readonly truth: Float64Array[] = [];
  private readonly predicted: Float64Array[] = [];

  addRegression(pred: Float64Array, target: Int32Array | Float64Array): void {
    this.predicted.push(pred);
    this.truth.push(Float64Array.from(target));
  }

  yTrue(): Float64Array {
    return concat(this.truth, this.rows);
  }

  regression(): Record<string, number> {
    return { ...regressionMetrics(this.yTrue(), concat(this.predicted, this.rows)) };
  }
}

/** How many rows have each target code: an array per code (a Map per row was most of a 10M-row count), with the codes
 * kept in the order they first came, so they are classed (and an unknown one reported) in that order. */
class CodeCounts {
  private counts = new Float64Array(16);
  private readonly order: number[] = [];

  add(code: number): void {
    if (code >= this.counts.length) {
      const grown = new Float64Array(Math.max(code + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    if (this.counts[code]++ === 0) this.order.push(code);
  }

  entries(): [number, number][] {
    return this.order.map((g) => [g, this.counts[g]]);
  }
}

function concat(parts: Float64Array[], rows: number): Float64Array {
  const out = new Float64Array(rows);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Mask bit of a train row that is also scored, for the train metrics. */
const TRAIN_SCORED = 4;

export async function runEval(opts: EvalOptions): Promise<EvalReport> {
  const hints = splitManifestHints(opts.split);
  const dataFile = opts.data ?? (hints.dataFile && fs.existsSync(hints.dataFile) ? hints.dataFile : undefined);
  if (!dataFile) {
    throw new UserError((f) => `missing ${f('data', 'DATA.csv')} (the split has no manifest naming its data file)`);
  }
  const targetName = opts.target ?? hints.target;
  if (!targetName) throw new UserError((f) => `missing ${f('target', 'COLUMN')} (the split's manifest names none)`);
  const o = { ...opts, data: dataFile, target: targetName };
  // The ledger line is the one output: checked before any work, and never a file the run reads.
  const outs = new OutputSet({
    inputs: [
      { path: o.model, what: 'the model' },
      { path: o.data, field: 'data' },
      { path: o.split, field: 'split' },
      manifestPathOf(o.split),
    ],
    cancellation: o.cancellation,
  });
  if (o.ledgerRoot !== false) reserveLedger(outs, o.ledgerRoot);
  const warnings: string[] = [];
  const model = await loadModel(o.model);
  const roles = outputRoles(model.info);
  o.onProgress?.(`reading ${path.basename(o.split)}`);
  const split = await readSplitMask(o.split, o.fold, { cancellation: o.cancellation, workers: o.workers });
  if (split.train === 0) {
    throw new UserError(`${path.basename(o.split)} has no train rows; the baseline needs them`);
  }
  // The train metrics score every k-th train row (all of them up to TRAIN_METRIC_ROWS).
  const stride = Math.max(1, Math.ceil(split.train / TRAIN_METRIC_ROWS));
  const mask = split.mask;
  let trainSeen = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === TRAIN_ROW && trainSeen++ % stride === 0) mask[i] |= TRAIN_SCORED;
  }

  const host = newHost(o);
  try {
    // The session (a child process, onnxruntime loading) starts while the first chunks are parsed.
    const sessionReady = host.createSession(path.resolve(model.path), o.providers, o.intraOpThreads);
    sessionReady.catch(() => undefined);
    const fetches = fetchesFor(model.info);
    let inferenceMs = 0;
    // Baseline inputs: the train rows' targets (class counts, or the sum for the mean) and the valid rows' classes.
    const trainCounts = new CodeCounts();
    const validCounts = new CodeCounts();
    let trainSum = 0;
    let trainRows = 0;
    const countTargets = (bits: Uint8Array, t: Int32Array | Float64Array): void => {
      for (let i = 0; i < t.length; i++) {
        if (bits[i] & VALID_ROW) {
          if (t instanceof Int32Array) validCounts.add(t[i]);
          continue;
        }
        if ((bits[i] & TRAIN_ROW) === 0) continue;
        trainRows++;
        if (t instanceof Int32Array) trainCounts.add(t[i]);
        else trainSum += t[i];
      }
    };
    // Classes the model declares let each batch be scored as it comes back; classes taken from the data (its sorted
    // labels) are known only once every row is read, so until then the outputs wait, at the model's own precision.
    const declared = roles.task === 'classification' ? declaredClassSpace(model.info) : undefined;
    const scorers = new Map<number, GroupScorer>([
      [VALID_ROW, new GroupScorer(split.valid)],
      [TRAIN_SCORED, new GroupScorer(Math.ceil(split.train / stride))],
    ]);
    let labels: RowBatch['labels'];
    const classOf: number[] = [];
    let coder: ((value: string) => number) | undefined;
    /** The class of a target code (its text looked up in the class space), checked once per distinct label. */
    const classesOf = (space: ClassSpace, target: Int32Array): Int32Array => {
      coder ??= classCoder(space);
      // A plain loop: Int32Array.from with a mapping function goes through the iterator, 10x slower per row.
      const out = new Int32Array(target.length);
      for (let i = 0; i < target.length; i++) {
        const g = target[i];
        let c = classOf[g];
        if (c === undefined) {
          c = coder!(labels!.texts[g]);
          if (c < 0) {
            throw new UserError(
              `target '${labels!.texts[g]}' on line ${labels!.lineOf(g)} is not one of the model's classes` +
                ` (${space.names.join(', ')})`,
            );
          }
          classOf[g] = c;
        }
        out[i] = c;
      }
      return out;
    };
    const scoreClasses = (s: GroupScorer, space: ClassSpace, b: KeptBatch): void => {
      s.acc ??= new ClassificationAccumulator(space.names.length, s.expectedRows);
      const r = roles as ClassifierRoles;
      const pred = decodeClassifier(r, b.outputs, b.rows, space);
      const wide = r.probabilities ? b.outputs[r.probabilities.name].type === 'float64' : true;
      s.acc.add(classesOf(space, b.target as Int32Array), pred.codes, pred.proba, wide);
    };
    o.onProgress?.(`evaluating ${split.valid.toLocaleString('en-US')} rows`);
    const stream = await streamModelRows({
      file: o.data,
      model: model.info,
      features: o.features,
      target: o.target,
      targetKind: roles.task === 'classification' ? 'intern' : 'number',
      mask,
      feedBits: VALID_ROW | TRAIN_SCORED,
      targetBits: TRAIN_ROW | VALID_ROW | TRAIN_SCORED,
      splitFile: o.split,
      workers: o.workers,
      cancellation: o.cancellation,
      sha256: true,
      onProgress: o.onProgress,
      onTargets: countTargets,
      onBatch: async (b) => {
        const session = await sessionReady;
        const r = await host.run(session.sessionId, b.feeds, fetches);
        inferenceMs += r.ms;
        labels = b.labels;
        const s = scorers.get(b.group)!;
        const batch: KeptBatch = { outputs: r.outputs, rows: b.rows, target: b.target! };
        s.rows += b.rows;
        if (roles.task === 'regression') s.addRegression(decodeRegressor(roles.value, r.outputs, b.rows), b.target!);
        else if (declared) scoreClasses(s, declared, batch);
        else s.kept.push(batch);
      },
    });
    labels = stream.target ? { texts: stream.target.interner.distinct, lineOf: stream.target.lineOf } : undefined;
    const session = await sessionReady;
    const valid = scorers.get(VALID_ROW)!;
    const scored = scorers.get(TRAIN_SCORED)!;
    let metrics: Record<string, number | null>;
    let trainMetrics: Record<string, number | null>;
    let baseline: Record<string, number | null>;
    let baselineKind: string;
    let space: ClassSpace | null = null;
    if (roles.task === 'classification') {
      const interner = stream.target!.interner;
      space = declared ?? classSpace(model.info, interner.distinct);
      for (const s of [valid, scored]) {
        for (const batch of s.kept.splice(0)) scoreClasses(s, space, batch);
      }
      const nClasses = space.names.length;
      const empty = new ClassificationAccumulator(nClasses);
      metrics = { ...(valid.acc ?? empty).result() };
      trainMetrics = { ...(scored.acc ?? empty).result() };
      const byClass = (counts: CodeCounts): number[] => {
        const out = new Array<number>(nClasses).fill(0);
        for (const [g, n] of counts.entries()) out[classesOf(space!, Int32Array.of(g))[0]] += n;
        return out;
      };
      const counts = byClass(trainCounts);
      let label = 0;
      for (let c = 1; c < nClasses; c++) if (counts[c] > counts[label]) label = c;
      const proba = counts.map((c) => c / (trainRows || 1));
      // The baseline predicts the majority class with the train frequencies, for every validation row.
      baseline = { ...constantPredictionMetrics(byClass(validCounts), label, proba) };
      baselineKind = `majority class '${space.names[label]}' with train class frequencies`;
    } else {
      metrics = valid.regression();
      trainMetrics = scored.regression();
      const mean = trainSum / trainRows;
      baseline = { ...regressionMetrics(valid.yTrue(), new Float64Array(valid.rows).fill(mean)) };
      baselineKind = `train mean ${Number(mean.toPrecision(6))}`;
    }
    const dataSha256 = stream.sha256!;
    if (hints.dataSha256 && hints.dataSha256 !== dataSha256) {
      warnings.push(
        `${path.basename(o.data)} changed since ${path.basename(o.split)} was made` +
          " (its SHA-256 differs from the manifest's); the rows may no longer match the split",
      );
    }
    const report: EvalReport = {
      task: roles.task,
      model: { path: o.model, sha256: model.sha256 },
      data: { path: o.data, sha256: dataSha256, rows: stream.rows },
      split: {
        path: o.split,
        fold: split.fold,
        manifestHash: split.manifestHash,
        train: split.train,
        valid: split.valid,
      },
      target: o.target,
      featureColumns: stream.plan.columns,
      skippedColumns: stream.plan.skipped,
      mode: stream.plan.mode,
      session: sessionReport(session, o.providers),
      inferenceMs,
      classes: space ? { names: space.names, source: space.source } : undefined,
      metrics,
      train: { rows: scored.rows, sampled: stride > 1, metrics: trainMetrics },
      baseline,
      baselineKind,
      warnings,
    };
    if (o.ledgerRoot !== false) {
      report.ledger = await stageExperiment(
        outs,
        o.ledgerRoot,
        {
          kind: 'eval',
          time: new Date().toISOString(),
          model: report.model,
          data: report.data,
          split: report.split,
          target: o.target,
          features: stream.plan.columns,
          task: report.task,
          metrics,
          baseline,
          latency: { inferenceMs },
          provider: session.provider,
          flowbench: VERSION,
        },
        path.dirname(path.resolve(o.model)),
      );
      await outs.commitAll();
    }
    return report;
  } catch (err) {
    outs.abortAll();
    throw err;
  } finally {
    host.dispose();
  }
}
