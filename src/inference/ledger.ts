import * as path from 'node:path';
import { readJsonl } from '../util/jsonl';
import { EXPERIMENT_KINDS, ledgerPath, type ExperimentKind, type ExperimentRecord } from '../util/experiments';

export {
  appendExperiment,
  ledgerPath,
  reserveLedger,
  stageExperiment,
  type ExperimentRecord,
} from '../util/experiments';

export async function readLedger(root: string): Promise<{ records: ExperimentRecord[]; skipped: number[] }> {
  const r = await readJsonl<ExperimentRecord>(ledgerPath(root));
  return { records: r.records.filter((x) => x && EXPERIMENT_KINDS.includes(x.kind)), skipped: r.skipped };
}

export interface LedgerRow {
  index: number;
  time: string;
  kind: ExperimentKind;
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
  if (r.kind === 'profile') return { metric: 'run ms', value: r.latency?.p50Ms ?? null, higher: false, baseline: null };
  if (r.kind === 'loader')
    return { metric: 'batches/s', value: r.metrics?.batchesPerSec ?? null, higher: true, baseline: null };
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
      r.kind === 'bench' || r.kind === 'profile'
        ? `${r.kind} · ${r.provider} · batch ${r.latency?.batch ?? '?'}`
        : r.kind === 'loader'
          ? `loader · ${r.model.path} · ${r.loader?.name ?? '?'} · ${r.provider}`
          : `eval ${p.metric} · ${r.target ?? '?'} · ${path.basename(r.split?.path ?? '?')}` +
            (r.split?.fold !== null && r.split?.fold !== undefined ? ` fold ${r.split.fold}` : '') +
            ` · ${(r.split?.manifestHash ?? '').slice(0, 8)}`;
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
      model: r.kind === 'loader' ? `${r.model.path} ${r.loader?.name ?? ''}`.trim() : r.model.path,
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
