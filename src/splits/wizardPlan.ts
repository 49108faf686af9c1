import * as path from 'node:path';
import type { CsvPreview } from './inspect';
import type { SplitRequest } from './engine';
import type { Size, Strategy } from '../data/splitFile';

const ORDER: Strategy[] = [
  'stratified-kfold',
  'kfold',
  'holdout',
  'group-kfold',
  'stratified-group-kfold',
  'group-holdout',
  'time-series',
];

/** What each strategy is called in the wizard: words first, the scikit-learn class after. */
export const STRATEGY_LABELS: Record<Strategy, { label: string; sklearn: string; what: string }> = {
  holdout: { label: 'Holdout', sklearn: 'train_test_split', what: 'one train/valid split' },
  kfold: { label: 'K-fold', sklearn: 'KFold', what: 'every row validated once' },
  'stratified-kfold': { label: 'Stratified k-fold', sklearn: 'StratifiedKFold', what: 'keeps class proportions' },
  'group-kfold': { label: 'Group k-fold', sklearn: 'GroupKFold', what: 'each group on one side' },
  'stratified-group-kfold': {
    label: 'Stratified group k-fold',
    sklearn: 'StratifiedGroupKFold',
    what: 'groups kept whole, classes balanced',
  },
  'group-holdout': { label: 'Group holdout', sklearn: 'GroupShuffleSplit', what: 'unseen groups in valid' },
  'time-series': { label: 'Time series', sklearn: 'TimeSeriesSplit', what: 'validate on later rows' },
};

/** Strategies in the order the wizard lists them: a pre-filled one (code lens) or the suggested one first. */
export function strategyOrder(preview: CsvPreview, prefill: Partial<SplitRequest>): Strategy[] {
  const first: Strategy = prefill.strategy ?? preview.suggestion.strategy;
  return [first, ...ORDER.filter((x) => x !== first)];
}

/** The k-fold family: scikit-learn's classes take `shuffle` (default False) and use the seed only when shuffling. */
export function isKFold(strategy: Strategy): boolean {
  return (
    strategy === 'kfold' ||
    strategy === 'stratified-kfold' ||
    strategy === 'group-kfold' ||
    strategy === 'stratified-group-kfold'
  );
}

/**
 * Whether the split draws random numbers, so that its seed changes the result: a shuffled holdout, a group holdout
 * (always shuffled) and a shuffled k-fold. A time-series split and an unshuffled k-fold follow the file's order.
 */
export function usesSeed(strategy: Strategy, shuffle: boolean | undefined): boolean {
  if (strategy === 'time-series') return false;
  if (strategy === 'group-holdout') return true;
  if (strategy === 'holdout') return shuffle !== false;
  return shuffle === true;
}

/** Drops pre-filled options (e.g. from a code lens) that the strategy picked in the wizard does not take. */
export function applicableOnly(opts: Partial<SplitRequest>, strategy: Strategy): Partial<SplitRequest> {
  const o = { ...opts, strategy };
  const holdout = strategy === 'holdout' || strategy === 'group-holdout';
  if (holdout) delete o.folds;
  if (strategy !== 'time-series') {
    delete o.gap;
    delete o.maxTrainSize;
  }
  if (!holdout && strategy !== 'time-series') {
    delete o.testSize;
    delete o.trainSize;
  }
  if (strategy === 'time-series') {
    delete o.trainSize;
    delete o.shuffle;
    if (o.testSize && 'fraction' in o.testSize) delete o.testSize;
  }
  if (strategy === 'group-holdout') delete o.shuffle;
  return o;
}

export interface ColumnStep {
  /** The column offered first (Enter takes it); undefined puts "(none)" first. */
  preferred?: string;
  optional: boolean;
}

/** The steps still to ask once a strategy is chosen, each with the answer Enter gives. */
export interface WizardSteps {
  target?: ColumnStep;
  group?: ColumnStep;
  time?: ColumnStep;
  /** Quantile bins to use when the target turns out to be the continuous likely target. */
  binsForContinuousTarget?: number;
  size?: string;
  folds?: string;
  /** Ask whether to shuffle (k-fold strategies); the value is the answer Enter gives. */
  shuffle?: boolean;
  /** The seed Enter gives; asked only when the split turns out to be random (see usesSeed). */
  seed?: string;
}

export function wizardSteps(
  strategy: Strategy,
  preview: CsvPreview,
  opts: Partial<SplitRequest>,
  settings: { seed: number; folds: number },
): WizardSteps {
  const s = preview.suggestion;
  const fromSuggestion = strategy === s.strategy ? s.options : {};
  const needsTarget = strategy === 'stratified-kfold' || strategy === 'stratified-group-kfold';
  const needsGroup =
    strategy === 'group-kfold' || strategy === 'stratified-group-kfold' || strategy === 'group-holdout';
  const steps: WizardSteps = {};
  if (opts.target === undefined && (needsTarget || strategy === 'holdout')) {
    // A plain holdout is stratified by default only on a categorical target (a continuous one cannot be).
    const categorical = preview.likelyTargetType === 'binary' || preview.likelyTargetType === 'multiclass';
    steps.target = {
      preferred: fromSuggestion.target ?? (needsTarget || categorical ? preview.likelyTarget : undefined),
      optional: !needsTarget,
    };
  }
  if (needsTarget && opts.bins === undefined && preview.likelyTargetType === 'continuous')
    steps.binsForContinuousTarget = 5;
  if (opts.group === undefined && needsGroup)
    steps.group = {
      preferred: fromSuggestion.group ?? s.groupColumns[0] ?? preview.header.columns[0],
      optional: false,
    };
  if (opts.time === undefined && strategy === 'time-series')
    steps.time = { preferred: fromSuggestion.time ?? s.dateColumns[0], optional: true };
  if (strategy === 'holdout' || strategy === 'group-holdout') {
    if (!opts.testSize) steps.size = strategy === 'holdout' ? '0.25' : '0.2';
  } else if (opts.folds === undefined) steps.folds = String(settings.folds);
  // Folds of consecutive rows inherit whatever order the file has (dates, classes sorted): random folds are the
  // sound default; keeping the order is one keystroke away (and what time-series is for).
  if (isKFold(strategy) && opts.shuffle === undefined) steps.shuffle = true;
  if (opts.seed === undefined) steps.seed = String(settings.seed);
  return steps;
}

/** How many questions the wizard asks for a strategy, given the answers so far: for "(3/5)" in the titles. */
export function stepCount(steps: WizardSteps, strategy: Strategy, shuffle: boolean | undefined): number {
  let n = 1; // the strategy
  for (const k of ['target', 'group', 'time', 'size', 'folds'] as const) if (steps[k] !== undefined) n++;
  if (steps.shuffle !== undefined) n++;
  if (steps.seed !== undefined && usesSeed(strategy, shuffle ?? steps.shuffle)) n++;
  return n;
}

/** A size typed in the wizard: "0.2" is a fraction, "30" a count. */
export function parseWizardSize(text: string): { fraction: number } | { count: number } {
  return /\./.test(text) ? { fraction: Number(text) } : { count: Number(text.trim()) };
}

const CODES: Record<Strategy, string> = {
  holdout: 'holdout',
  kfold: 'kfold',
  'stratified-kfold': 'skfold',
  'group-kfold': 'gkfold',
  'stratified-group-kfold': 'sgkfold',
  'group-holdout': 'gholdout',
  'time-series': 'ts',
};

function sizeTag(size: Size | undefined): string {
  if (!size) return '';
  if ('count' in size) return `n${size.count}`;
  return String(Number((size.fraction * 100).toFixed(2))).replace('.', 'p');
}

const safe = (column: string): string => column.replace(/[^A-Za-z0-9_]+/g, '_').slice(0, 24);

/**
 * The split file a request writes when none is named, distinct per strategy and parameters, so a second split never
 * silently replaces the first: data/flowers.csv with stratified k-fold, 5 folds, shuffled with seed 42 →
 * data/flowers.skfold5-s42.folds.csv; a holdout of 20 % stratified on the target → flowers.sholdout20-s42.folds.csv;
 * 5 time-series splits → flowers.ts5.folds.csv. The seed appears only where it changes the split. Requests that
 * differ only in a column choice can share a name: the wizard asks before replacing a file.
 */
export function splitFileName(
  dataFile: string,
  r: Pick<
    SplitRequest,
    'strategy' | 'target' | 'group' | 'folds' | 'testSize' | 'shuffle' | 'seed' | 'gap' | 'maxTrainSize' | 'bins'
  >,
  settings: { seed: number; folds: number } = { seed: 42, folds: 5 },
): string {
  const ext = path.extname(dataFile);
  const base = path.basename(dataFile, ext);
  const s = r.strategy;
  const parts: string[] = [];
  const folds = r.folds ?? settings.folds;
  const stratifiedHoldout = s === 'holdout' && r.target !== undefined;
  let head = (stratifiedHoldout ? 's' : '') + CODES[s];
  if (s === 'holdout') head += sizeTag(r.testSize ?? { fraction: 0.25 });
  else if (s === 'group-holdout') head += sizeTag(r.testSize ?? { fraction: 0.2 });
  else head += String(folds);
  parts.push(head);
  if (r.group && s !== 'holdout' && s !== 'kfold' && s !== 'stratified-kfold' && s !== 'time-series')
    parts.push(safe(r.group));
  if (r.bins !== undefined) parts.push(`bins${r.bins}`);
  if (s === 'time-series') {
    if (r.testSize && 'count' in r.testSize) parts.push(`n${r.testSize.count}`);
    if (r.gap) parts.push(`gap${r.gap}`);
    if (r.maxTrainSize) parts.push(`max${r.maxTrainSize}`);
  }
  if (usesSeed(s, r.shuffle)) parts.push(`s${r.seed ?? settings.seed}`);
  else if (s === 'holdout') parts.push('ordered');
  return path.join(path.dirname(dataFile), `${base}.${parts.join('-')}.folds.csv`);
}

/** `flowers.ts5.folds.csv` taken: `flowers.ts5-2.folds.csv`, then -3, … (the first name `exists` says is free). */
export function nextFreeName(file: string, exists: (p: string) => boolean): string {
  const m = /^(.*?)(\.folds\.csv)$/.exec(file);
  const stem = m ? m[1] : file.replace(/\.csv$/i, '');
  const suffix = m ? m[2] : '.csv';
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}${suffix}`;
    if (!exists(candidate)) return candidate;
  }
}

/** The request the wizard makes when every step is answered with Enter (its defaults), for a given strategy. */
export function acceptDefaults(
  file: string,
  preview: CsvPreview,
  prefill: Partial<SplitRequest>,
  settings: { seed: number; folds: number },
  strategy: Strategy = strategyOrder(preview, prefill)[0],
): SplitRequest {
  const opts = applicableOnly(prefill, strategy);
  const steps = wizardSteps(strategy, preview, opts, settings);
  if (steps.target) opts.target = steps.target.preferred;
  if (steps.binsForContinuousTarget && opts.target === preview.likelyTarget) opts.bins = steps.binsForContinuousTarget;
  if (steps.group) opts.group = steps.group.preferred;
  if (steps.time) opts.time = steps.time.preferred;
  if (steps.size) opts.testSize = parseWizardSize(steps.size);
  if (steps.folds) opts.folds = Number(steps.folds);
  if (steps.shuffle !== undefined) opts.shuffle = steps.shuffle;
  if (steps.seed && usesSeed(strategy, opts.shuffle)) opts.seed = Number(steps.seed);
  return finishRequest(file, opts, strategy, settings);
}

/** The wizard's answers as a request: unused answers dropped, the output named after the parameters. */
export function finishRequest(
  file: string,
  opts: Partial<SplitRequest>,
  strategy: Strategy,
  settings: { seed: number; folds: number },
): SplitRequest {
  const o = { ...opts };
  // A seed that draws nothing is not recorded as if it mattered (the snippet said "seed 42" for time-series).
  if (!usesSeed(strategy, o.shuffle)) delete o.seed;
  return { ...o, strategy, input: file, out: o.out ?? splitFileName(file, { ...o, strategy }, settings) };
}
