import * as path from 'node:path';
import { readJsonl } from '../util/jsonl';
import { OutputSet } from '../util/outputs';
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
  /** Eval: the columns that fed the model, in order (so a run that lost a column cannot pass for a comparable one). */
  features?: string[];
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

/**
 * Stages one ledger line in `outs`, appended when the set commits (with the outputs it belongs to, or not at all).
 * The ledger path is checked now: a .flowbench that is a file, or an experiments.jsonl that is a folder, fails
 * before any work.
 */
export async function stageExperiment(
  outs: OutputSet,
  root: string,
  record: Omit<ExperimentRecord, 'git' | 'v'>,
  gitDir = root,
): Promise<ExperimentRecord> {
  const staged = outs.jsonl({ path: ledgerPath(root), what: 'the experiment ledger' });
  const full = await experimentRecord(root, record, gitDir);
  staged.add(full);
  return full;
}

/** Checks, before any work, that the ledger under `root` can be appended to (see stageExperiment). */
export function reserveLedger(outs: OutputSet, root: string): void {
  outs.reserve({ path: ledgerPath(root), what: 'the experiment ledger' });
}

export async function appendExperiment(
  root: string,
  record: Omit<ExperimentRecord, 'git' | 'v'>,
  gitDir = root,
): Promise<ExperimentRecord> {
  const outs = new OutputSet();
  const full = await stageExperiment(outs, root, record, gitDir);
  await outs.commitAll();
  return full;
}

async function experimentRecord(
  root: string,
  record: Omit<ExperimentRecord, 'git' | 'v'>,
  gitDir: string,
): Promise<ExperimentRecord> {
  const full: ExperimentRecord = {
    v: 1,
    ...record,
    model: { ...record.model, path: portablePath(root, record.model.path) },
    ...(record.data ? { data: { ...record.data, path: portablePath(root, record.data.path) } } : {}),
    ...(record.split ? { split: { ...record.split, path: portablePath(root, record.split.path) } } : {}),
    git: await readGitState(gitDir).catch(() => null),
  };
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
