import { UserError } from '../util/errors';

import type { Size } from '../data/splitFile';

export type { Size };

export function sizeToPython(size: Size | undefined): string {
  if (size === undefined) return 'None';
  return 'fraction' in size ? pythonFloat(size.fraction) : String(size.count);
}

/** Python's repr of a float (0.25, 1.0, 1.1800000000000002), as scikit-learn prints sizes in its messages. */
export function pythonFloat(x: number): string {
  const s = String(x);
  return /[.eEn]/.test(s) ? s : s + '.0';
}

/** `@validate_params` on train_test_split: fractions in (0, 1), counts from 1; checked before any size arithmetic. */
export function validateTrainTestSplitParams(testSize: Size | undefined, trainSize: Size | undefined): void {
  for (const [name, size] of [
    ['test_size', testSize],
    ['train_size', trainSize],
  ] as const) {
    if (size === undefined) continue;
    const ok = 'fraction' in size ? size.fraction > 0 && size.fraction < 1 : size.count >= 1;
    if (!ok) {
      throw new UserError(
        `The '${name}' parameter of train_test_split must be a float in the range (0.0, 1.0), an int in the range ` +
          `[1, inf) or None. Got ${sizeToPython(size)} instead.`,
      );
    }
  }
}

/**
 * scikit-learn's `_validate_shuffle_split`: the train and test row counts, with its IEEE rounding kept
 * (ceil for test fractions, floor for train fractions: 0.07 of 100 rows is 8 test rows) and its refusals.
 */
export function validateShuffleSplit(
  n: number,
  testSize: Size | undefined,
  trainSize: Size | undefined,
  defaultTestSize: number,
): { nTrain: number; nTest: number } {
  let test = testSize;
  const train = trainSize;
  if (test === undefined && train === undefined) test = { fraction: defaultTestSize };
  const bad = (s: Size | undefined): boolean =>
    s !== undefined && ('count' in s ? s.count >= n || s.count <= 0 : s.fraction <= 0 || s.fraction >= 1);
  if (bad(test)) {
    throw new UserError(
      `test_size=${sizeToPython(test)} should be either positive and smaller than the number of samples ${n} or ` +
        `a float in the (0, 1) range`,
    );
  }
  if (bad(train)) {
    throw new UserError(
      `train_size=${sizeToPython(train)} should be either positive and smaller than the number of samples ${n} or ` +
        `a float in the (0, 1) range`,
    );
  }
  if (test && train && 'fraction' in test && 'fraction' in train && train.fraction + test.fraction > 1) {
    throw new UserError(
      `The sum of test_size and train_size = ${pythonFloat(train.fraction + test.fraction)}, should be in the ` +
        `(0, 1) range. Reduce test_size and/or train_size.`,
    );
  }
  let nTest = test === undefined ? NaN : 'fraction' in test ? Math.ceil(test.fraction * n) : test.count;
  let nTrain = train === undefined ? NaN : 'fraction' in train ? Math.floor(train.fraction * n) : train.count;
  if (train === undefined) nTrain = n - nTest;
  else if (test === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) {
    throw new UserError(
      `The sum of train_size and test_size = ${nTrain + nTest}, should be smaller than the number of samples ${n}. ` +
        `Reduce test_size and/or train_size.`,
    );
  }
  if (nTrain === 0) {
    throw new UserError(
      `With n_samples=${n}, test_size=${sizeToPython(test)} and train_size=${sizeToPython(train)}, ` +
        `the resulting train set will be empty. Adjust any of the aforementioned parameters.`,
    );
  }
  return { nTrain, nTest };
}
