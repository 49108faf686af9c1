import * as path from 'node:path';
import { UserError, throwIfCancelled } from '../util/errors';
import { randomFeeds } from './feeds';
import type { SessionHandle } from './runtimeHost';
import { reserveLedger, stageExperiment, type ExperimentRecord } from './ledger';
import { OutputSet } from '../util/outputs';
import { loadModelFile } from './modelFile';
import type { ProviderFailure } from './providers';
import { VERSION } from '../util/version';
import { fetchesFor, newHost, type RuntimeOptions } from './session';

export interface BenchOptions extends RuntimeOptions {
  model: string;
  runs?: number;
  timeBudgetS?: number;
  batch?: number;
  warmup?: number;
  ledgerRoot: string | false;
}

export interface LatencyStats {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export type ProviderBench =
  | {
      provider: string;
      ok: true;
      createMs: number;
      firstRunMs: number;
      warmupRuns: number;
      runs: number;
      wallMs: number;
      latencyMs: LatencyStats;
      inferencesPerSec: number;
      rowsPerSec: number;
      gflopsPerSec: number | null;
      rssBeforeBytes: number;
      peakRssBytes: number;
    }
  | {
      provider: string;
      ok: false;
      failure:
        | ProviderFailure
        | { provider: string; code: 'run-failed' | 'load-failed'; reason: string; fix: string; message: string };
    };

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
  return {
    min: s[0],
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/**
 * onnxruntime_perf_test-style benchmark, one fresh child process per provider (so peak RSS belongs to that provider):
 * session creation, first run, warm-up, then N runs or a time budget on the same pre-built random inputs.
 */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const model = await loadModelFile(o.model);
  // The ledger path is checked before minutes of benchmarking, and its lines are appended together at the end.
  const outs = new OutputSet({ inputs: [{ path: o.model, what: 'the model' }], cancellation: o.cancellation });
  if (o.ledgerRoot !== false) reserveLedger(outs, o.ledgerRoot);
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
        if (f) {
          results.push({ provider, ok: false, failure: f });
          continue;
        }
        throw err;
      }
      runtimeVersion = session.facts.runtimeVersion;
      let b;
      try {
        b = await host.bench(session.sessionId, feeds, {
          warmup: o.warmup ?? 5,
          runs: o.timeBudgetS ? (o.runs ?? 0) : (o.runs ?? 100),
          timeBudgetMs: (o.timeBudgetS ?? 0) * 1000,
          fetches,
        });
      } catch (err) {
        if (err instanceof UserError && o.providers.length > 1) {
          results.push({
            provider,
            ok: false,
            failure: {
              provider,
              code: 'run-failed',
              reason: err.message,
              fix: 'check the model on cpu first',
              message: err.message,
            },
          });
          continue;
        }
        throw err;
      }
      const mem = await host.memory();
      const stats = latencyStats(b.latenciesMs);
      const total = b.latenciesMs.reduce((a, x) => a + x, 0);
      results.push({
        provider,
        ok: true,
        createMs: session.createMs,
        firstRunMs: b.firstRunMs,
        warmupRuns: b.warmupMs.length,
        runs: b.latenciesMs.length,
        wallMs: b.wallMs,
        latencyMs: stats,
        inferencesPerSec: (b.latenciesMs.length / total) * 1000,
        rowsPerSec: ((b.latenciesMs.length * batch) / total) * 1000,
        gflopsPerSec: flopsPerRun === null || flopsPerRun === 0 ? null : flopsPerRun / (stats.p50 / 1000) / 1e9,
        rssBeforeBytes: before.rssBytes,
        peakRssBytes: mem.maxRssBytes,
      });
    } finally {
      host.dispose();
    }
  }
  const report: BenchReport = {
    model: { path: o.model, sha256: model.sha256 },
    batch,
    flopsPerRun,
    runtimeVersion,
    results,
  };
  if (o.ledgerRoot !== false) {
    report.ledger = [];
    for (const r of results) {
      if (!r.ok) continue;
      report.ledger.push(
        await stageExperiment(
          outs,
          o.ledgerRoot,
          {
            kind: 'bench',
            time: new Date().toISOString(),
            model: report.model,
            provider: r.provider,
            flowbench: VERSION,
            latency: { p50Ms: r.latencyMs.p50, p90Ms: r.latencyMs.p90, p99Ms: r.latencyMs.p99, batch },
            metrics: {
              inferencesPerSec: r.inferencesPerSec,
              createMs: r.createMs,
              peakRssBytes: r.peakRssBytes,
              gflopsPerSec: r.gflopsPerSec,
            },
          },
          path.dirname(path.resolve(o.model)),
        ),
      );
    }
  }
  await outs.commitAll();
  return report;
}
