import * as path from 'node:path';
import {
  parseCliArgs,
  parseIntOption,
  parseNumberOption,
  parseWorkers,
  printJson,
  requireOne,
  WORKERS_OPTION,
  type CliCommand,
} from '../util/cli';
import { UserError } from '../util/errors';
import type { Size } from './sizes';
import type { SplitRequest } from './engine';
import { isStrategy, STRATEGIES } from '../data/splitFile';

const HELP = `Usage: flowbench split DATA.csv --strategy S --out FOLDS.csv [options]

Splits a CSV/TSV file exactly as scikit-learn 1.9.1 would with the same seed, checks the split for leakage,
and writes FOLDS.csv (one line per data row, in input order: a 'split' column with train/valid/unused for
holdout strategies, or a 'fold' column with the fold validating the row, -1 if none) plus FOLDS.csv.json.

Strategies:
  holdout                 train_test_split (stratified with --target; --no-shuffle keeps file order)
  kfold                   KFold
  stratified-kfold        StratifiedKFold (--target)
  group-kfold             GroupKFold (--group)
  stratified-group-kfold  StratifiedGroupKFold (--target, --group)
  group-holdout           GroupShuffleSplit, first split (--group)
  time-series             TimeSeriesSplit (rows ordered by --time when given, stable for ties)

Options:
  --strategy S            one of the strategies above (required)
  --out FOLDS.csv         output file; the manifest goes to FOLDS.csv.json (required)
  --target C              label column (stratification, label checks)
  --group C               group column (group strategies, group-overlap check)
  --time C                date/time column (time-series order, time-overlap check)
  --folds K               number of folds / splits (default 5)
  --test-size F           validation fraction in (0, 1)      --test-count N   validation rows (groups for group-holdout)
  --train-size F          train fraction in (0, 1)           --train-count N  train rows (groups for group-holdout)
  --gap N                 time-series: rows left out between train and valid (default 0)
  --max-train-size N      time-series: cap on train rows
  --shuffle, --no-shuffle default as scikit-learn (holdout shuffles, k-fold does not)
  --seed N                random_state, 0..2**32-1 (default 42; always recorded)
  --bins N                stratify a continuous --target on N quantile bins (pd.qcut)
  --workers N             threads that parse the CSV (default: one per core)
  --json                  print the manifest as JSON on stdout

Example:
  flowbench split data/flowers.csv --strategy stratified-kfold --target species --folds 5 --shuffle --out folds.csv
`;

function size(fraction: string | undefined, count: string | undefined, name: string): Size | undefined {
  if (fraction !== undefined && count !== undefined)
    throw new UserError(`give either --${name}-size or --${name}-count, not both`);
  if (fraction !== undefined) {
    const f = parseNumberOption(fraction, `${name}-size`)!;
    return { fraction: f };
  }
  if (count !== undefined) return { count: parseIntOption(count, `${name}-count`)! };
  return undefined;
}

/** argv (after `split`) → the engine's request; shared by the CLI and the oracle tests. */
export function parseSplitArgs(
  argv: string[],
  cwd: string,
): { request: SplitRequest; json: boolean; workers: number | undefined } {
  const { values, positionals } = parseCliArgs(argv, {
    strategy: { type: 'string' },
    out: { type: 'string', short: 'o' },
    target: { type: 'string' },
    group: { type: 'string' },
    time: { type: 'string' },
    folds: { type: 'string' },
    'test-size': { type: 'string' },
    'test-count': { type: 'string' },
    'train-size': { type: 'string' },
    'train-count': { type: 'string' },
    gap: { type: 'string' },
    'max-train-size': { type: 'string' },
    shuffle: { type: 'boolean' },
    'no-shuffle': { type: 'boolean' },
    seed: { type: 'string' },
    bins: { type: 'string' },
    ...WORKERS_OPTION,
  });
  const input = path.resolve(cwd, requireOne(positionals, 'input file (DATA.csv)'));
  if (!values.strategy) throw new UserError(`missing --strategy (${STRATEGY_LIST})`);
  if (!values.out) throw new UserError('missing --out FOLDS.csv');
  if (values.shuffle && values['no-shuffle']) throw new UserError('give --shuffle or --no-shuffle, not both');
  if (!isStrategy(values.strategy))
    throw new UserError(`unknown strategy '${values.strategy}'; use one of: ${STRATEGY_LIST}`);
  return {
    json: values.json === true,
    workers: parseWorkers(values.workers),
    request: {
      input,
      out: path.resolve(cwd, values.out),
      strategy: values.strategy,
      target: values.target,
      group: values.group,
      time: values.time,
      folds: parseIntOption(values.folds, 'folds'),
      testSize: size(values['test-size'], values['test-count'], 'test'),
      trainSize: size(values['train-size'], values['train-count'], 'train'),
      gap: parseIntOption(values.gap, 'gap', 0),
      maxTrainSize: parseIntOption(values['max-train-size'], 'max-train-size', 0),
      shuffle: values.shuffle ? true : values['no-shuffle'] ? false : undefined,
      seed: parseIntOption(values.seed, 'seed', 0),
      bins: parseIntOption(values.bins, 'bins', 2),
    },
  };
}

const STRATEGY_LIST = STRATEGIES.join(', ');

export const commands: CliCommand[] = [
  {
    name: 'split',
    summary: 'Split a CSV into train/valid or folds, identical to scikit-learn, with leakage checks',
    help: HELP,
    async run(argv, io) {
      const { request, json, workers } = parseSplitArgs(argv, io.cwd);
      const { createSplit } = await import('./engine');
      const outcome = await createSplit(request, { cancellation: io.cancellation, workers });
      const m = outcome.manifest;
      if (json) {
        printJson(io, { out: outcome.out, manifestPath: outcome.manifestPath, manifest: m });
        return 0;
      }
      const lines = [
        `${m.strategy}: ${m.input.rows} rows → ${outcome.out} (manifest ${path.basename(outcome.manifestPath)})`,
      ];
      for (const f of m.folds)
        lines.push(
          `  ${m.output.column === 'fold' ? `fold ${f.fold}` : 'split'}: train ${f.train}, ` +
            `valid ${f.valid}${f.unused ? `, unused ${f.unused}` : ''}`,
        );
      for (const w of m.warnings) lines.push(`  warning: ${w}`);
      for (const c of m.checks) lines.push(`  [${c.status}] ${c.title}: ${c.detail}`);
      io.stdout(lines.join('\n') + '\n');
      return 0;
    },
  },
];
