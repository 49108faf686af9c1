import type { CallArgument } from '../python/callArgs';
import type { SplitSite } from '../python/scanner';

/**
 * flowbench.split.create's arguments from a scikit-learn split call's literal arguments: the strategy its class
 * stands for, the sizes, folds, seed and shuffle it was given, and the target or group column when it is written as
 * df["col"] / df.col. Values that are not literals are left for the wizard to ask.
 */

const STRATEGY: Record<string, string> = {
  train_test_split: 'holdout',
  ShuffleSplit: 'holdout',
  StratifiedShuffleSplit: 'holdout',
  KFold: 'kfold',
  RepeatedKFold: 'kfold',
  StratifiedKFold: 'stratified-kfold',
  RepeatedStratifiedKFold: 'stratified-kfold',
  GroupKFold: 'group-kfold',
  StratifiedGroupKFold: 'stratified-group-kfold',
  GroupShuffleSplit: 'group-holdout',
  TimeSeriesSplit: 'time-series',
};

/** The column in `df["species"]`, `df['species']` or `df.species`. */
export function columnOf(expr: string): string | undefined {
  const m = /^[A-Za-z_]\w*(?:\[\s*(['"])([^'"]+)\1\s*\]|\.([A-Za-z_]\w*))$/.exec(expr.trim());
  if (!m) return undefined;
  const col = m[2] ?? m[3];
  // Attribute access that is a method or array attribute, not a column.
  return m[3] && ['values', 'to_numpy', 'index', 'columns', 'iloc', 'loc'].includes(m[3]) ? undefined : col;
}

function num(a: CallArgument | undefined): number | undefined {
  return a?.isLiteral && typeof a.value === 'number' ? a.value : undefined;
}

function bool(a: CallArgument | undefined): boolean | undefined {
  return a?.isLiteral && typeof a.value === 'boolean' ? a.value : undefined;
}

/** A size as scikit-learn reads it: a float is a fraction, an int a count. */
function size(a: CallArgument | undefined, fractionKey: string, countKey: string, out: Record<string, unknown>): void {
  const v = num(a);
  if (v === undefined) return;
  if (Number.isInteger(v) && !/[.eE]/.test(a!.text)) out[countKey] = v;
  else out[fractionKey] = v;
}

export function splitPrefill(site: Pick<SplitSite, 'callee' | 'args'>): Record<string, unknown> {
  const { positional, keywords: kw } = site.args;
  const out: Record<string, unknown> = {};
  const strategy = STRATEGY[site.callee];
  if (strategy) out.strategy = strategy;
  const seed = num(kw.random_state);
  if (seed !== undefined) out.seed = seed;
  const shuffle = bool(kw.shuffle);
  if (shuffle !== undefined) out.shuffle = shuffle;

  if (site.callee === 'train_test_split') {
    size(kw.test_size, 'testSize', 'testCount', out);
    size(kw.train_size, 'trainSize', 'trainCount', out);
    const stratify = kw.stratify;
    if (stratify && !(stratify.isLiteral && stratify.value === null)) {
      const col = columnOf(stratify.text);
      if (col) out.target = col;
    }
    return out;
  }
  // Classes: the first positional argument is n_splits (KFold(5), TimeSeriesSplit(3), ShuffleSplit(10)).
  const folds = num(kw.n_splits) ?? num(positional[0]);
  if (folds !== undefined) out.folds = folds;
  if (/ShuffleSplit$/.test(site.callee)) {
    delete out.folds; // Flowbench's holdout strategies make one split; n_splits repeats do not apply
    size(kw.test_size, 'testSize', 'testCount', out);
    size(kw.train_size, 'trainSize', 'trainCount', out);
  }
  if (site.callee === 'TimeSeriesSplit') {
    const gap = num(kw.gap);
    if (gap !== undefined) out.gap = gap;
    const testSize = num(kw.test_size);
    if (testSize !== undefined) out.testCount = testSize;
    const maxTrain = num(kw.max_train_size);
    if (maxTrain !== undefined) out.maxTrainSize = maxTrain;
  }
  return out;
}
