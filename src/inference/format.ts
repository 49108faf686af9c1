/** Plain-text renderings for the CLI (the editor renders the same reports as HTML). */
import { formatShape, type ModelInfo } from './onnxModel';
import type { BenchReport } from './bench';
import type { EvalReport } from './evaluate';
import type { InferReport } from './infer';
import type { SessionReport } from './session';
import type { LedgerSummary } from './ledger';
import { formatFailure } from './providers';
import type { SkippedColumn } from './feeds';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatInspect(file: string, m: ModelInfo): string {
  const lines = [
    `${file}`,
    `  producer      ${m.producerName || '(none)'}${m.producerVersion ? ' ' + m.producerVersion : ''}`,
    `  IR version    ${m.irVersion}`,
    `  opsets        ${m.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}`,
    `  parameters    ${formatCount(m.parameterCount)} in ${m.initializerCount} initializers, ` +
      formatBytes(m.parameterBytes) +
      (m.externalInitializers ? ` (${m.externalInitializers} stored externally)` : ''),
    `  nodes         ${m.nodeCount}`,
    `  FLOPs / row   ${m.flopsPerRow === null ? 'unknown' : formatCount(m.flopsPerRow)}` +
      (m.flopsUnestimatedNodes ? ` (+${m.flopsUnestimatedNodes} nodes with unknown shapes)` : '') +
      '  (MatMul, Gemm, Conv; symbolic dims = 1)',

    '  inputs',
    ...m.inputs.map(
      (v) => `    ${v.name}: ${v.kind === 'tensor' ? `${v.elemType}${formatShape(v.shape)}` : v.elemType}`,
    ),
    '  outputs',
    ...m.outputs.map(
      (v) => `    ${v.name}: ${v.kind === 'tensor' ? `${v.elemType}${formatShape(v.shape)}` : v.elemType}`,
    ),
    '  operators',
    ...m.operators.map((o) => `    ${String(o.count).padStart(5)}  ${o.op}`),
  ];
  const meta = Object.entries(m.metadata);
  if (meta.length)
    lines.push('  metadata', ...meta.map(([k, v]) => `    ${k} = ${v.length > 80 ? v.slice(0, 80) + '…' : v}`));
  return lines.join('\n') + '\n';
}

export function formatSession(s: SessionReport): string {
  const lines = [
    `provider: ${s.provider} (requested ${s.requested.join(', ')}; onnxruntime ${s.runtimeVersion}; ` +
      `session created in ${s.createMs.toFixed(1)} ms)`,
  ];
  for (const f of s.failures) lines.push(`  not ${formatFailure(f)}`);
  return lines.join('\n') + '\n';
}

/** Columns that fed nothing, as reports print them: "; not fed: kind (not numeric), id (not numeric)". */
export function formatSkipped(skipped: readonly SkippedColumn[] | undefined): string {
  if (!skipped?.length) return '';
  return `; not fed: ${skipped.map((s) => `${s.column} (${s.reason})`).join(', ')}`;
}

export function formatInfer(r: InferReport, maxRows = 10): string {
  const head = [r.rowIndex ? 'row' : '#', ...r.table.columns];
  const body: string[][] = [];
  for (let i = 0; i < Math.min(maxRows, r.rows); i++) {
    body.push([
      String(r.rowIndex ? r.rowIndex[i] : i),
      ...r.table.values.map((col) => {
        const v = col[i];
        return typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : String(v);
      }),
    ]);
  }
  return (
    [
      formatSession(r.session).trimEnd(),
      `${r.rows} row${r.rows === 1 ? '' : 's'} (${
        r.source === 'csv'
          ? `${r.mode} input from ${r.featureColumns?.length ?? 0} features: ${r.featureColumns?.join(', ')}` +
            formatSkipped(r.skippedColumns)
          : 'random inputs'
      }) in ${r.inferenceMs.toFixed(2)} ms`,
      table([head, ...body]),
      r.rows > maxRows ? `… ${r.rows - maxRows} more rows` : '',
      r.out ? `wrote ${r.out}` : '',
    ]
      .filter(Boolean)
      .join('\n') + '\n'
  );
}

const fmt = (v: number | null | undefined, d = 4): string =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d);

/** How each metric is called on screen, and which way is better. The JSON keys (report, ledger) stay as they are. */
export const METRIC_INFO: Record<string, { name: string; lowerIsBetter: boolean }> = {
  accuracy: { name: 'accuracy', lowerIsBetter: false },
  balancedAccuracy: { name: 'balanced accuracy', lowerIsBetter: false },
  logLoss: { name: 'log loss', lowerIsBetter: true },
  rocAuc: { name: 'ROC AUC', lowerIsBetter: false },
  f1Macro: { name: 'macro F1', lowerIsBetter: false },
  rmse: { name: 'RMSE', lowerIsBetter: true },
  mae: { name: 'MAE', lowerIsBetter: true },
  r2: { name: 'R²', lowerIsBetter: false },
  'p50 ms': { name: 'p50 latency, ms', lowerIsBetter: true },
};

/** 'balanced accuracy', 'log loss (lower is better)'; an unknown key as it is. */
export function metricLabel(key: string): string {
  const m = METRIC_INFO[key];
  if (!m) return key;
  return m.lowerIsBetter ? `${m.name} (lower is better)` : m.name;
}

/** +0.6000 / −0.0201: the model minus the baseline (or train minus validation), '—' when either is missing. */
export function signedDiff(a: number | null | undefined, b: number | null | undefined): string {
  const missing = (x: number | null | undefined) => x === null || x === undefined || Number.isNaN(x);
  if (missing(a) || missing(b)) return '—';
  const d = a! - b!;
  return `${d >= 0 ? '+' : '\u2212'}${Math.abs(d).toFixed(4)}`;
}

/**
 * Whether the train score is clearly better than the validation score (the model fits its training rows better than
 * new ones), beyond the noise of a small validation set: for accuracy, a gap larger than 0.05 and than twice the
 * binomial standard error of the validation accuracy (28 of 30 right against 120 of 120 is within it); for RMSE,
 * validation more than 20 % above train.
 */
export function overfitNote(r: Pick<EvalReport, 'metrics' | 'train' | 'task' | 'split'>): string | undefined {
  const key = r.task === 'classification' ? 'accuracy' : 'rmse';
  const v = r.metrics[key];
  const t = r.train.metrics[key];
  if (v === null || v === undefined || t === null || t === undefined) return undefined;
  const n = Math.max(1, r.split.valid);
  const se = Math.sqrt(Math.max(v * (1 - v), 1 / n) / n);
  const gap = key === 'accuracy' ? t - v > Math.max(0.05, 2 * se) : v > t * 1.2;
  if (!gap) return undefined;
  return (
    `train ${METRIC_INFO[key].name} ${t.toFixed(4)} against ${v.toFixed(4)} on validation: the model fits its ` +
    'training rows clearly better than unseen ones (overfitting)'
  );
}

/** One row per metric: name, validation, train, baseline, model − baseline. Shared by the CLI and the page. */
export function evalRows(r: EvalReport): string[][] {
  return Object.entries(r.metrics).map(([k, v]) => [
    metricLabel(k),
    fmt(v),
    fmt(r.train.metrics[k]),
    fmt(r.baseline[k]),
    signedDiff(v, r.baseline[k]),
  ]);
}

export const EVAL_COLUMNS = ['metric', 'validation', 'train', 'baseline', 'vs baseline'];

export function formatEval(r: EvalReport): string {
  const note = overfitNote(r);
  return (
    [
      formatSession(r.session).trimEnd(),
      `${r.task} on ${r.split.valid} validation rows ` +
        `of ${r.data.path}${r.split.fold !== null ? ` (fold ${r.split.fold})` : ''}, target '${r.target}', ` +
        `${r.featureColumns.length} features: ${r.featureColumns.join(', ')}${formatSkipped(r.skippedColumns)}`,
      r.classes ? `classes (${r.classes.source}): ${r.classes.names.join(', ')}` : '',
      `baseline: ${r.baselineKind}, learned on ${r.split.train} train rows`,
      `train: the same metrics on ${
        r.train.sampled ? `every k-th train row (${r.train.rows})` : `the ${r.train.rows} train rows`
      }`,
      table([EVAL_COLUMNS, ...evalRows(r)]),
      note ? `note: ${note}` : '',
      `inference ${r.inferenceMs.toFixed(1)} ms${r.ledger ? '; recorded in .flowbench/experiments.jsonl' : ''}`,
      ...r.warnings.map((w) => `warning: ${w}`),
    ]
      .filter(Boolean)
      .join('\n') + '\n'
  );
}

/** A throughput in FLOP/s with the prefix that keeps three digits: tiny models get '8.21 MFLOP/s', never '0.000'. */
export function formatFlopRate(gflops: number | null): string {
  if (gflops === null || !Number.isFinite(gflops)) return '—';
  let v = gflops * 1e9;
  const units = ['FLOP/s', 'kFLOP/s', 'MFLOP/s', 'GFLOP/s', 'TFLOP/s', 'PFLOP/s'];
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toPrecision(3)} ${units[u]}`;
}

type BenchOk = Extract<BenchReport['results'][number], { ok: true }>;

/** The side-by-side benchmark table: a header row of providers, then one row per figure (CLI and webview). */
export function benchTable(r: BenchReport): string[][] {
  const ok = r.results.filter((x): x is BenchOk => x.ok);
  if (ok.length === 0) return [];
  const cols: [string, (x: BenchOk) => string][] = [
    ['session creation ms', (x) => x.createMs.toFixed(1)],
    ['first run ms', (x) => x.firstRunMs.toFixed(3)],
    ['runs (+ warm-up)', (x) => `${x.runs} (+${x.warmupRuns})`],
    ['latency min ms', (x) => x.latencyMs.min.toFixed(4)],
    ['latency p50 ms', (x) => x.latencyMs.p50.toFixed(4)],
    ['latency p90 ms', (x) => x.latencyMs.p90.toFixed(4)],
    ['latency p99 ms', (x) => x.latencyMs.p99.toFixed(4)],
    ['latency max ms', (x) => x.latencyMs.max.toFixed(4)],
    ['inferences/s', (x) => x.inferencesPerSec.toFixed(1)],
    ['rows/s', (x) => x.rowsPerSec.toFixed(0)],
    ['compute at p50', (x) => formatFlopRate(x.gflopsPerSec)],
    ['peak memory (RSS)', (x) => formatBytes(x.peakRssBytes)],
  ];
  return [['', ...ok.map((x) => x.provider)], ...cols.map(([name, f]) => [name, ...ok.map(f)])];
}

export function formatBench(r: BenchReport): string {
  const lines = [
    `${r.model.path}: batch ${r.batch}, ` +
      `${r.flopsPerRun === null ? 'FLOPs unknown' : `${formatCount(r.flopsPerRun)} FLOPs per run`}, ` +
      `onnxruntime ${r.runtimeVersion}`,
  ];
  const t = benchTable(r);
  if (t.length) lines.push(table(t));
  for (const x of r.results)
    if (!x.ok) lines.push(`not ${x.failure.provider}: ${x.failure.reason} — fix: ${x.failure.fix}`);
  return lines.join('\n') + '\n';
}

export function formatLedger(s: LedgerSummary, last = 20): string {
  if (s.rows.length === 0) return 'no experiments yet (run flowbench eval or flowbench bench)\n';
  const rows = s.rows
    .slice(-last)
    .map((r) => [
      r.time.replace('T', ' ').slice(0, 19),
      r.kind,
      r.model,
      r.provider,
      `${metricLabel(r.metric)} ${fmt(r.value)}`,
      r.change === null ? '' : `${r.change >= 0 ? '+' : ''}${r.change.toFixed(4)}`,
      r.isBest ? 'best' : '',
      r.git,
    ]);
  return (
    table([['time', 'kind', 'model', 'provider', 'value', 'change', '', 'git'], ...rows]) +
    '\n' +
    s.best.map((b) => `best ${b.group}: ${metricLabel(b.metric)} ${fmt(b.value)} (${b.model})`).join('\n') +
    '\n'
  );
}
