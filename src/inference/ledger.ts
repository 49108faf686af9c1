import * as path from 'node:path';
import { appendJsonl, readJsonl } from '../util/jsonl';
import { readGitState, type GitState } from '../util/git';
import { flowbenchPath, portablePath } from '../util/flowbenchDir';

/** One line of .flowbench/experiments.jsonl: every eval and bench appends one, so iterations stay comparable. */
export interface ExperimentRecord {
  v: 1;
  kind: 'eval' | 'bench';
  time: string;
  model: { path: string; sha256: string };
  data?: { path: string; sha256: string; rows: number };
  split?: { path: string; fold: number | null; manifestHash: string; train: number; valid: number };
  target?: string;
  task?: 'classification' | 'regression';
  metrics?: Record<string, number | null>;
  baseline?: Record<string, number | null>;
  /** Bench: per-run latency at batch `batch` on `provider`. Eval: total inference time. */
  latency?: { p50Ms?: number; p90Ms?: number; p99Ms?: number; inferenceMs?: number; batch?: number };
  provider: string;
  git: GitState | null;
  flowbench: string;
}

export function ledgerPath(root: string): string {
  return flowbenchPath(root, 'experiments.jsonl');
}

export async function appendExperiment(
  root: string,
  record: Omit<ExperimentRecord, 'git' | 'v'>,
  gitDir = root,
): Promise<ExperimentRecord> {
  const full: ExperimentRecord = {
    v: 1,
    ...record,
    model: { ...record.model, path: portablePath(root, record.model.path) },
    ...(record.data ? { data: { ...record.data, path: portablePath(root, record.data.path) } } : {}),
    ...(record.split ? { split: { ...record.split, path: portablePath(root, record.split.path) } } : {}),
    git: await readGitState(gitDir).catch(() => null),
  };
  await appendJsonl(ledgerPath(root), full);
  return full;
}

export async function readLedger(root: string): Promise<{ records: ExperimentRecord[]; skipped: number[] }> {
  const r = await readJsonl<ExperimentRecord>(ledgerPath(root));
  return { records: r.records.filter((x) => x && (x.kind === 'eval' || x.kind === 'bench')), skipped: r.skipped };
}

export interface LedgerRow {
  index: number;
  time: string;
  kind: 'eval' | 'bench';
  model: string;
  provider: string;
  /** What is compared: same kind, and same split + target (eval) or same provider + batch (bench). */
  group: string;
  metric: string;
  value: number | null;
  higherIsBetter: boolean;
  /** value minus the previous run's value in the same group (null for the first). */
  change: number | null;
  /** Best value in the group up to and including this run. */
  bestSoFar: number | null;
  isBest: boolean;
  baseline: number | null;
  git: string;
}

export interface LedgerSummary {
  rows: LedgerRow[];
  /** Latest best per group. */
  best: { group: string; metric: string; value: number; model: string; time: string }[];
}

function primary(r: ExperimentRecord): {
  metric: string;
  value: number | null;
  higher: boolean;
  baseline: number | null;
} {
  if (r.kind === 'bench') return { metric: 'p50 ms', value: r.latency?.p50Ms ?? null, higher: false, baseline: null };
  if (r.task === 'regression')
    return { metric: 'rmse', value: r.metrics?.rmse ?? null, higher: false, baseline: r.baseline?.rmse ?? null };
  return {
    metric: 'accuracy',
    value: r.metrics?.accuracy ?? null,
    higher: true,
    baseline: r.baseline?.accuracy ?? null,
  };
}

/** Pure: ledger records in file order → per-run change since the previous comparable run and best so far. */
export function summarizeLedger(records: readonly ExperimentRecord[]): LedgerSummary {
  const last = new Map<string, number | null>();
  const best = new Map<string, { value: number; model: string; time: string; metric: string }>();
  const rows: LedgerRow[] = records.map((r, index) => {
    const p = primary(r);
    const group =
      r.kind === 'bench'
        ? `bench · ${r.provider} · batch ${r.latency?.batch ?? '?'}`
        : `eval ${p.metric} · ${r.target ?? '?'} · ${path.basename(r.split?.path ?? '?')}${r.split?.fold !== null && r.split?.fold !== undefined ? ` fold ${r.split.fold}` : ''} · ${(r.split?.manifestHash ?? '').slice(0, 8)}`;
    const prev = last.get(group);
    const change = prev !== undefined && prev !== null && p.value !== null ? p.value - prev : null;
    last.set(group, p.value);
    const b = best.get(group);
    let isBest = false;
    if (p.value !== null && (!b || (p.higher ? p.value > b.value : p.value < b.value))) {
      best.set(group, { value: p.value, model: r.model.path, time: r.time, metric: p.metric });
      isBest = true;
    }
    return {
      index,
      time: r.time,
      kind: r.kind,
      model: r.model.path,
      provider: r.provider,
      group,
      metric: p.metric,
      value: p.value,
      higherIsBetter: p.higher,
      change,
      bestSoFar: best.get(group)?.value ?? null,
      isBest,
      baseline: p.baseline,
      git: r.git?.head ? `${r.git.head.slice(0, 7)}${r.git.dirty ? '+dirty' : ''}` : '',
    };
  });
  return { rows, best: [...best].map(([group, b]) => ({ group, ...b })) };
}
