import { appendJsonl, readJsonl } from '../util/jsonl';
import { readGitState, type GitState } from '../util/git';
import { portablePath } from '../util/flowbenchDir';
import { appendExperiment, type ExperimentRecord } from '../util/experiments';
import { VERSION } from '../util/version';
import { formatG, formatTime, MICRO_SIGN } from './format';
import { historyFile, isRecord, type TimingRecord } from './history';
import type { LoaderResult, LoaderRun, LoaderTarget } from './loader';

/**
 * Loader timings in the timing history: lines of .flowbench/timings.jsonl with kind 'loader', beside the cell
 * timings, so one file, one watcher and one cache serve both. A loader line has no top-level `mean`, so readers of
 * cell timings (this version's and older ones) skip it.
 */

/** Points of the per-batch series kept in a history line (the command's result has up to 2,000). */
export const RECORD_SERIES_POINTS = 120;

export interface LoaderRunRecord extends Omit<LoaderRun, 'series' | 'seriesBucket'> {
  series: number[];
  seriesBucket: number;
}

/** One loader timing as a line of .flowbench/timings.jsonl. Version 1; readers skip what they do not understand. */
export interface LoaderRecord {
  v: 1;
  kind: 'loader';
  /** Path relative to the history root, '/'-separated. */
  file: string;
  /** The cell that built the loader, or null (the lines up to the assignment in a file without cells). */
  cell: number | null;
  cellLine: number;
  /** Identity of that code, as cell timings record it. */
  hash: string;
  title?: string;
  name: string;
  target: Pick<LoaderTarget, 'type' | 'isDataLoader' | 'numWorkers' | 'batchSize' | 'datasetLength' | 'length'>;
  runs: LoaderRunRecord[];
  fastest: number | null;
  /** The GPU batches were moved to (toDevice), else null. */
  device: string | null;
  batches: number;
  timeBudgetSeconds: number;
  interpreter: { path: string; executable?: string; version: string };
  torchVersion: string | null;
  /** ISO 8601. */
  time: string;
  git: GitState | null;
}

/** Means of consecutive buckets, so a long series fits a history line; bucket sizes multiply. */
export function downsample(
  series: readonly number[],
  bucket: number,
  points: number,
): { series: number[]; bucket: number } {
  if (series.length <= points) return { series: [...series], bucket };
  const k = Math.ceil(series.length / points);
  const out: number[] = [];
  for (let i = 0; i < series.length; i += k) {
    const part = series.slice(i, i + k);
    out.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  return { series: out, bucket: bucket * k };
}

/** The one way a loader history line is made. */
export function loaderRecord(root: string, r: LoaderResult, git: GitState | null, now = new Date()): LoaderRecord {
  return {
    v: 1,
    kind: 'loader',
    file: portablePath(root, r.file),
    cell: r.cell,
    cellLine: r.cellLine,
    hash: r.hash,
    title: r.title || undefined,
    name: r.name,
    target: {
      type: r.target.type,
      isDataLoader: r.target.isDataLoader,
      numWorkers: r.target.numWorkers,
      batchSize: r.target.batchSize,
      datasetLength: r.target.datasetLength,
      length: r.target.length,
    },
    runs: r.runs.map((run) => {
      const { series, seriesBucket, ...rest } = run;
      const d = downsample(series, seriesBucket, RECORD_SERIES_POINTS);
      return { ...rest, series: d.series, seriesBucket: d.bucket };
    }),
    fastest: r.fastest,
    device: r.toDevice ? r.toDevice.device : null,
    batches: r.batches,
    timeBudgetSeconds: r.timeBudgetSeconds,
    interpreter: { path: r.interpreter.path, executable: r.interpreter.executable, version: r.interpreter.version },
    torchVersion: r.torchVersion,
    time: now.toISOString(),
    git,
  };
}

export function isLoaderRecord(x: unknown): x is LoaderRecord {
  const r = x as LoaderRecord;
  return (
    !!r &&
    typeof r === 'object' &&
    r.kind === 'loader' &&
    typeof r.file === 'string' &&
    typeof r.name === 'string' &&
    typeof r.time === 'string' &&
    Array.isArray(r.runs)
  );
}

async function gitOf(root: string): Promise<GitState | null> {
  try {
    return await readGitState(root);
  } catch {
    return null; // no git binary: the timing still counts
  }
}

/** Appends the loader timing to the history (crash-safe, one line) and returns what was written. */
export async function recordLoader(
  root: string,
  r: LoaderResult,
  append: (root: string, record: LoaderRecord) => Promise<void> = (at, rec) => appendJsonl(historyFile(at), rec),
): Promise<LoaderRecord> {
  const rec = loaderRecord(root, r, await gitOf(root));
  await append(root, rec);
  return rec;
}

/** The run a loader timing is summed up by: the fastest of a sweep, else the one pass. */
export function headlineRun<R extends Pick<LoaderRun, 'batchesPerSec'>>(r: {
  runs: R[];
  fastest: number | null;
}): R | undefined {
  return r.fastest !== null ? r.runs[r.fastest] : r.runs[0];
}

/** The loader timing's line in the experiments ledger (kind 'loader'): the headline run's figures. */
export async function recordLoaderExperiment(root: string, r: LoaderResult): Promise<ExperimentRecord> {
  const run = headlineRun(r);
  return appendExperiment(
    root,
    {
      kind: 'loader',
      time: new Date().toISOString(),
      model: { path: r.file, sha256: r.codeSha256 },
      provider: r.toDevice ? r.toDevice.device : 'cpu',
      flowbench: VERSION,
      latency: run?.perBatch
        ? { p50Ms: run.perBatch.p50 * 1000, p90Ms: run.perBatch.p90 * 1000, batch: run.firstBatchSize ?? undefined }
        : undefined,
      metrics: {
        batchesPerSec: run?.batchesPerSec ?? null,
        samplesPerSec: run?.samplesPerSec ?? null,
        firstBatchSeconds: run?.firstBatchSeconds ?? null,
        batches: run?.batches ?? 0,
        exhausted: run ? (run.exhausted ? 1 : 0) : null,
      },
      loader: {
        name: r.name,
        cell: r.cell,
        workers: run?.workers ?? null,
        swept: r.runs.some((x) => x.recreated) ? r.runs.map((x) => x.workers ?? 0) : null,
      },
    },
    root,
  );
}

/** Cell timings and loader timings of one history file, read once. */
export async function readTimingHistory(
  root: string,
): Promise<{ timings: TimingRecord[]; loaders: LoaderRecord[]; skipped: number[] }> {
  const { records, skipped } = await readJsonl<unknown>(historyFile(root));
  return { timings: records.filter(isRecord), loaders: records.filter(isLoaderRecord), skipped };
}

/** Three significant digits: '60.5', '812', '1.23k', '4.79M'. */
export function formatPerSec(perSec: number): string {
  const units = ['', 'k', 'M', 'G'];
  let u = 0;
  while (u < units.length - 1 && Number(formatG(perSec / 1000 ** u, 3)) >= 1000) u++;
  return `${formatG(perSec / 1000 ** u, 3)}${units[u]}`;
}

/** '812 batches/s', '12.3k samples/s'. */
export function formatRate(perSec: number, unit: string): string {
  return `${formatPerSec(perSec)} ${unit}/s`;
}

/** The lens's text: '$(watch) 812 batches/s · first 120 ms', the num_workers named after a sweep. */
export function loaderLensText(r: Pick<LoaderRecord, 'runs' | 'fastest'>, micro = MICRO_SIGN): string {
  const run = headlineRun(r);
  if (!run) return '$(watch) no batches';
  const swept = r.runs.length > 1 && run.workers !== null ? ` (${run.workers} workers)` : '';
  const first = run.firstBatchSeconds === null ? 'empty' : `first ${formatTime(run.firstBatchSeconds, { micro })}`;
  if (run.batchesPerSec === null) return `$(watch) ${run.batches} batch${run.batches === 1 ? '' : 'es'} · ${first}`;
  return `$(watch) ${formatRate(run.batchesPerSec, 'batches')}${swept} · ${first}`;
}

export interface LoaderHistorySummary {
  last: LoaderRecord;
  previous?: LoaderRecord;
  /** The code that built the loader changed since `last`. */
  stale: boolean;
  lensText: string;
  tooltip: string;
}

/** The latest timing of a loader (file + name), for its lens; `hash` marks it stale when the code changed. */
export function summarizeLoader(
  records: readonly LoaderRecord[],
  key: { file: string; name: string; hash?: string },
  micro = MICRO_SIGN,
): LoaderHistorySummary | undefined {
  const hist = records
    .filter((r) => r.file === key.file && r.name === key.name)
    .sort((a, b) => a.time.localeCompare(b.time));
  if (hist.length === 0) return undefined;
  const last = hist[hist.length - 1];
  const previous = hist.length > 1 ? hist[hist.length - 2] : undefined;
  const stale = key.hash !== undefined && last.hash !== key.hash;
  const run = headlineRun(last);
  const lines = [
    `${key.name}: ${loaderLensText(last, micro).replace(/^\$\(watch\) /, '')}`,
    run?.perBatch
      ? `per batch after the first: p50 ${formatTime(run.perBatch.p50, { micro })}, ` +
        `p90 ${formatTime(run.perBatch.p90, { micro })}, max ${formatTime(run.perBatch.max, { micro })}`
      : '',
    run?.samplesPerSec ? formatRate(run.samplesPerSec, 'samples') : '',
    last.runs.length > 1
      ? 'num_workers: ' +
        last.runs
          .map((x) => `${x.workers} → ${x.batchesPerSec === null ? '—' : formatRate(x.batchesPerSec, 'batches')}`)
          .join(', ')
      : '',
    `timed ${last.time}${last.git?.head ? ` at ${last.git.head.slice(0, 8)}` : ''} · ` +
      `Python ${last.interpreter.version}`,
    previous ? `previous: ${loaderLensText(previous, micro).replace(/^\$\(watch\) /, '')} (${previous.time})` : '',
    stale ? 'the code that builds the loader was edited since this timing' : '',
  ];
  return {
    last,
    previous,
    stale,
    lensText: loaderLensText(last, micro) + (stale ? ' (before edit)' : ''),
    tooltip: lines.filter((s) => s !== '').join('\n'),
  };
}
