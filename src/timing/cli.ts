import * as path from 'node:path';
import type { CliCommand, CliIo } from '../util/cli';
import { parseCliArgs, parseIntOption, parseNumberOption, printJson, requireOne } from '../util/cli';
import { UserError } from '../util/errors';

const HELP = `Usage: flowbench timeit FILE.py --cell N [options]

Times one '# %%' cell of a Python file the way IPython's %timeit does (loops 1, 10, 100, … until one run takes
0.2 s, then 7 runs; mean ± std. dev. per loop) and prints IPython's line. The code cells above run once first,
untimed, in the same process. Each timing is appended to .flowbench/timings.jsonl.

Cells are numbered as the editor shows them: code cells from 1, top to bottom, markdown cells not counted.

Options:
  --cell N            the N-th code cell (from 1; markdown cells not counted; --list shows the numbers)
  --line L            or: the cell containing 1-based line L
  --list              list the file's cells and exit
  --setup above|none  run the code cells above first (default above) or nothing
  --runs R            runs (default 7)
  --loops L           loops per run (default: calibrate like %timeit)
  --time-cap S        a cell whose full protocol would exceed S seconds runs once (default 0 = no cap)
  --timeout S         stop after S seconds (setup included), killing the cell and all it started (default 0 = none)
  --precision P       significant digits (default 3)
  --compare M         A/B: time cell N against cell M in one process, interleaved; prints the ratio (the code
                      cells above the later one run first, the earlier of the two included)
  --python PATH       the interpreter (default: python3 on PATH)
  --history-dir DIR   where .flowbench/ lives (default: nearest folder above the file that has one, else the
                      current folder when the file is under it, else the file's folder)
  --no-record         do not append to the history
  --json              print {mean, stdev, best, worst, loops, runs, firstRun, line, …} (seconds per loop)

A cell that raises exits 2 with the traceback (lines of FILE.py) on stderr and records nothing; so does a cell
that calls sys.exit() or os._exit() or raises KeyboardInterrupt. A timeout exits 2 with one error line.

Example:
  flowbench timeit train.py --cell 2
  4.64 ms ± 215 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)
  first run: 6.42 ms
`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, {
    cell: { type: 'string' },
    line: { type: 'string' },
    list: { type: 'boolean' },
    setup: { type: 'string' },
    runs: { type: 'string' },
    loops: { type: 'string' },
    'time-cap': { type: 'string' },
    timeout: { type: 'string' },
    precision: { type: 'string' },
    compare: { type: 'string' },
    python: { type: 'string' },
    'history-dir': { type: 'string' },
    'no-record': { type: 'boolean' },
  });
  const startedAt = Date.now();
  const file = path.resolve(io.cwd, requireOne(positionals, 'FILE.py'));
  const { parseCells, cellAtLine } = await import('../python/cells');
  const { readSource } = await import('./timeCell');
  const text = readSource(file);
  const cells = parseCells(text);

  if (values.list) {
    const rows = cells.map((c) => ({
      cell: c.number ?? null,
      index: c.index,
      line: c.startLine + 1,
      kind: c.kind,
      title: c.title,
      hash: c.hash,
    }));
    if (values.json) printJson(io, { file, cells: rows });
    else
      for (const r of rows)
        io.stdout(
          `${String(r.cell ?? '-').padStart(3)}  line ${String(r.line).padEnd(5)} ${r.kind.padEnd(8)} ${r.title}\n`,
        );
    return 0;
  }

  const setup = values.setup ?? 'above';
  if (setup !== 'above' && setup !== 'none') throw new UserError(`--setup must be 'above' or 'none', got '${setup}'`);
  const number = parseIntOption(values.cell, 'cell', 1);
  const line = parseIntOption(values.line, 'line', 1);
  if (number === undefined && line === undefined)
    throw new UserError('missing --cell N (or --line L); --list shows the cells');
  if (number !== undefined && line !== undefined) throw new UserError('give --cell or --line, not both');
  const { pickCellByNumber } = await import('./timeCell');
  let cell: number;
  if (line !== undefined) {
    const found = cellAtLine(cells, line - 1);
    if (!found) throw new UserError(`line ${line} is not inside a '# %%' cell of ${path.basename(file)}`);
    cell = found.index;
  } else cell = pickCellByNumber(cells, number!, file).index;
  const common = {
    file,
    text,
    setup: setup as 'above' | 'none',
    runs: parseIntOption(values.runs, 'runs', 1),
    loops: parseIntOption(values.loops, 'loops', 1),
    timeCapSeconds: parseNumberOption(values['time-cap'], 'time-cap'),
    timeoutSeconds: parseNumberOption(values.timeout, 'timeout'),
    timeoutVia: '--timeout',
    precision: parseIntOption(values.precision, 'precision', 1),
    cancellation: io.cancellation,
    startedAt,
  };
  if (common.timeCapSeconds !== undefined && common.timeCapSeconds < 0) throw new UserError('--time-cap must be ≥ 0');
  if (common.timeoutSeconds !== undefined && common.timeoutSeconds < 0) throw new UserError('--timeout must be ≥ 0');
  // Where the timing will be recorded is checked before Python runs: a --history-dir or .flowbench that is a file
  // fails now, not after a minute of timing.
  let historyRoot: string | undefined;
  if (!values['no-record']) {
    const { historyFile } = await import('./history');
    const { projectRootFor } = await import('../util/flowbenchDir');
    const { OutputSet } = await import('../util/outputs');
    historyRoot = values['history-dir']
      ? path.resolve(io.cwd, values['history-dir'])
      : projectRootFor(file, { cwd: io.cwd });
    new OutputSet({ inputs: [{ path: file, what: 'the Python file' }] }).reserve({
      path: historyFile(historyRoot),
      what: 'the timing history',
    });
  }
  const { resolvePython } = await import('./python');
  const python = resolvePython([{ path: values.python, source: 'explicit', via: '--python' }]);
  const { timeCell, compareCells, CellRaisedError } = await import('./timeCell');

  try {
    if (values.compare !== undefined) {
      const b = pickCellByNumber(cells, parseIntOption(values.compare, 'compare', 1)!, file).index;
      const r = await compareCells({ ...common, python, a: cell, b });
      if (values.json) printJson(io, r);
      else io.stdout(`A: cell ${r.a.cellNumber}: ${r.a.line}\nB: cell ${r.b.cellNumber}: ${r.b.line}\n${r.summary}\n`);
      return 0;
    }
    const r = await timeCell({ ...common, python, cell });
    let recordedIn: string | undefined;
    if (historyRoot !== undefined) {
      const { recordTiming, historyFile } = await import('./history');
      const root = historyRoot;
      await recordTiming(root, r);
      recordedIn = historyFile(root);
    }
    if (values.json) {
      const { output: _output, mean, stdev, best, worst, loops, runs, firstRun, line, ...rest } = r;
      // The documented fields first, then the details.
      printJson(io, {
        mean,
        stdev,
        best,
        worst,
        loops,
        runs,
        firstRun,
        line,
        ...rest,
        recordedIn: recordedIn ?? null,
      });
    } else {
      const { formatTime } = await import('./format');
      if (r.warning) io.stdout(r.warning + '\n');
      io.stdout(r.line + '\n');
      io.stdout(
        r.capped
          ? `single run: the full protocol would exceed the ${common.timeCapSeconds} s time cap\n`
          : `first run: ${formatTime(r.firstRun)}\n`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof CellRaisedError) {
      io.stderr(`error: ${err.message}\n${err.traceback}`);
      if (!err.traceback.endsWith('\n')) io.stderr('\n');
      return 2;
    }
    throw err;
  }
}

const LOADER_HELP = `Usage: flowbench loader FILE.py --cell N [options]

Times a data loader: runs the code cells above cell N once (as timeit does), then cell N, then iterates the
iterable it built (default: the name cell N assigns a DataLoader(...) to; any iterable works with --name) and
reports the time to the first batch apart (worker start-up included), the time per batch after the first (p50,
p90, max), batches/s and samples/s (a batch's size: its first tensor's first dimension, else its length), and
whether the loader was exhausted. Each timing is appended to .flowbench/timings.jsonl and to the experiments
ledger, .flowbench/experiments.jsonl (kind loader).

Options:
  --cell N            the cell that builds the loader, 0-based, counting every '# %%' cell (markdown ones too)
  --line L            or: the cell containing 1-based line L; in a file without cells, the code up to the end of
                      the statement on line L
  --name VAR          the iterable to time: a name or expression (default: the DataLoader(...) assignment there)
  --batches B         stop after B batches, the first included
  --time-budget S     stop each pass after S seconds, the first batch included (default 10 without --batches;
                      0 = until the loader is exhausted)
  --workers LIST      re-create a torch DataLoader with each num_workers value (e.g. 0,2,4) and time each, naming
                      the fastest; dataset, batch_size, sampler (so shuffle), batch_sampler, collate_fn, drop_last,
                      pin_memory, timeout, worker_init_fn, generator and, for num_workers > 0, prefetch_factor,
                      persistent_workers and multiprocessing_context carry over
  --to-device         move each batch to the GPU (torch with CUDA) and synchronize before the clock stops
  --setup above|none  run the code cells above first (default above) or nothing
  --timeout S         stop after S seconds (setup included), killing Python, the loader's workers and all they
                      started (default 0 = none)
  --python PATH       the interpreter (default: python3 on PATH)
  --history-dir DIR   where .flowbench/ lives (default as for timeit)
  --no-record         append to neither the history nor the ledger
  --json              print {name, target, runs: [{workers, firstBatchSeconds, perBatch: {p50, p90, max}, …}], …}

Code that raises exits 2 with the traceback (lines of FILE.py) on stderr, also when it raised in a DataLoader
worker; so does a loader that cannot be found or iterated. A timeout exits 2 with one error line.

Example:
  flowbench loader train.py --cell 2 --workers 0,2,4 --batches 50
`;

function workersList(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((s) => !/^\d+$/.test(s)))
    throw new UserError(`--workers takes num_workers values separated by commas (0,2,4), got '${v}'`);
  return parts.map(Number);
}

async function runLoader(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, {
    cell: { type: 'string' },
    line: { type: 'string' },
    name: { type: 'string' },
    batches: { type: 'string' },
    'time-budget': { type: 'string' },
    workers: { type: 'string' },
    'to-device': { type: 'boolean' },
    setup: { type: 'string' },
    timeout: { type: 'string' },
    python: { type: 'string' },
    'history-dir': { type: 'string' },
    'no-record': { type: 'boolean' },
  });
  const startedAt = Date.now();
  const file = path.resolve(io.cwd, requireOne(positionals, 'FILE.py'));
  const setup = values.setup ?? 'above';
  if (setup !== 'above' && setup !== 'none') throw new UserError(`--setup must be 'above' or 'none', got '${setup}'`);
  const cell = parseIntOption(values.cell, 'cell', 0);
  const line = parseIntOption(values.line, 'line', 1);
  if (cell === undefined && line === undefined) throw new UserError('missing --cell N (or --line L)');
  const batches = parseIntOption(values.batches, 'batches', 1);
  const budget = parseNumberOption(values['time-budget'], 'time-budget');
  if (batches !== undefined && budget !== undefined) throw new UserError('give --batches or --time-budget, not both');
  if (budget !== undefined && budget < 0) throw new UserError('--time-budget must be ≥ 0');
  const timeout = parseNumberOption(values.timeout, 'timeout');
  if (timeout !== undefined && timeout < 0) throw new UserError('--timeout must be ≥ 0');
  if (values.name !== undefined && values.name.trim() === '') throw new UserError('--name must not be empty');
  const { resolvePython } = await import('./python');
  const python = resolvePython([{ path: values.python, source: 'explicit', via: '--python' }]);
  const { timeLoader } = await import('./loader');
  const { CellRaisedError } = await import('./timeCell');
  try {
    const r = await timeLoader({
      file,
      cell,
      line,
      name: values.name,
      batches,
      timeBudgetSeconds: budget,
      workers: workersList(values.workers),
      toDevice: values['to-device'] === true,
      setup: setup as 'above' | 'none',
      python,
      timeoutSeconds: timeout,
      timeoutVia: '--timeout',
      cancellation: io.cancellation,
      startedAt,
    });
    let recordedIn: string | undefined;
    if (!values['no-record']) {
      const { recordLoader, recordLoaderExperiment } = await import('./loaderHistory');
      const { historyFile } = await import('./history');
      const { projectRootFor } = await import('../util/flowbenchDir');
      const root = values['history-dir']
        ? path.resolve(io.cwd, values['history-dir'])
        : projectRootFor(file, { cwd: io.cwd });
      await recordLoader(root, r);
      await recordLoaderExperiment(root, r);
      recordedIn = historyFile(root);
    }
    if (values.json) {
      const { output: _output, ...rest } = r;
      printJson(io, { ...rest, recordedIn: recordedIn ?? null });
    } else {
      io.stdout((await import('./loaderFormat')).formatLoader(r));
    }
    return 0;
  } catch (err) {
    if (err instanceof CellRaisedError) {
      io.stderr(`error: ${err.message}\n${err.traceback}`);
      if (!err.traceback.endsWith('\n')) io.stderr('\n');
      return 2;
    }
    throw err;
  }
}

export const commands: CliCommand[] = [
  {
    name: 'timeit',
    summary: "Time a '# %%' cell of a .py file like IPython's %timeit",
    help: HELP,
    run,
  },
  {
    name: 'loader',
    summary: 'Time a data loader: first batch apart, per-batch p50/p90/max, batches/s, a num_workers sweep',
    help: LOADER_HELP,
    run: runLoader,
  },
];
