import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, throwIfCancelled, type Cancellation } from '../util/errors';
import { sha256 } from '../util/hash';
import { writeFileAtomic } from '../util/atomicWrite';
import { encodeColumn } from '../data/labels';
import { parseModel, type ModelInfo } from './onnxModel';
import { OnnxHost, type SessionHandle } from './runtimeHost';
import { feedRows, outputsToTable, planFeeds, predictionCsv, randomFeeds, type PredictionTable } from './feeds';
import { cellNumber, columnIndex, readTable, type Table } from '../data/table';
import { readSplitRows, splitManifestHints } from '../data/splitFile';
import { classSpace, classCoder, concatOutputs, decodeClassifier, decodeRegressor, outputRoles } from './predictions';
import { classificationMetrics, majorityBaseline, regressionMetrics } from './metrics';
import { appendExperiment, type ExperimentRecord } from './ledger';
import type { ProviderFailure } from './providers';
import type { Feeds, WireTensor } from './protocol';
import { VERSION } from '../util/version';

/** What every runtime operation shares: provider order, CUDA library folders, cancellation, the native log. */
export interface RuntimeOptions {
  providers: string[];
  libraryPath?: string[];
  cancellation?: Cancellation;
  onStderr?: (text: string) => void;
  /** Called with a short status line as work progresses (progress notifications). */
  onProgress?: (message: string) => void;
  /** Called with each child process so callers (the extension) can kill it on deactivate. */
  onHost?: (host: OnnxHost) => void;
  intraOpThreads?: number;
}

export interface LoadedModel {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  info: ModelInfo;
}

export async function loadModel(file: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `model not found: ${file}` : `cannot read ${file}: ${(err as Error).message}`);
  }
  return { path: file, bytes, sha256: sha256(bytes), info: parseModel(bytes, path.basename(file)) };
}

function newHost(o: RuntimeOptions): OnnxHost {
  const host = new OnnxHost({ libraryPath: o.libraryPath, cancellation: o.cancellation, onStderr: o.onStderr });
  o.onHost?.(host);
  return host;
}

/** Tensor outputs only: ORT for Node cannot return ZipMap's seq(map) outputs. */
function tensorOutputs(info: ModelInfo): string[] {
  return info.outputs.filter((o) => o.kind === 'tensor').map((o) => o.name);
}

/** Fetch list for session.run: omitted when every output is a tensor, since naming fetches costs ~2 µs per run. */
function fetchesFor(info: ModelInfo): string[] | undefined {
  const t = tensorOutputs(info);
  return t.length === info.outputs.length ? undefined : t;
}

const CHUNK_ROWS = 65_536;

async function runRows(host: OnnxHost, session: SessionHandle, build: (rows: number[]) => Feeds, rows: number[], fetches: string[] | undefined, o: RuntimeOptions): Promise<{ outputs: Record<string, WireTensor>; ms: number }> {
  const parts: Record<string, WireTensor>[] = [];
  let ms = 0;
  for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
    throwIfCancelled(o.cancellation);
    const chunk = rows.slice(at, at + CHUNK_ROWS);
    const r = await host.run(session.sessionId, build(chunk), fetches);
    parts.push(r.outputs);
    ms += r.ms;
    if (rows.length > CHUNK_ROWS) o.onProgress?.(`${Math.min(at + CHUNK_ROWS, rows.length)} of ${rows.length} rows`);
  }
  return { outputs: concatOutputs(parts), ms };
}

export interface SessionReport {
  provider: string;
  requested: string[];
  failures: ProviderFailure[];
  createMs: number;
  runtimeVersion: string;
}

function sessionReport(s: SessionHandle, requested: string[]): SessionReport {
  return { provider: s.provider, requested, failures: s.failures, createMs: s.createMs, runtimeVersion: s.facts.runtimeVersion };
}

// ---- infer -------------------------------------------------------------------------------------------------------

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
  let table: Table | null = null;
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
    throw new UserError('--split needs --input DATA.csv');
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
      model: o.model, session: sessionReport(session, o.providers), source: plan ? 'csv' : 'random', mode: plan?.mode,
      featureColumns: plan?.columns, rows: n, inferenceMs: ms, table: predictions, rowIndex: subset ? rows : undefined, out: o.out,
    };
  } finally {
    host.dispose();
  }
}

// ---- eval --------------------------------------------------------------------------------------------------------

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
  mode: 'matrix' | 'per-column';
  session: SessionReport;
  inferenceMs: number;
  classes?: { names: string[]; source: string };
  metrics: Record<string, number | null>;
  baseline: Record<string, number | null>;
  baselineKind: string;
  ledger?: ExperimentRecord;
  /** Things worth knowing that did not stop the evaluation (e.g. the data changed since the split was made). */
  warnings: string[];
}

export async function runEval(opts: EvalOptions): Promise<EvalReport> {
  const hints = splitManifestHints(opts.split);
  const dataFile = opts.data ?? (hints.dataFile && fs.existsSync(hints.dataFile) ? hints.dataFile : undefined);
  if (!dataFile) throw new UserError('missing --data DATA.csv (the split has no manifest naming its data file)');
  const targetName = opts.target ?? hints.target;
  if (!targetName) throw new UserError('missing --target COLUMN (the split\'s manifest names none)');
  const o = { ...opts, data: dataFile, target: targetName };
  const warnings: string[] = [];
  const model = await loadModel(o.model);
  const roles = outputRoles(model.info);
  o.onProgress?.('reading data');
  const table = await readTable(o.data, o.cancellation);
  const tj = columnIndex(table, o.target, 'target');
  const split = await readSplitRows(o.split, table.rows, o.fold, o.cancellation);
  if (split.train.length === 0) throw new UserError(`${path.basename(o.split)} has no train rows; the baseline needs them`);
  const plan = planFeeds(model.info, table, { features: o.features, target: o.target });
  plan.build(split.valid.slice(0, 1));

  // Targets are checked before any process starts.
  let space: ReturnType<typeof classSpace> | null = null;
  let yTrue: Int32Array | Float64Array;
  let yTrain: Int32Array | Float64Array;
  if (roles.task === 'classification') {
    const used = [...split.train, ...split.valid];
    encodeColumn(o.target, used.map((i) => table.cells[tj][i]), (r) => table.lines[used[r]]);
    space = classSpace(model.info, used.map((i) => table.cells[tj][i]));
    const code = classCoder(space);
    const encode = (rows: number[]): Int32Array => Int32Array.from(rows, (i) => {
      const c = code(table.cells[tj][i]);
      if (c < 0) throw new UserError(`target '${table.cells[tj][i]}' on line ${table.lines[i]} is not one of the model's classes (${space!.names.join(', ')})`);
      return c;
    });
    yTrue = encode(split.valid);
    yTrain = encode(split.train);
  } else {
    yTrue = Float64Array.from(split.valid, (i) => cellNumber(table, tj, i));
    yTrain = Float64Array.from(split.train, (i) => cellNumber(table, tj, i));
  }

  const host = newHost(o);
  let session: SessionHandle;
  let result: { outputs: Record<string, WireTensor>; ms: number };
  try {
    session = await host.createSession(path.resolve(model.path), o.providers, o.intraOpThreads);
    o.onProgress?.(`evaluating ${split.valid.length} rows on ${session.provider}`);
    result = await runRows(host, session, plan.build, split.valid, fetchesFor(model.info), o);
  } finally {
    host.dispose();
  }
  const n = split.valid.length;
  let metrics: Record<string, number | null>;
  let baseline: Record<string, number | null>;
  let baselineKind: string;
  if (roles.task === 'classification') {
    const c = space!.names.length;
    const pred = decodeClassifier(roles, result.outputs, n, space!);
    metrics = { ...classificationMetrics(yTrue, pred.codes, pred.proba, c) };
    const maj = majorityBaseline(yTrain, c);
    const bp = new Float64Array(n * c);
    for (let i = 0; i < n; i++) bp.set(maj.proba, i * c);
    baseline = { ...classificationMetrics(yTrue, new Int32Array(n).fill(maj.label), bp, c) };
    baselineKind = `majority class '${space!.names[maj.label]}' with train class frequencies`;
  } else {
    const pred = decodeRegressor(roles.value, result.outputs, n);
    metrics = { ...regressionMetrics(yTrue, pred) };
    let mean = 0;
    for (let i = 0; i < yTrain.length; i++) mean += yTrain[i];
    mean /= yTrain.length;
    baseline = { ...regressionMetrics(yTrue, new Float64Array(n).fill(mean)) };
    baselineKind = `train mean ${Number(mean.toPrecision(6))}`;
  }
  const dataSha256 = table.sha256;
  if (hints.dataSha256 && hints.dataSha256 !== dataSha256) {
    warnings.push(`${path.basename(o.data)} changed since ${path.basename(o.split)} was made (its SHA-256 differs from the manifest's); the rows may no longer match the split`);
  }
  const report: EvalReport = {
    task: roles.task,
    model: { path: o.model, sha256: model.sha256 },
    data: { path: o.data, sha256: dataSha256, rows: table.rows },
    split: { path: o.split, fold: split.fold, manifestHash: split.manifestHash, train: split.train.length, valid: n },
    target: o.target,
    featureColumns: plan.columns,
    mode: plan.mode,
    session: sessionReport(session, o.providers),
    inferenceMs: result.ms,
    classes: space ? { names: space.names, source: space.source } : undefined,
    metrics,
    baseline,
    baselineKind,
    warnings,
  };
  if (o.ledgerRoot !== false) {
    report.ledger = await appendExperiment(o.ledgerRoot, {
      kind: 'eval', time: new Date().toISOString(), model: report.model, data: report.data, split: report.split,
      target: o.target, task: report.task, metrics, baseline, latency: { inferenceMs: result.ms },
      provider: session.provider, flowbench: VERSION,
    }, path.dirname(path.resolve(o.model)));
  }
  return report;
}


// ---- bench -------------------------------------------------------------------------------------------------------

export interface BenchOptions extends RuntimeOptions {
  model: string;
  runs?: number;
  timeBudgetS?: number;
  batch?: number;
  warmup?: number;
  ledgerRoot: string | false;
}

export interface LatencyStats {
  min: number; p50: number; p90: number; p99: number; max: number; mean: number;
}

export type ProviderBench =
  | {
    provider: string; ok: true; createMs: number; firstRunMs: number; warmupRuns: number; runs: number; wallMs: number;
    latencyMs: LatencyStats; inferencesPerSec: number; rowsPerSec: number; gflopsPerSec: number | null;
    rssBeforeBytes: number; peakRssBytes: number;
  }
  | { provider: string; ok: false; failure: ProviderFailure | { provider: string; code: 'run-failed' | 'load-failed'; reason: string; fix: string; message: string } };

export interface BenchReport {
  model: { path: string; sha256: string };
  batch: number;
  flopsPerRun: number | null;
  runtimeVersion: string;
  results: ProviderBench[];
  ledger?: ExperimentRecord[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function latencyStats(ms: readonly number[]): LatencyStats {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0], p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/**
 * onnxruntime_perf_test-style benchmark, one fresh child process per provider (so peak RSS belongs to that provider):
 * session creation, first run, warm-up, then N runs or a time budget on the same pre-built random inputs.
 */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const model = await loadModel(o.model);
  const batch = o.batch ?? 1;
  const feeds = randomFeeds(model.info, batch);
  const first = model.info.inputs[0]?.shape?.[0];
  const batchScaled = typeof first !== 'number' || first <= 0;
  const flopsPerRun = model.info.flopsPerRow === null ? null : model.info.flopsPerRow * (batchScaled ? batch : 1);
  const results: ProviderBench[] = [];
  let runtimeVersion = '';
  const fetches = fetchesFor(model.info);
  for (const provider of o.providers) {
    throwIfCancelled(o.cancellation);
    o.onProgress?.(`benchmarking on ${provider}`);
    const host = newHost(o);
    try {
      const before = await host.memory();
      let session: SessionHandle;
      try {
        session = await host.createSession(path.resolve(model.path), [provider], o.intraOpThreads);
      } catch (err) {
        const f = (err as { failures?: ProviderFailure[] }).failures?.[0];
        if (f) { results.push({ provider, ok: false, failure: f }); continue; }
        throw err;
      }
      runtimeVersion = session.facts.runtimeVersion;
      let b;
      try {
        b = await host.bench(session.sessionId, feeds, {
          warmup: o.warmup ?? 5, runs: o.timeBudgetS ? (o.runs ?? 0) : (o.runs ?? 100), timeBudgetMs: (o.timeBudgetS ?? 0) * 1000, fetches,
        });
      } catch (err) {
        if (err instanceof UserError && o.providers.length > 1) {
          results.push({ provider, ok: false, failure: { provider, code: 'run-failed', reason: err.message, fix: 'check the model on cpu first', message: err.message } });
          continue;
        }
        throw err;
      }
      const mem = await host.memory();
      const stats = latencyStats(b.latenciesMs);
      const total = b.latenciesMs.reduce((a, x) => a + x, 0);
      results.push({
        provider, ok: true, createMs: session.createMs, firstRunMs: b.firstRunMs, warmupRuns: b.warmupMs.length,
        runs: b.latenciesMs.length, wallMs: b.wallMs, latencyMs: stats,
        inferencesPerSec: (b.latenciesMs.length / total) * 1000, rowsPerSec: ((b.latenciesMs.length * batch) / total) * 1000,
        gflopsPerSec: flopsPerRun === null || flopsPerRun === 0 ? null : flopsPerRun / (stats.p50 / 1000) / 1e9,
        rssBeforeBytes: before.rssBytes, peakRssBytes: mem.maxRssBytes,
      });
    } finally {
      host.dispose();
    }
  }
  const report: BenchReport = { model: { path: o.model, sha256: model.sha256 }, batch, flopsPerRun, runtimeVersion, results };
  if (o.ledgerRoot !== false) {
    report.ledger = [];
    for (const r of results) {
      if (!r.ok) continue;
      report.ledger.push(await appendExperiment(o.ledgerRoot, {
        kind: 'bench', time: new Date().toISOString(), model: report.model, provider: r.provider, flowbench: VERSION,
        latency: { p50Ms: r.latencyMs.p50, p90Ms: r.latencyMs.p90, p99Ms: r.latencyMs.p99, batch },
        metrics: { inferencesPerSec: r.inferencesPerSec, createMs: r.createMs, peakRssBytes: r.peakRssBytes, gflopsPerSec: r.gflopsPerSec },
      }, path.dirname(path.resolve(o.model))));
    }
  }
  return report;
}
