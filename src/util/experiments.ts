import { OutputSet } from './outputs';
import { readGitState, type GitState } from './git';
import { flowbenchPath, portablePath } from './flowbenchDir';

/**
 * The experiments ledger's record and its writer, shared so every feature that measures something appends to the one
 * ledger (.flowbench/experiments.jsonl) in one format: inference (eval, bench, profile) and timing (loader). Reading
 * and summarising it stays with the inference feature (src/inference/ledger.ts), which owns the list.
 */
export type ExperimentKind = 'eval' | 'bench' | 'profile' | 'loader';

export const EXPERIMENT_KINDS: readonly ExperimentKind[] = ['eval', 'bench', 'profile', 'loader'];

/** One line of .flowbench/experiments.jsonl: every eval, bench, profile and loader timing appends one. */
export interface ExperimentRecord {
  v: 1;
  kind: ExperimentKind;
  time: string;
  /** What was measured: the model file, or for a loader timing the script, with the SHA-256 of the code that ran. */
  model: { path: string; sha256: string };
  data?: { path: string; sha256: string; rows: number };
  split?: { path: string; fold: number | null; manifestHash: string; train: number; valid: number };
  target?: string;
  /** Eval: the columns that fed the model, in order (so a run that lost a column cannot pass for a comparable one). */
  features?: string[];
  task?: 'classification' | 'regression';
  metrics?: Record<string, number | null>;
  baseline?: Record<string, number | null>;
  /** Bench: per-run latency at batch `batch` on `provider`. Eval: total inference time. Profile: the mean run. */
  latency?: { p50Ms?: number; p90Ms?: number; p99Ms?: number; inferenceMs?: number; batch?: number };
  /** A loader timing: which loader, where, and the num_workers value of its figures (the fastest of a sweep). */
  loader?: { name: string; cell: number | null; workers: number | null; swept: number[] | null };
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
  return {
    v: 1,
    ...record,
    model: { ...record.model, path: portablePath(root, record.model.path) },
    ...(record.data ? { data: { ...record.data, path: portablePath(root, record.data.path) } } : {}),
    ...(record.split ? { split: { ...record.split, path: portablePath(root, record.split.path) } } : {}),
    git: await readGitState(gitDir).catch(() => null),
  };
}
