import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelInfo } from './onnxModel';
import type { SplitFileInfo } from '../splits/api';

/**
 * What the Evaluate prompts offer, decided without VS Code: which splits, in which order, and how each is described.
 * The split a model was trained on (its metadata 'flowbench.trainSplit', a path relative to the model's folder) comes
 * first, since only its validation rows are unseen by the model; then the newest.
 */

export const TRAIN_SPLIT_KEY = 'flowbench.trainSplit';

/** The split file the model says it was trained on (absolute), when its metadata names one. */
export function trainSplitOf(model: Pick<ModelInfo, 'metadata'>, modelPath: string): string | undefined {
  const v = model.metadata[TRAIN_SPLIT_KEY];
  return v ? path.resolve(path.dirname(modelPath), v) : undefined;
}

export interface EvalSplitChoice {
  info: SplitFileInfo;
  label: string;
  description: string;
  detail?: string;
  trainedOn: boolean;
}

const rel = (file: string, root: string | undefined): string => {
  if (!root) return path.basename(file);
  const r = path.relative(root, file);
  return r.startsWith('..') || path.isAbsolute(r) ? file : r.split(path.sep).join('/');
};

/** The splits to offer, the model's own first, then newest first (the list comes newest first). */
export function evalSplitChoices(
  splits: SplitFileInfo[],
  opts: { trainedOn?: string; modelName: string; root?: string },
): EvalSplitChoice[] {
  const own = (s: SplitFileInfo) => !!opts.trainedOn && path.resolve(s.file) === path.resolve(opts.trainedOn);
  const ordered = [...splits.filter(own), ...splits.filter((s) => !own(s))];
  return ordered.map((info) => {
    const trainedOn = own(info);
    const rows =
      info.column === 'fold'
        ? `${info.folds} folds (fold 0: ${info.valid} valid rows)`
        : `${info.valid} valid / ${info.train} train rows`;
    const made = info.createdAt ? ` · made ${info.createdAt.replace('T', ' ').slice(0, 16)}` : '';
    return {
      info,
      label: path.basename(info.file),
      description: `${info.strategy} · ${rows}${made}`,
      detail: trainedOn
        ? `$(check) ${opts.modelName} was trained on its train rows: its validation rows are unseen`
        : opts.trainedOn
          ? `$(warning) ${opts.modelName} was trained on ${path.basename(opts.trainedOn)}: ` +
            'some of these validation rows may have been seen in training'
          : `${rel(info.data, opts.root)}${info.target ? `, target ${info.target}` : ''}`,
      trainedOn,
    };
  });
}

/** The target column to offer first: the split's, else a column named like a label, else the last one. */
export function likelyTarget(columns: string[], hint?: string): string | undefined {
  if (hint && columns.includes(hint)) return hint;
  return (
    columns.find((c) => /^(label|labels|target|y|class|classes|species|outcome|category|is_?\w+)$/i.test(c.trim())) ??
    columns[columns.length - 1]
  );
}

/** The 0-based rows of a split file whose first column equals `side` ('train'/'valid'), or whose fold is `fold`. */
async function splitRows(file: string, pick: (cell: string) => boolean): Promise<Set<number>> {
  const lines = (await fs.promises.readFile(file, 'utf8')).split(/\r?\n/).slice(1);
  const rows = new Set<number>();
  lines.forEach((l, i) => {
    if (l.trim() !== '' && pick(l.split(',')[0].trim().toLowerCase())) rows.add(i);
  });
  return rows;
}

/**
 * When a model is evaluated on a split other than the one it was trained on, how many of the validation rows it
 * was trained on, as a warning for the results page; undefined when none (or when that cannot be told: the model's
 * split is a k-fold file, whose training fold is unknown).
 */
export async function trainOverlapWarning(
  trainedOn: string,
  split: string,
  fold: number | undefined,
  model: string,
): Promise<string | undefined> {
  try {
    const header = (f: string) =>
      fs.promises.readFile(f, 'utf8').then((t) => t.slice(0, t.indexOf('\n')).trim().toLowerCase());
    if ((await header(trainedOn)) !== 'split') return undefined;
    const train = await splitRows(trainedOn, (c) => c === 'train');
    const kind = await header(split);
    const valid =
      kind === 'split'
        ? await splitRows(split, (c) => c === 'valid' || c === 'validation' || c === 'test')
        : await splitRows(split, (c) => Number(c) === (fold ?? 0));
    let seen = 0;
    for (const r of valid) if (train.has(r)) seen++;
    if (seen === 0) return undefined;
    return (
      `${seen} of the ${valid.size} validation rows are train rows of ${path.basename(trainedOn)}, which ` +
      `${path.basename(model)} was trained on: these validation metrics are optimistic. Evaluate on that split ` +
      'for an honest score.'
    );
  } catch {
    return undefined;
  }
}
