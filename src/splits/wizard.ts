import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../util/errors';
import type { CsvPreview } from './inspect';
import type { SplitRequest } from './engine';
import type { Strategy } from './strategies';
import type { Size } from './sizes';

const DESCRIPTIONS: Record<Strategy, string> = {
  holdout: 'train_test_split: one train/valid split',
  kfold: 'KFold',
  'stratified-kfold': 'StratifiedKFold: keeps class proportions',
  'group-kfold': 'GroupKFold: each group on one side',
  'stratified-group-kfold': 'StratifiedGroupKFold: groups kept whole, classes balanced',
  'group-holdout': 'GroupShuffleSplit: unseen groups in valid',
  'time-series': 'TimeSeriesSplit: validate on later rows',
};
const ORDER: Strategy[] = ['stratified-kfold', 'kfold', 'holdout', 'group-kfold', 'stratified-group-kfold', 'group-holdout', 'time-series'];

function cancelled(): never {
  throw new CancelledError();
}

async function pick<T extends vscode.QuickPickItem>(items: T[], placeHolder: string, title: string): Promise<T> {
  const chosen = await vscode.window.showQuickPick(items, { placeHolder, title, ignoreFocusOut: true });
  return chosen ?? cancelled();
}

async function ask(prompt: string, value: string, title: string, validate: (v: string) => string | undefined): Promise<string> {
  const v = await vscode.window.showInputBox({ prompt, value, title, ignoreFocusOut: true, validateInput: validate });
  return v ?? cancelled();
}

/** Chooses the data file: the given one, else the active CSV/TSV editor first, then workspace files. */
export async function pickDataFile(): Promise<string> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const files = await vscode.workspace.findFiles('**/*.{csv,tsv,CSV,TSV}', '{**/node_modules/**,**/.*/**,**/*.folds.csv}', 500);
  const paths = files.map((u) => u.fsPath);
  if (active && /\.(csv|tsv)$/i.test(active.fsPath)) {
    paths.splice(paths.indexOf(active.fsPath) >>> 0, paths.includes(active.fsPath) ? 1 : 0);
    paths.unshift(active.fsPath);
  }
  if (paths.length === 0) throw new UserError('no .csv or .tsv file in the workspace; open one or pass { file }');
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const chosen = await pick(
    paths.map((p) => ({ label: path.basename(p), description: root ? path.relative(root, path.dirname(p)) || '.' : path.dirname(p), file: p })),
    'Data file to split',
    'Flowbench split (1/5): data',
  );
  return chosen.file;
}

/** The quick-pick wizard; every default is the recommended answer, so Enter, Enter, Enter makes a sound split. */
export async function runWizard(
  file: string,
  preview: CsvPreview,
  prefill: Partial<SplitRequest>,
  defaults: { seed: number; folds: number },
): Promise<SplitRequest> {
  const s = preview.suggestion;
  const columns = preview.header.columns;
  const first: Strategy = prefill.strategy ?? s.strategy;
  const strategies = [first, ...ORDER.filter((x) => x !== first)];
  const strategyItem = await pick(
    strategies.map((st) => ({
      label: st,
      description: st === s.strategy ? `suggested: ${s.reason}` : DESCRIPTIONS[st],
      detail: st === s.strategy && s.notes.length ? s.notes.join(' ') : undefined,
      strategy: st,
    })),
    'Strategy (the suggested one is first)',
    'Flowbench split (2/5): strategy',
  );
  const strategy = strategyItem.strategy;
  const opts: Partial<SplitRequest> = applicableOnly({ ...prefill, strategy }, strategy);
  const fromSuggestion = strategy === s.strategy ? s.options : {};

  const columnPick = async (what: string, preferred: string | undefined, optional: boolean): Promise<string | undefined> => {
    const ordered = preferred && columns.includes(preferred) ? [preferred, ...columns.filter((c) => c !== preferred)] : [...columns];
    const items = ordered.map((c) => ({ label: c, description: c === preferred ? 'suggested' : undefined, column: c as string | undefined }));
    if (optional) {
      const none = { label: '(none)', description: `no ${what} column`, column: undefined };
      if (preferred && columns.includes(preferred)) items.push(none);
      else items.unshift(none);
    }
    return (await pick(items, `${what} column`, `Flowbench split (3/5): ${what} column`)).column;
  };
  const needsTarget = strategy === 'stratified-kfold' || strategy === 'stratified-group-kfold';
  const needsGroup = strategy === 'group-kfold' || strategy === 'stratified-group-kfold' || strategy === 'group-holdout';
  if (opts.target === undefined && (needsTarget || strategy === 'holdout')) {
    // A plain holdout is stratified by default only on a categorical target (a continuous one cannot be).
    const categorical = preview.likelyTargetType === 'binary' || preview.likelyTargetType === 'multiclass';
    const preferred = fromSuggestion.target ?? (needsTarget || categorical ? preview.likelyTarget : undefined);
    opts.target = await columnPick('target', preferred, !needsTarget);
  }
  if (needsTarget && opts.bins === undefined && opts.target === preview.likelyTarget && preview.likelyTargetType === 'continuous') {
    opts.bins = 5; // stratify a continuous target on quantile bins, as the suggestion explains
  }
  if (opts.group === undefined && needsGroup) opts.group = await columnPick('group', fromSuggestion.group ?? s.groupColumns[0], false);
  if (opts.time === undefined && strategy === 'time-series') opts.time = await columnPick('time', fromSuggestion.time ?? s.dateColumns[0], true);

  if (strategy === 'holdout' || strategy === 'group-holdout') {
    if (!opts.testSize) {
      const dflt = strategy === 'holdout' ? '0.25' : '0.2';
      const v = await ask('Validation size: a fraction in (0, 1), or a whole number of rows (groups for group-holdout)', dflt, 'Flowbench split (4/5): size', (t) =>
        /^\s*(0?\.\d+|\d+)\s*$/.test(t) && Number(t) > 0 ? undefined : 'a fraction like 0.2, or a count like 30',
      );
      opts.testSize = /\./.test(v) ? { fraction: Number(v) } : { count: Number(v) };
    }
  } else if (opts.folds === undefined) {
    const v = await ask(strategy === 'time-series' ? 'Number of splits' : 'Number of folds', String(defaults.folds), 'Flowbench split (4/5): folds', (t) =>
      /^\s*\d+\s*$/.test(t) && Number(t) >= 2 ? undefined : 'a whole number >= 2',
    );
    opts.folds = Number(v);
  }
  if (opts.seed === undefined) {
    const v = await ask('Seed (random_state)', String(defaults.seed), 'Flowbench split (5/5): seed', (t) =>
      /^\s*\d+\s*$/.test(t) && Number(t) <= 0xffffffff ? undefined : 'a whole number between 0 and 2**32 - 1',
    );
    opts.seed = Number(v);
  }
  return { ...opts, strategy, input: file, out: opts.out ?? defaultOut(file) } as SplitRequest;
}

export function defaultOut(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.folds.csv`);
}

/** Reads a size from command args: `testSize` (fraction) / `testCount` (rows); a number ≥ 1 in testSize is a count. */
export function sizeFromArgs(fraction: unknown, count: unknown, name: string): Size | undefined {
  if (fraction !== undefined && fraction !== null) {
    if (typeof fraction !== 'number' || !Number.isFinite(fraction)) throw new UserError(`${name}Size must be a number`);
    return fraction >= 1 && Number.isInteger(fraction) ? { count: fraction } : { fraction };
  }
  if (count !== undefined && count !== null) {
    if (typeof count !== 'number' || !Number.isInteger(count)) throw new UserError(`${name}Count must be a whole number`);
    return { count };
  }
  return undefined;
}

/** Drops pre-filled options (e.g. from a code lens) that the strategy picked in the wizard does not take. */
export function applicableOnly(opts: Partial<SplitRequest>, strategy: Strategy): Partial<SplitRequest> {
  const o = { ...opts };
  const holdout = strategy === 'holdout' || strategy === 'group-holdout';
  if (holdout) delete o.folds;
  if (strategy !== 'time-series') { delete o.gap; delete o.maxTrainSize; }
  if (!holdout && strategy !== 'time-series') { delete o.testSize; delete o.trainSize; }
  if (strategy === 'time-series') {
    delete o.trainSize;
    delete o.shuffle;
    if (o.testSize && 'fraction' in o.testSize) delete o.testSize;
  }
  if (strategy === 'group-holdout') delete o.shuffle;
  return o;
}
