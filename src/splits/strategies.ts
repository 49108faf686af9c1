import { UserError } from '../util/errors';
import { RandomState } from './randomState';
import { validateShuffleSplit, validateTrainTestSplitParams, type Size } from './sizes';
import { requireClassificationTarget, type EncodedColumn } from '../data/labels';
import { npIsClose, npStd1d, npStdAxis0, npSum1d } from './numpyMath';
import type { Strategy } from '../data/splitFile';

export { STRATEGIES, isStrategy, type Strategy } from '../data/splitFile';

export interface SplitParams {
  strategy: Strategy;
  /** n_splits for the k-fold strategies and time-series. */
  folds: number;
  testSize?: Size;
  trainSize?: Size;
  gap: number;
  maxTrainSize?: number;
  shuffle: boolean;
  seed: number;
}

import { TRAIN, VALID, UNUSED } from '../data/splitFile';

export { TRAIN, VALID, UNUSED };

export type FoldCodes = Int8Array | Int16Array | Int32Array;

export interface SplitAssignment {
  /** 'split': assignment holds TRAIN/VALID/UNUSED; 'fold': the fold validating each row, -1 if none. */
  column: 'split' | 'fold';
  assignment: FoldCodes;
  nFolds: number;
  /** scikit-learn's warnings (it goes on, so do we). */
  warnings: string[];
}

export interface SplitColumns {
  n: number;
  target?: EncodedColumn;
  group?: EncodedColumn;
  /** Row indices in time order (stable for ties) for time-series; file order when absent. */
  timeOrder?: Int32Array;
}

/** The default of `shuffle` in each scikit-learn class (train_test_split shuffles, the KFold family does not). */
export function defaultShuffle(strategy: Strategy): boolean {
  return strategy === 'holdout' || strategy === 'group-holdout';
}

export function computeSplit(p: SplitParams, cols: SplitColumns): SplitAssignment {
  const need = (c: EncodedColumn | undefined, what: 'target' | 'group'): EncodedColumn => {
    if (!c) throw new UserError((f) => `${f('strategy')} ${p.strategy} needs ${f(what, 'COLUMN')}`);
    return c;
  };
  switch (p.strategy) {
    case 'holdout':
      return holdout(cols.n, p, cols.target);
    case 'group-holdout':
      return groupHoldout(cols.n, p, need(cols.group, 'group'));
    case 'kfold':
      return kfold(cols.n, p);
    case 'stratified-kfold':
      return stratifiedKFold(cols.n, p, need(cols.target, 'target'));
    case 'group-kfold':
      return groupKFold(cols.n, p, need(cols.group, 'group'));
    case 'stratified-group-kfold':
      return stratifiedGroupKFold(cols.n, p, need(cols.target, 'target'), need(cols.group, 'group'));
    case 'time-series':
      return timeSeries(cols.n, p, cols.timeOrder);
  }
}

function holdoutResult(n: number): SplitAssignment {
  return { column: 'split', assignment: new Int8Array(n).fill(UNUSED), nFolds: 1, warnings: [] };
}

/** train_test_split(np.arange(n), ...): ShuffleSplit, StratifiedShuffleSplit, or file order without shuffle. */
export function holdout(n: number, p: SplitParams, target: EncodedColumn | undefined): SplitAssignment {
  validateTrainTestSplitParams(p.testSize, p.trainSize);
  const { nTrain, nTest } = validateShuffleSplit(n, p.testSize, p.trainSize, 0.25);
  const out = holdoutResult(n);
  const a = out.assignment;
  if (!p.shuffle) {
    if (target) throw new UserError('Stratified train/test split is not implemented for shuffle=False');
    for (let i = 0; i < nTrain; i++) a[i] = TRAIN;
    for (let i = nTrain; i < nTrain + nTest; i++) a[i] = VALID;
    return out;
  }
  const rng = new RandomState(p.seed);
  if (!target) {
    const perm = rng.permutation(n);
    for (let i = 0; i < nTest; i++) a[perm[i]] = VALID;
    for (let i = nTest; i < nTest + nTrain; i++) a[perm[i]] = TRAIN;
    return out;
  }
  stratifiedShuffle(target, nTrain, nTest, rng, a);
  return out;
}

/** StratifiedShuffleSplit's first split (classes in sorted order). */
function stratifiedShuffle(y: EncodedColumn, nTrain: number, nTest: number, rng: RandomState, a: FoldCodes): void {
  const counts = y.counts;
  const nClasses = counts.length;
  const minCount = Math.min(...counts);
  if (minCount < 2) {
    const few = y.labels.filter((_, i) => counts[i] === minCount);
    throw new UserError(
      `The least populated classes in y have only 1 member, which is too few. The minimum number of groups for any ` +
        `class cannot be less than 2. Classes with too few members are: ` +
        `[${few.map((l) => (y.numeric ? l : `'${l}'`)).join(', ')}] (column '${y.name}')`,
    );
  }
  if (nTrain < nClasses)
    throw new UserError(`The train_size = ${nTrain} should be greater or equal to the number of classes = ${nClasses}`);
  if (nTest < nClasses)
    throw new UserError(`The test_size = ${nTest} should be greater or equal to the number of classes = ${nClasses}`);
  const classIndices = rowsByCode(y.codes, counts);
  const nI = approximateMode(counts, nTrain, rng);
  const rest = counts.map((c, i) => c - nI[i]);
  const tI = approximateMode(rest, nTest, rng);
  for (let i = 0; i < nClasses; i++) {
    const perm = rng.permutation(counts[i]);
    const rows = classIndices[i];
    for (let j = 0; j < nI[i]; j++) a[rows[perm[j]]] = TRAIN;
    for (let j = nI[i]; j < nI[i] + tI[i]; j++) a[rows[perm[j]]] = VALID;
  }
}

/** np.split(np.argsort(codes, kind='stable'), cumsum(counts)[:-1]): each code's rows in ascending order. */
function rowsByCode(codes: ArrayLike<number>, counts: readonly number[]): Int32Array[] {
  const out = counts.map((c) => new Int32Array(c));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < codes.length; i++) out[codes[i]][fill[codes[i]]++] = i;
  return out;
}

/** scikit-learn's `_approximate_mode` (1.0+ operation order), ties broken with rng.choice as it does. */
export function approximateMode(classCounts: readonly number[], nDraws: number, rng: RandomState): number[] {
  let total = 0;
  for (const c of classCounts) total += c;
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map((x) => Math.floor(x));
  let flooredSum = 0;
  for (const f of floored) flooredSum += f;
  let needToAdd = Math.trunc(nDraws - flooredSum);
  if (needToAdd > 0) {
    const remainder = continuous.map((x, i) => x - floored[i]);
    const values = [...new Set(remainder)].sort((x, y) => y - x);
    for (const value of values) {
      const inds: number[] = [];
      remainder.forEach((r, i) => {
        if (r === value) inds.push(i);
      });
      const addNow = Math.min(inds.length, needToAdd);
      for (const i of rng.choiceWithoutReplacement(inds, addNow)) floored[i] += 1;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

function checkFolds(k: number): void {
  if (!Number.isInteger(k)) throw new UserError(`The number of folds must be of Integral type. ${k} was passed.`);
  if (k <= 1) {
    throw new UserError(
      `k-fold cross-validation requires at least one train/test split by setting n_splits=2 or more, ` +
        `got n_splits=${k}.`,
    );
  }
}

/** _BaseKFold.split's first check, shared by every k-fold strategy. */
function checkFoldsVsSamples(k: number, n: number): void {
  checkFolds(k);
  if (k > n)
    throw new UserError(
      `Cannot have number of splits n_splits=${k} greater than the number of samples: n_samples=${n}.`,
    );
}

/**
 * An array for fold numbers -1 .. k - 1 (or split codes), as narrow as they allow: a byte a row for up to 127 folds.
 */
export function foldCodes(n: number, k: number): FoldCodes {
  return k < 127 ? new Int8Array(n) : k < 32767 ? new Int16Array(n) : new Int32Array(n);
}

function foldResult(n: number, k: number): SplitAssignment {
  return { column: 'fold', assignment: foldCodes(n, k).fill(-1), nFolds: k, warnings: [] };
}

export function kfold(n: number, p: SplitParams): SplitAssignment {
  const k = p.folds;
  checkFoldsVsSamples(k, n);
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  if (p.shuffle) new RandomState(p.seed).shuffle(indices);
  const out = foldResult(n, k);
  let pos = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let j = 0; j < size; j++) out.assignment[indices[pos++]] = f;
  }
  return out;
}

function tooFewMembersWarning(k: number, minCount: number): string {
  return `The least populated class in y has only ${minCount} members, which is less than n_splits=${k}.`;
}

export function stratifiedKFold(n: number, p: SplitParams, y: EncodedColumn): SplitAssignment {
  const k = p.folds;
  checkFoldsVsSamples(k, n);
  requireClassificationTarget(y);
  const rng = new RandomState(p.seed);
  // Classes are encoded by first appearance here (unlike StratifiedShuffleSplit's sorted order).
  const order = y.firstRow.map((_, i) => i).sort((a, b) => y.firstRow[a] - y.firstRow[b]);
  const enc = new Int32Array(order.length);
  order.forEach((sortedCode, appearance) => {
    enc[sortedCode] = appearance;
  });
  const nClasses = order.length;
  const yCounts = order.map((c) => y.counts[c]);
  if (yCounts.every((c) => k > c))
    throw new UserError(`n_splits=${k} cannot be greater than the number of members in each class.`);
  const out = foldResult(n, k);
  const minCount = Math.min(...yCounts);
  if (k > minCount) out.warnings.push(tooFewMembersWarning(k, minCount));
  // allocation[f][c] = bincount(y_order[f::k]) where y_order is the sorted encoding.
  const allocation: number[][] = Array.from({ length: k }, () => new Array<number>(nClasses).fill(0));
  let pos = 0;
  for (let c = 0; c < nClasses; c++) {
    for (let j = 0; j < yCounts[c]; j++, pos++) allocation[pos % k][c]++;
  }
  // Each class's folds, shuffled in class order (the RNG's order), then handed out to its rows in data order.
  const perClass = yCounts.map((count) => foldCodes(count, k));
  for (let c = 0; c < nClasses; c++) {
    const folds = perClass[c];
    let w = 0;
    for (let f = 0; f < k; f++) for (let j = 0; j < allocation[f][c]; j++) folds[w++] = f;
    if (p.shuffle) rng.shuffle(folds);
  }
  const cursor = new Int32Array(nClasses);
  const codes = y.codes;
  const a = out.assignment;
  for (let i = 0; i < n; i++) {
    const c = enc[codes[i]];
    a[i] = perClass[c][cursor[c]++];
  }
  return out;
}

function checkGroups(k: number, g: EncodedColumn): void {
  const nGroups = g.labels.length;
  if (k > nGroups)
    throw new UserError(`Cannot have number of splits n_splits=${k} greater than the number of groups: ${nGroups}.`);
}

export function groupKFold(n: number, p: SplitParams, g: EncodedColumn): SplitAssignment {
  const k = p.folds;
  checkFoldsVsSamples(k, n);
  checkGroups(k, g);
  const nGroups = g.labels.length;
  const groupToFold = new Int32Array(nGroups);
  if (p.shuffle) {
    const perm = new RandomState(p.seed).permutation(nGroups);
    // np.array_split: the first G % k chunks get one extra group.
    let pos = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(nGroups / k) + (f < nGroups % k ? 1 : 0);
      for (let j = 0; j < size; j++) groupToFold[perm[pos++]] = f;
    }
  } else {
    // argsort(counts, stable)[::-1]: largest first, ties with the higher group index first.
    const ascending = g.counts.map((_, i) => i).sort((a, b) => g.counts[a] - g.counts[b] || a - b);
    const perFold = new Array<number>(k).fill(0);
    for (let i = ascending.length - 1; i >= 0; i--) {
      const group = ascending[i];
      let lightest = 0;
      for (let f = 1; f < k; f++) if (perFold[f] < perFold[lightest]) lightest = f;
      perFold[lightest] += g.counts[group];
      groupToFold[group] = lightest;
    }
  }
  const out = foldResult(n, k);
  for (let i = 0; i < n; i++) out.assignment[i] = groupToFold[g.codes[i]];
  return out;
}

export function stratifiedGroupKFold(n: number, p: SplitParams, y: EncodedColumn, g: EncodedColumn): SplitAssignment {
  const k = p.folds;
  checkFoldsVsSamples(k, n);
  requireClassificationTarget(y);
  const rng = new RandomState(p.seed);
  const yCnt = y.counts;
  const nClasses = yCnt.length;
  if (yCnt.every((c) => k > c))
    throw new UserError(`n_splits=${k} cannot be greater than the number of members in each class.`);
  const out = foldResult(n, k);
  const minCount = Math.min(...yCnt);
  if (k > minCount) out.warnings.push(tooFewMembersWarning(k, minCount));
  checkGroups(k, g);
  const nGroups = g.labels.length;
  let perGroup = new Float64Array(nGroups * nClasses);
  for (let i = 0; i < n; i++) perGroup[g.codes[i] * nClasses + y.codes[i]] += 1;
  // After the shuffle, position q holds original group perm[q] (scikit-learn #32540 remaps groups_inv the same way).
  const groupAt = new Int32Array(nGroups);
  for (let q = 0; q < nGroups; q++) groupAt[q] = q;
  if (p.shuffle) {
    rng.shuffle(groupAt);
    const shuffled = new Float64Array(nGroups * nClasses);
    for (let q = 0; q < nGroups; q++)
      shuffled.set(perGroup.subarray(groupAt[q] * nClasses, (groupAt[q] + 1) * nClasses), q * nClasses);
    perGroup = shuffled;
  }
  const negStd = new Float64Array(nGroups);
  for (let q = 0; q < nGroups; q++) negStd[q] = -npStd1d(perGroup, q * nClasses, nClasses);
  const visit = Array.from({ length: nGroups }, (_, q) => q).sort((a, b) => negStd[a] - negStd[b] || a - b);
  const perFold = new Float64Array(k * nClasses);
  const ratio = new Float64Array(k * nClasses);
  const stdPerClass = new Float64Array(nClasses);
  const foldOfPosition = new Int32Array(nGroups);
  for (const q of visit) {
    const off = q * nClasses;
    let best = -1;
    let minEval = Infinity;
    let minSamples = Infinity;
    for (let f = 0; f < k; f++) {
      for (let c = 0; c < nClasses; c++) perFold[f * nClasses + c] += perGroup[off + c];
      for (let i = 0; i < k * nClasses; i++) ratio[i] = perFold[i] / yCnt[i % nClasses];
      npStdAxis0(ratio, k, nClasses, stdPerClass);
      for (let c = 0; c < nClasses; c++) perFold[f * nClasses + c] -= perGroup[off + c];
      const foldEval = npSum1d(stdPerClass) / nClasses;
      const samplesInFold = npSum1d(perFold, f * nClasses, nClasses);
      if (foldEval < minEval || (npIsClose(foldEval, minEval) && samplesInFold < minSamples)) {
        minEval = foldEval;
        minSamples = samplesInFold;
        best = f;
      }
    }
    for (let c = 0; c < nClasses; c++) perFold[best * nClasses + c] += perGroup[off + c];
    foldOfPosition[q] = best;
  }
  const foldOfGroup = new Int32Array(nGroups);
  for (let q = 0; q < nGroups; q++) foldOfGroup[groupAt[q]] = foldOfPosition[q];
  for (let i = 0; i < n; i++) out.assignment[i] = foldOfGroup[g.codes[i]];
  return out;
}

/** GroupShuffleSplit's first split: a ShuffleSplit over the sorted distinct groups. */
export function groupHoldout(n: number, p: SplitParams, g: EncodedColumn): SplitAssignment {
  const nGroups = g.labels.length;
  const { nTrain, nTest } = validateShuffleSplit(nGroups, p.testSize, p.trainSize, 0.2);
  const perm = new RandomState(p.seed).permutation(nGroups);
  const side = new Int32Array(nGroups).fill(UNUSED);
  for (let i = 0; i < nTest; i++) side[perm[i]] = VALID;
  for (let i = nTest; i < nTest + nTrain; i++) side[perm[i]] = TRAIN;
  const out = holdoutResult(n);
  for (let i = 0; i < n; i++) out.assignment[i] = side[g.codes[i]];
  return out;
}

/** TimeSeriesSplit over rows in time order; a row's fold is the split whose test window holds it. */
export function timeSeries(n: number, p: SplitParams, order: Int32Array | undefined): SplitAssignment {
  const k = p.folds;
  checkFolds(k);
  const nFolds = k + 1;
  const gap = p.gap;
  if (!Number.isInteger(gap) || gap < 0) {
    throw new UserError((f) => `${f('gap')} must be a whole number of rows >= 0, got ${gap}`);
  }
  const testSize = p.testSize === undefined ? Math.floor(n / nFolds) : 'count' in p.testSize ? p.testSize.count : NaN;
  if (!Number.isInteger(testSize) || (p.testSize !== undefined && testSize < 1)) {
    throw new UserError((f) => `time-series takes its test window as a row count (${f('testCount', 'N, N >= 1')})`);
  }
  if (nFolds > n) throw new UserError(`Cannot have number of folds=${nFolds} greater than the number of samples=${n}.`);
  if (n - gap - testSize * k <= 0) {
    throw new UserError(`Too many splits=${k} for number of samples=${n} with test_size=${testSize} and gap=${gap}.`);
  }
  const out = foldResult(n, k);
  let f = 0;
  for (let start = n - k * testSize; start < n; start += testSize, f++) {
    for (let pos = start; pos < start + testSize && pos < n; pos++) out.assignment[order ? order[pos] : pos] = f;
  }
  return out;
}
