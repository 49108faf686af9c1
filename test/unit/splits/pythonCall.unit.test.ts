import assert from 'node:assert/strict';
import { splitArgsFromPythonCall } from '../../../src/splits/pythonCall';

describe('splits/pythonCall: wizard args from a scikit-learn call', () => {
  it('train_test_split with a fraction, a seed and stratify=df["col"]', () => {
    assert.deepEqual(
      splitArgsFromPythonCall('train_test_split(X, y, test_size=0.2, random_state=0, stratify=df["species"])'),
      {
        strategy: 'holdout',
        seed: 0,
        testSize: 0.2,
        target: 'species',
      },
    );
  });
  it('counts stay counts, and KFold-family classes give folds and shuffle', () => {
    assert.deepEqual(splitArgsFromPythonCall('train_test_split(X, test_size=30, shuffle=False)'), {
      strategy: 'holdout',
      shuffle: false,
      testCount: 30,
    });
    assert.deepEqual(splitArgsFromPythonCall('StratifiedKFold(n_splits=10, shuffle=True, random_state=42)'), {
      strategy: 'stratified-kfold',
      seed: 42,
      shuffle: true,
      folds: 10,
    });
    assert.deepEqual(splitArgsFromPythonCall('GroupKFold(3)'), { strategy: 'group-kfold', folds: 3 });
  });
  it('TimeSeriesSplit maps gap, test_size (a row count) and max_train_size', () => {
    assert.deepEqual(splitArgsFromPythonCall('TimeSeriesSplit(n_splits=4, gap=2, test_size=7, max_train_size=100)'), {
      strategy: 'time-series',
      folds: 4,
      gap: 2,
      testCount: 7,
      maxTrainSize: 100,
    });
  });
  it('non-literal arguments are left for the wizard, and other code gives nothing', () => {
    assert.deepEqual(splitArgsFromPythonCall('KFold(n_splits=k, random_state=seed)'), { strategy: 'kfold' });
    assert.deepEqual(splitArgsFromPythonCall('print("KFold(5)")'), {});
  });
});
