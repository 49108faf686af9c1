import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../util/errors';
import { workspaceRoot } from '../../editor/workspace';
import type { CsvPreview } from '../inspect';
import type { SplitRequest } from '../engine';
import type { Strategy } from '../strategies';
import type { Size } from '../sizes';
import { defaultSplitPath } from '../../data/splitFile';
import { applicableOnly, parseWizardSize, strategyOrder, wizardSteps, type ColumnStep } from '../wizardPlan';

const DESCRIPTIONS: Record<Strategy, string> = {
  holdout: 'train_test_split: one train/valid split',
  kfold: 'KFold',
  'stratified-kfold': 'StratifiedKFold: keeps class proportions',
  'group-kfold': 'GroupKFold: each group on one side',
  'stratified-group-kfold': 'StratifiedGroupKFold: groups kept whole, classes balanced',
  'group-holdout': 'GroupShuffleSplit: unseen groups in valid',
  'time-series': 'TimeSeriesSplit: validate on later rows',
};

function cancelled(): never {
  throw new CancelledError();
}

async function pick<T extends vscode.QuickPickItem>(items: T[], placeHolder: string, title: string): Promise<T> {
  const chosen = await vscode.window.showQuickPick(items, { placeHolder, title, ignoreFocusOut: true });
  return chosen ?? cancelled();
}

async function ask(
  prompt: string,
  value: string,
  title: string,
  validate: (v: string) => string | undefined,
): Promise<string> {
  const v = await vscode.window.showInputBox({ prompt, value, title, ignoreFocusOut: true, validateInput: validate });
  return v ?? cancelled();
}

/** Chooses the data file: the given one, else the active CSV/TSV editor first, then workspace files. */
export async function pickDataFile(): Promise<string> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const files = await vscode.workspace.findFiles(
    '**/*.{csv,tsv,CSV,TSV}',
    '{**/node_modules/**,**/.*/**,**/*.folds.csv}',
    500,
  );
  const paths = files.map((u) => u.fsPath);
  if (active && /\.(csv|tsv)$/i.test(active.fsPath)) {
    paths.splice(paths.indexOf(active.fsPath) >>> 0, paths.includes(active.fsPath) ? 1 : 0);
    paths.unshift(active.fsPath);
  }
  if (paths.length === 0) throw new UserError('no .csv or .tsv file in the workspace; open one or pass { file }');
  const root = workspaceRoot();
  const chosen = await pick(
    paths.map((p) => ({
      label: path.basename(p),
      description: root ? path.relative(root, path.dirname(p)) || '.' : path.dirname(p),
      file: p,
    })),
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
  settings: { seed: number; folds: number },
): Promise<SplitRequest> {
  const s = preview.suggestion;
  const columns = preview.header.columns;
  const strategyItem = await pick(
    strategyOrder(preview, prefill).map((st) => ({
      label: st,
      description: st === s.strategy ? `suggested: ${s.reason}` : DESCRIPTIONS[st],
      detail: st === s.strategy && s.notes.length ? s.notes.join(' ') : undefined,
      strategy: st,
    })),
    'Strategy (the suggested one is first)',
    'Flowbench split (2/5): strategy',
  );
  const strategy = strategyItem.strategy;
  const opts = applicableOnly(prefill, strategy);
  const steps = wizardSteps(strategy, preview, opts, settings);

  const columnPick = async (what: string, step: ColumnStep): Promise<string | undefined> => {
    const preferred = step.preferred;
    const ordered =
      preferred && columns.includes(preferred) ? [preferred, ...columns.filter((c) => c !== preferred)] : [...columns];
    const items = ordered.map((c) => ({
      label: c,
      description: c === preferred ? 'suggested' : undefined,
      column: c as string | undefined,
    }));
    if (step.optional) {
      const none = { label: '(none)', description: `no ${what} column`, column: undefined };
      if (preferred && columns.includes(preferred)) items.push(none);
      else items.unshift(none);
    }
    return (await pick(items, `${what} column`, `Flowbench split (3/5): ${what} column`)).column;
  };
  if (steps.target) opts.target = await columnPick('target', steps.target);
  if (steps.binsForContinuousTarget && opts.target === preview.likelyTarget) opts.bins = steps.binsForContinuousTarget;
  if (steps.group) opts.group = await columnPick('group', steps.group);
  if (steps.time) opts.time = await columnPick('time', steps.time);
  if (steps.size) {
    const v = await ask(
      'Validation size: a fraction in (0, 1), or a whole number of rows (groups for group-holdout)',
      steps.size,
      'Flowbench split (4/5): size',
      (t) => (/^\s*(0?\.\d+|\d+)\s*$/.test(t) && Number(t) > 0 ? undefined : 'a fraction like 0.2, or a count like 30'),
    );
    opts.testSize = parseWizardSize(v);
  }
  if (steps.folds) {
    const v = await ask(
      strategy === 'time-series' ? 'Number of splits' : 'Number of folds',
      steps.folds,
      'Flowbench split (4/5): folds',
      (t) => (/^\s*\d+\s*$/.test(t) && Number(t) >= 2 ? undefined : 'a whole number >= 2'),
    );
    opts.folds = Number(v);
  }
  if (steps.seed) {
    const v = await ask('Seed (random_state)', steps.seed, 'Flowbench split (5/5): seed', (t) =>
      /^\s*\d+\s*$/.test(t) && Number(t) <= 0xffffffff ? undefined : 'a whole number between 0 and 2**32 - 1',
    );
    opts.seed = Number(v);
  }
  return { ...opts, strategy, input: file, out: opts.out ?? defaultSplitPath(file) };
}

/** Reads a size from command args: `testSize` (fraction) / `testCount` (rows); a number ≥ 1 in testSize is a count. */
export function sizeFromArgs(fraction: unknown, count: unknown, name: string): Size | undefined {
  if (fraction !== undefined && fraction !== null) {
    if (typeof fraction !== 'number' || !Number.isFinite(fraction)) throw new UserError(`${name}Size must be a number`);
    return fraction >= 1 && Number.isInteger(fraction) ? { count: fraction } : { fraction };
  }
  if (count !== undefined && count !== null) {
    if (typeof count !== 'number' || !Number.isInteger(count))
      throw new UserError(`${name}Count must be a whole number`);
    return { count };
  }
  return undefined;
}
