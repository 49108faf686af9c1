import type { CsvPreview } from './inspect';
import type { SplitRequest } from './engine';
import { defaultSplitPath, type Strategy } from '../data/splitFile';

const ORDER: Strategy[] = [
  'stratified-kfold',
  'kfold',
  'holdout',
  'group-kfold',
  'stratified-group-kfold',
  'group-holdout',
  'time-series',
];

/** Strategies in the order the wizard lists them: a pre-filled one (code lens) or the suggested one first. */
export function strategyOrder(preview: CsvPreview, prefill: Partial<SplitRequest>): Strategy[] {
  const first: Strategy = prefill.strategy ?? preview.suggestion.strategy;
  return [first, ...ORDER.filter((x) => x !== first)];
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
  if (opts.seed === undefined) steps.seed = String(settings.seed);
  return steps;
}

/** A size typed in the wizard: "0.2" is a fraction, "30" a count. */
export function parseWizardSize(text: string): { fraction: number } | { count: number } {
  return /\./.test(text) ? { fraction: Number(text) } : { count: Number(text.trim()) };
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
  if (steps.seed) opts.seed = Number(steps.seed);
  return { ...opts, strategy, input: file, out: opts.out ?? defaultSplitPath(file) };
}
