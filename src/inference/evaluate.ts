import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { readSplitMask, splitManifestHints, TRAIN_ROW, VALID_ROW } from '../data/splitFile';
import { classSpace, classCoder, decodeClassifier, decodeRegressor, outputRoles } from './predictions';
import { ClassificationAccumulator, regressionMetrics } from './metrics';
import { streamModelRows } from './modelRows';
import { appendExperiment, type ExperimentRecord } from './ledger';
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

/** The model's outputs for a group of rows (valid, or the train rows scored for train metrics), kept until the
 * class order is known: at the model's own precision, in row order. */
interface KeptOutputs {
  batches: { outputs: Record<string, WireTensor>; rows: number; target: Int32Array | Float64Array }[];
  rows: number;
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
    const kept = new Map<number, KeptOutputs>([
      [VALID_ROW, { batches: [], rows: 0 }],
      [TRAIN_SCORED, { batches: [], rows: 0 }],
    ]);
    let inferenceMs = 0;
    // Baseline inputs: every train row's target (class counts, or the sum for the mean), in row order.
    const trainCounts = new Map<number, number>();
    let trainSum = 0;
    let trainRows = 0;
    const countTrain = (bits: Uint8Array, t: Int32Array | Float64Array): void => {
      for (let i = 0; i < t.length; i++) {
        if ((bits[i] & TRAIN_ROW) === 0) continue;
        trainRows++;
        if (t instanceof Int32Array) trainCounts.set(t[i], (trainCounts.get(t[i]) ?? 0) + 1);
        else trainSum += t[i];
      }
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
      onTargets: countTrain,
      onBatch: async (b) => {
        const session = await sessionReady;
        const r = await host.run(session.sessionId, b.feeds, fetches);
        inferenceMs += r.ms;
        const k = kept.get(b.group)!;
        k.batches.push({ outputs: r.outputs, rows: b.rows, target: b.target! });
        k.rows += b.rows;
      },
    });
    const session = await sessionReady;
    const valid = kept.get(VALID_ROW)!;
    const scored = kept.get(TRAIN_SCORED)!;
    let metrics: Record<string, number | null>;
    let trainMetrics: Record<string, number | null>;
    let baseline: Record<string, number | null>;
    let baselineKind: string;
    let space: ReturnType<typeof classSpace> | null = null;
    if (roles.task === 'classification') {
      const interner = stream.target!.interner;
      space = classSpace(model.info, interner.distinct);
      const code = classCoder(space);
      const classOf = Int32Array.from(interner.distinct, (text, g) => {
        const c = code(text);
        if (c < 0) {
          throw new UserError(
            `target '${text}' on line ${stream.target!.lineOf(g)} is not one of the model's classes` +
              ` (${space!.names.join(', ')})`,
          );
        }
        return c;
      });
      const nClasses = space.names.length;
      const score = (k: KeptOutputs): ClassificationAccumulator => {
        const acc = new ClassificationAccumulator(nClasses);
        for (const batch of k.batches) {
          const pred = decodeClassifier(roles, batch.outputs, batch.rows, space!);
          const wide = roles.probabilities ? batch.outputs[roles.probabilities.name].type === 'float64' : true;
          acc.add(
            Int32Array.from(batch.target, (g) => classOf[g]),
            pred.codes,
            pred.proba,
            wide,
          );
        }
        return acc;
      };
      metrics = { ...score(valid).result() };
      trainMetrics = { ...score(scored).result() };
      const counts = new Array<number>(nClasses).fill(0);
      for (const [g, n] of trainCounts) counts[classOf[g]] += n;
      let label = 0;
      for (let c = 1; c < nClasses; c++) if (counts[c] > counts[label]) label = c;
      const proba = counts.map((c) => c / (trainRows || 1));
      // The baseline predicts the majority class with the train frequencies, for every validation row.
      const acc = new ClassificationAccumulator(nClasses);
      for (const batch of valid.batches) {
        const n = batch.rows;
        const tiled = new Float64Array(n * nClasses);
        for (let i = 0; i < n; i++) tiled.set(proba, i * nClasses);
        acc.add(
          Int32Array.from(batch.target, (g) => classOf[g]),
          new Int32Array(n).fill(label),
          tiled,
        );
      }
      baseline = { ...acc.result() };
      baselineKind = `majority class '${space.names[label]}' with train class frequencies`;
    } else {
      const regress = (k: KeptOutputs): Record<string, number> => {
        const yTrue = new Float64Array(k.rows);
        const yPred = new Float64Array(k.rows);
        let at = 0;
        for (const batch of k.batches) {
          yTrue.set(batch.target, at);
          yPred.set(decodeRegressor(roles.value, batch.outputs, batch.rows), at);
          at += batch.rows;
        }
        return { ...regressionMetrics(yTrue, yPred) };
      };
      metrics = regress(valid);
      trainMetrics = regress(scored);
      const mean = trainSum / trainRows;
      const yTrue = new Float64Array(valid.rows);
      let at = 0;
      for (const batch of valid.batches) {
        yTrue.set(batch.target, at);
        at += batch.rows;
      }
      baseline = { ...regressionMetrics(yTrue, new Float64Array(valid.rows).fill(mean)) };
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
      report.ledger = await appendExperiment(
        o.ledgerRoot,
        {
          kind: 'eval',
          time: new Date().toISOString(),
          model: report.model,
          data: report.data,
          split: report.split,
          target: o.target,
          task: report.task,
          metrics,
          baseline,
          latency: { inferenceMs },
          provider: session.provider,
          flowbench: VERSION,
        },
        path.dirname(path.resolve(o.model)),
      );
    }
    return report;
  } finally {
    host.dispose();
  }
}
