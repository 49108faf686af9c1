import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../util/errors';
import { workspaceRoot } from '../../editor/workspace';
import type { CsvPreview } from '../inspect';
import type { SplitRequest } from '../engine';
import type { Strategy } from '../strategies';
import type { Size } from '../sizes';
import {
  applicableOnly,
  finishRequest,
  nextFreeName,
  parseWizardSize,
  stepCount,
  strategyOrder,
  STRATEGY_LABELS,
  usesSeed,
  wizardSteps,
  type ColumnStep,
} from '../wizardPlan';

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

/** The data files a split can be made of: CSV/TSV files of the workspace, split files themselves left out. */
export async function dataFiles(): Promise<string[]> {
  const files = await vscode.workspace.findFiles(
    '**/*.{csv,tsv,CSV,TSV}',
    '{**/node_modules/**,**/.*/**,**/*.folds.csv}',
    500,
  );
  return files.map((u) => u.fsPath).sort();
}

/** Chooses the data file: the active CSV/TSV editor, else the workspace's only data file, else a pick. */
export async function pickDataFile(): Promise<string> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /\.(csv|tsv)$/i.test(active.fsPath) && !/\.folds\.csv$/i.test(active.fsPath)) return active.fsPath;
  const paths = await dataFiles();
  if (paths.length === 0)
    throw new UserError('no .csv or .tsv file in this workspace to split: add your data file, or open one');
  // One data file: nothing to choose.
  if (paths.length === 1) return paths[0];
  const root = workspaceRoot();
  const chosen = await pick(
    paths.map((p) => ({
      label: path.basename(p),
      description: root ? path.relative(root, path.dirname(p)) || '.' : path.dirname(p),
      file: p,
    })),
    'The data file to split',
    'Create Validation Split: data file',
  );
  return chosen.file;
}

/**
 * The quick-pick wizard; every default is the recommended answer, so Enter at each prompt makes a sound split. It asks
 * only what changes the split: no seed where nothing is random (time-series, k-fold in file order), whether to shuffle
 * for the k-fold strategies, and nothing with a single possible answer.
 */
export async function runWizard(
  file: string,
  preview: CsvPreview,
  prefill: Partial<SplitRequest>,
  settings: { seed: number; folds: number },
): Promise<SplitRequest> {
  const s = preview.suggestion;
  const columns = preview.header.columns;
  const order = strategyOrder(preview, prefill);
  const strategyItem = await pick(
    order.map((st) => {
      const l = STRATEGY_LABELS[st];
      const suggested = st === s.strategy;
      const prefilled = st === prefill.strategy && !suggested;
      return {
        label: l.label,
        description: `${l.sklearn} · ${suggested ? 'suggested' : prefilled ? 'as in your code' : l.what}`,
        // The reason on a line of its own, so it is not cut off behind the description.
        detail: suggested ? `$(lightbulb) ${s.reason}` : undefined,
        strategy: st,
      };
    }),
    `Split ${path.basename(file)} (${preview.header.columns.length} columns): the suggested strategy is first`,
    'Create Validation Split: strategy',
  );
  const strategy = strategyItem.strategy;
  const opts = applicableOnly(prefill, strategy);
  const steps = wizardSteps(strategy, preview, opts, settings);
  const total = stepCount(steps, strategy, opts.shuffle);
  let at = 1;
  const title = (what: string): string => `Create Validation Split (${++at}/${Math.max(total, at)}): ${what}`;

  const columnPick = async (what: string, step: ColumnStep, why: string): Promise<string | undefined> => {
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
    return (await pick(items, why, title(`${what} column`))).column;
  };
  if (steps.target)
    opts.target = await columnPick(
      'target',
      steps.target,
      steps.target.optional ? 'The column to stratify on (class proportions kept)' : 'The target column (the label)',
    );
  if (steps.binsForContinuousTarget && opts.target === preview.likelyTarget) opts.bins = steps.binsForContinuousTarget;
  if (steps.group) opts.group = await columnPick('group', steps.group, 'Rows with the same value stay on one side');
  if (steps.time) opts.time = await columnPick('time', steps.time, 'The rows are ordered by this column');
  if (steps.size) {
    const v = await ask(
      strategy === 'group-holdout'
        ? 'Validation size: a fraction of the groups in (0, 1), or a whole number of groups'
        : 'Validation size: a fraction of the rows in (0, 1), or a whole number of rows',
      steps.size,
      title('validation size'),
      (t) => (/^\s*(0?\.\d+|\d+)\s*$/.test(t) && Number(t) > 0 ? undefined : 'a fraction like 0.2, or a count like 30'),
    );
    opts.testSize = parseWizardSize(v);
  }
  if (steps.folds) {
    const v = await ask(
      strategy === 'time-series'
        ? 'Number of splits: each validates on a later window of rows'
        : 'Number of folds: each row is validated in one of them',
      steps.folds,
      title(strategy === 'time-series' ? 'splits' : 'folds'),
      (t) => (/^\s*\d+\s*$/.test(t) && Number(t) >= 2 ? undefined : 'a whole number of at least 2'),
    );
    opts.folds = Number(v);
  }
  if (steps.shuffle !== undefined) {
    const yes = {
      label: 'Shuffle the rows first',
      description: 'random folds, from a seed',
      shuffle: true,
    };
    const no = {
      label: 'Keep the file order',
      description: `folds of consecutive rows (${STRATEGY_LABELS[strategy].sklearn}'s default)`,
      detail: 'Ordered data (by date, by class) then differs from fold to fold: for dates use Time series',
      shuffle: false,
    };
    opts.shuffle = (
      await pick(steps.shuffle ? [yes, no] : [no, yes], 'Shuffle before making folds?', title('order'))
    ).shuffle;
  }
  if (steps.seed && usesSeed(strategy, opts.shuffle)) {
    const v = await ask('Seed (random_state): the same seed makes the same split', steps.seed, title('seed'), (t) =>
      /^\s*\d+\s*$/.test(t) && Number(t) <= 0xffffffff ? undefined : 'a whole number between 0 and 2**32 - 1',
    );
    opts.seed = Number(v);
  }
  return keepOrReplace(finishRequest(file, opts, strategy, settings));
}

/**
 * A split file that already exists is never replaced without asking: Keep Both (the default: a new name beside it)
 * or Replace. An `out` the caller named explicitly is theirs to overwrite.
 */
export async function keepOrReplace(request: SplitRequest): Promise<SplitRequest> {
  if (!fs.existsSync(request.out)) return request;
  let made = '';
  try {
    const m = JSON.parse(fs.readFileSync(`${request.out}.json`, 'utf8')) as { strategy?: string; createdAt?: string };
    const when = m.createdAt?.replace('T', ' ').slice(0, 16) ?? 'earlier';
    made = ` (a ${m.strategy ? `${m.strategy} split` : 'split'} made ${when})`;
  } catch {
    /* no manifest: say less */
  }
  const other = nextFreeName(request.out, (p) => fs.existsSync(p));
  const choice = await vscode.window.showWarningMessage(
    `${path.basename(request.out)} already exists${made}.`,
    {
      modal: true,
      detail: `Keep Both writes the new split to ${path.basename(other)}; Replace overwrites the existing file.`,
    },
    'Keep Both',
    'Replace',
  );
  if (choice === 'Keep Both') return { ...request, out: other };
  if (choice === 'Replace') return request;
  return cancelled();
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

export type { Strategy };
