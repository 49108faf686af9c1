import * as path from 'node:path';
import { sizeToPython, type Size } from './sizes';
import type { Strategy } from './strategies';

interface CallSpec {
  strategy: Strategy;
  folds?: number;
  testSize?: Size | null;
  trainSize?: Size | null;
  gap?: number | null;
  maxTrainSize?: number | null;
  shuffle: boolean;
  seed: number;
  target?: string | null;
  bins?: number | null;
}

const py = (s: string): string => JSON.stringify(s);

function sizeArgs(p: CallSpec): string[] {
  const out: string[] = [];
  if (p.testSize) out.push(`test_size=${sizeToPython(p.testSize)}`);
  if (p.trainSize) out.push(`train_size=${sizeToPython(p.trainSize)}`);
  return out;
}

/** The scikit-learn object (or call) that makes the same split, for the manifest and the report. */
export function sklearnCall(p: CallSpec): string {
  const rs = `random_state=${p.seed}`;
  const k = p.folds ?? 5;
  // The k-fold splitters' arguments after n_splits (the seed only where shuffling uses it).
  const shuffle = `shuffle=${p.shuffle ? 'True' : 'False'}${p.shuffle ? ', ' + rs : ''}`;
  switch (p.strategy) {
    case 'holdout': {
      const args = [...sizeArgs(p), rs, `shuffle=${p.shuffle ? 'True' : 'False'}`, p.target ? 'stratify=y' : ''];
      return `train_test_split(np.arange(n), ${args.filter(Boolean).join(', ')})`;
    }
    case 'group-holdout':
      return `GroupShuffleSplit(${['n_splits=1', ...sizeArgs(p), rs].join(', ')})`;
    case 'kfold':
      return `KFold(n_splits=${k}, ${shuffle})`;
    case 'stratified-kfold':
      return `StratifiedKFold(n_splits=${k}, ${shuffle})`;
    case 'group-kfold':
      return `GroupKFold(n_splits=${k}, ${shuffle})`;
    case 'stratified-group-kfold':
      return `StratifiedGroupKFold(n_splits=${k}, ${shuffle})`;

    case 'time-series': {
      const args = [`n_splits=${k}`];
      if (p.maxTrainSize) args.push(`max_train_size=${p.maxTrainSize}`);
      if (p.testSize && 'count' in p.testSize) args.push(`test_size=${p.testSize.count}`);
      if (p.gap) args.push(`gap=${p.gap}`);
      return `TimeSeriesSplit(${args.join(', ')})`;
    }
  }
}

const CLASS_OF: Record<Strategy, string> = {
  holdout: 'train_test_split',
  'group-holdout': 'GroupShuffleSplit',
  kfold: 'KFold',
  'stratified-kfold': 'StratifiedKFold',
  'group-kfold': 'GroupKFold',
  'stratified-group-kfold': 'StratifiedGroupKFold',
  'time-series': 'TimeSeriesSplit',
};

export interface SnippetSource {
  strategy: Strategy;
  parameters: {
    target: string | null;
    group: string | null;
    time: string | null;
    folds: number | null;
    testSize: Size | null;
    trainSize: Size | null;
    gap: number | null;
    maxTrainSize: number | null;
    shuffle: boolean;
    seed: number;
    bins: number | null;
  };
  input: { file: string };
  output: { file: string; column: 'split' | 'fold' };
}

/**
 * A path as a snippet or report writes it: relative to `root` ('/'-separated) when inside it, so it works in anyone's
 * clone of the project (a notebook runs from the project folder); absolute otherwise.
 */
export function projectPath(file: string, root: string | undefined): string {
  if (!root) return file;
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

/** Whether a split drew random numbers: the seed matters only then (not for time-series or unshuffled k-fold). */
export function seedMatters(strategy: Strategy, shuffle: boolean): boolean {
  return strategy === 'group-holdout' || (strategy !== 'time-series' && shuffle);
}

/**
 * Python that loads the split with pandas and recomputes it with scikit-learn, asserting both agree — so a notebook
 * can use the split without Flowbench, and anyone can verify it. Paths are relative to `root` (the project folder
 * the notebook runs in) when the files are inside it.
 */
export function pythonSnippet(m: SnippetSource, opts: { root?: string } = {}): string {
  const p = m.parameters;
  const spec: CallSpec = { ...p, strategy: m.strategy, folds: p.folds ?? undefined };
  const randomness = seedMatters(m.strategy, p.shuffle) ? `seed ${p.seed}` : 'no shuffling, so no seed';
  const lines = [
    `# Flowbench split: ${m.strategy}, ${randomness}; identical to scikit-learn 1.9.1.`,
    'import numpy as np',
    'import pandas as pd',
    `from sklearn.model_selection import ${CLASS_OF[m.strategy]}`,
    '',
    `df = pd.read_csv(${py(projectPath(m.input.file, opts.root))})`,
    `df[${py(m.output.column)}] = pd.read_csv(${py(projectPath(m.output.file, opts.root))})` +
      `[${py(m.output.column)}].values`,
    'n = len(df)',
  ];
  if (p.target) {
    lines.push(
      p.bins
        ? `y = pd.qcut(df[${py(p.target)}], q=${p.bins}, labels=False, duplicates="drop").values`
        : `y = df[${py(p.target)}].values`,
    );
  }
  if (p.group) lines.push(`groups = df[${py(p.group)}].values`);
  lines.push('');
  const call = sklearnCall(spec);
  switch (m.strategy) {
    case 'holdout':
      lines.push(
        `train_idx, valid_idx = ${call}`,
        'assert set(valid_idx) == set(np.flatnonzero(df["split"].values == "valid"))',
        'assert set(train_idx) == set(np.flatnonzero(df["split"].values == "train"))',
        'train, valid = df[df["split"] == "train"], df[df["split"] == "valid"]',
      );
      break;
    case 'group-holdout':
      lines.push(
        `train_idx, valid_idx = next(${call}.split(np.zeros(n), groups=groups))`,
        'assert set(valid_idx) == set(np.flatnonzero(df["split"].values == "valid"))',
        'train, valid = df[df["split"] == "train"], df[df["split"] == "valid"]',
      );
      break;
    case 'time-series':
      lines.push(
        p.time
          ? `order = np.argsort(pd.to_datetime(df[${py(p.time)}]).values, kind="stable")  # rows in time order, ` +
              `ties in file order`
          : 'order = np.arange(n)  # rows are already in time order',
        `for f, (train_pos, valid_pos) in enumerate(${call}.split(order)):`,
        '    train_idx, valid_idx = order[train_pos], order[valid_pos]',
        '    assert set(valid_idx) == set(np.flatnonzero(df["fold"].values == f))',
      );
      break;
    default: {
      const args = [
        'np.zeros(n)',
        p.target && m.strategy.startsWith('stratified') ? 'y' : '',
        m.strategy.includes('group') ? 'groups=groups' : '',
      ]
        .filter(Boolean)
        .join(', ');
      lines.push(
        `cv = ${call}`,
        `for f, (train_idx, valid_idx) in enumerate(cv.split(${args})):`,
        '    assert set(valid_idx) == set(np.flatnonzero(df["fold"].values == f))',
        '    train, valid = df.iloc[train_idx], df.iloc[valid_idx]',
      );
    }
  }
  return lines.join('\n') + '\n';
}
