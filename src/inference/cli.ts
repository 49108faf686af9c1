import * as path from 'node:path';
import type { CliCommand, CliIo } from '../util/cli';
import {
  parseCliArgs,
  parseIntOption,
  parseNumberOption,
  parseWorkers,
  printJson,
  requireOne,
  WORKERS_HELP,
  WORKERS_OPTION,
} from '../util/cli';
import { UserError } from '../util/errors';

/* Engines load inside run() so `flowbench --help` stays light. */

const EP_HELP =
  '  --ep LIST            execution providers in order of preference, e.g. cuda,cpu (default: cuda,cpu on Linux,\n' +
  '                       dml,cpu on Windows, cpu elsewhere); the first that creates a session runs\n' +
  "  --cuda-lib-path DIRS folders with CUDA runtime libraries, added to the worker's LD_LIBRARY_PATH" +
  ' (":"-separated)\n';

const runtimeOptions = {
  ep: { type: 'string' },
  'cuda-lib-path': { type: 'string' },
  threads: { type: 'string' },
} as const;

function list(v: string | undefined): string[] | undefined {
  return v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/**
 * Runtime options from the flags. `streams`: eval and infer, which stream a table through the model; on the CPU
 * provider alone they run onnxruntime in this process (HostOptions.inProcess: a second Node process and a copy of
 * every batch through IPC are most of a 10M-row eval's memory past the scores).
 */
async function runtime(
  values: { ep?: string; 'cuda-lib-path'?: string; threads?: string },
  io: CliIo,
  o: { streams?: boolean } = {},
) {
  const { parseProviderList } = await import('./providers');
  const providers = parseProviderList(values.ep);
  return {
    providers,
    inProcess: o.streams === true && providers.length > 0 && providers.every((p) => p === 'cpu'),
    libraryPath: values['cuda-lib-path']
      ?.split(path.delimiter)
      .filter(Boolean)
      .map((p) => path.resolve(io.cwd, p)),
    intraOpThreads: parseIntOption(values.threads, 'threads', 1),
    cancellation: io.cancellation,
    onStderr: process.env.FLOWBENCH_DEBUG ? (t: string) => io.stderr(t) : undefined,
  };
}

const abs = (io: CliIo, p: string | undefined): string | undefined =>
  p === undefined ? undefined : path.resolve(io.cwd, p);

const inspect: CliCommand = {
  name: 'inspect',
  summary: 'Show an ONNX model: producer, IR/opsets, inputs/outputs, parameters, operators, FLOPs',
  help: `Usage: flowbench inspect MODEL.onnx [--json]

Reads the protobuf itself (no runtime needed): producer, IR and opset versions, inputs and outputs with types and
shapes (symbolic dimensions by name), parameter count and size, operator histogram and a FLOPs estimate.

Example: flowbench inspect models/baseline.onnx --json
`,
  async run(argv, io) {
    const { values, positionals } = parseCliArgs(argv, {});
    const file = abs(io, requireOne(positionals, 'MODEL.onnx'))!;
    const { loadModelFile } = await import('./modelFile');
    const m = await loadModelFile(file);
    if (values.json) printJson(io, { model: file, sha256: m.sha256, ...m.info });
    else io.stdout((await import('./format')).formatInspect(file, m.info));
    return 0;
  },
};

const infer: CliCommand = {
  name: 'infer',
  summary: 'Run an ONNX model on CSV rows (or random inputs) and write predictions',
  help: `Usage: flowbench infer MODEL.onnx [--input DATA.csv [--split FOLDS.csv [--fold K]] [--features a,b]
                       [--target COL]] [--batch B] [--ep cuda,cpu] [--workers N] [--out PRED.csv] [--json]


Without --input, feeds random inputs of the declared shapes (first symbolic dimension = --batch, default 1).
With --input, every numeric column except --target, in file order, goes to a single 2-D float input (or --features);
a model with one input per column (skl2onnx) is matched by input name. With --split, only the validation rows
(split == valid, or fold == K) run, and PRED.csv starts with their 0-based row index.
PRED.csv: one line per input row, one column per output value ('name', or 'name_i' for a vector output), written
as the rows stream through the model (atomically: nothing replaces PRED.csv unless the whole run succeeds).
${EP_HELP}${WORKERS_HELP}
Example: flowbench infer models/baseline.onnx --input data/flowers.csv --target species --out pred.csv
`,
  async run(argv, io) {
    const { values, positionals } = parseCliArgs(argv, {
      input: { type: 'string' },
      split: { type: 'string' },
      fold: { type: 'string' },
      features: { type: 'string' },
      target: { type: 'string' },
      batch: { type: 'string' },
      out: { type: 'string' },
      ...WORKERS_OPTION,
      ...runtimeOptions,
    });
    const { runInference } = await import('./infer');
    const r = await runInference({
      model: abs(io, requireOne(positionals, 'MODEL.onnx'))!,
      input: abs(io, values.input),
      split: abs(io, values.split),
      fold: parseIntOption(values.fold, 'fold', 0),
      features: list(values.features),
      target: values.target,
      batch: parseIntOption(values.batch, 'batch', 1),
      out: abs(io, values.out),
      workers: parseWorkers(values.workers),
      ...(await runtime(values, io, { streams: true })),
    });
    if (values.json) {
      const { table, ...rest } = r;
      printJson(io, { ...rest, columns: table.columns, preview: table.values.map((c) => c.slice(0, 10)) });
    } else io.stdout((await import('./format')).formatInfer(r));
    return 0;
  },
};

const bench: CliCommand = {
  name: 'bench',
  summary: 'Benchmark an ONNX model per execution provider (latency percentiles, throughput, memory, GFLOP/s)',
  help: `Usage: flowbench bench MODEL.onnx [--ep cuda,cpu] [--runs N] [--time-budget S] [--batch B] [--warmup W]
                       [--threads T] [--no-ledger] [--json]

As onnxruntime_perf_test: for each provider, in its own process: session creation time, first run, W warm-up runs
(default 5), then N timed runs (default 100) or S seconds, on random inputs of batch B (default 1). Reports latency
min/p50/p90/p99/max, inferences and rows per second, peak memory (RSS) and achieved GFLOP/s from the graph's FLOPs
estimate, side by side; providers that cannot run say why. Appends to .flowbench/experiments.jsonl.
${EP_HELP}
Example: flowbench bench models/baseline.onnx --ep cuda,cpu --batch 256 --runs 500
`,
  async run(argv, io) {
    const { values, positionals } = parseCliArgs(argv, {
      runs: { type: 'string' },
      'time-budget': { type: 'string' },
      batch: { type: 'string' },
      warmup: { type: 'string' },
      'no-ledger': { type: 'boolean' },
      ...runtimeOptions,
    });
    const budget = parseNumberOption(values['time-budget'], 'time-budget');
    if (budget !== undefined && budget <= 0) throw new UserError('--time-budget must be positive');
    const { runBench } = await import('./bench');
    const r = await runBench({
      model: abs(io, requireOne(positionals, 'MODEL.onnx'))!,
      runs: parseIntOption(values.runs, 'runs', 1),
      timeBudgetS: budget,
      batch: parseIntOption(values.batch, 'batch', 1),
      warmup: parseIntOption(values.warmup, 'warmup', 0),
      ledgerRoot: values['no-ledger'] ? false : io.cwd,
      ...(await runtime(values, io)),
    });
    if (values.json) printJson(io, r);
    else io.stdout((await import('./format')).formatBench(r));
    if (r.results.some((x) => x.ok)) return 0;
    // The report above says why each provider did not run; the exit status still comes with its one error line.
    io.stderr(`error: no execution provider could run the model (${r.results.map((x) => x.provider).join(', ')})\n`);
    return 2;
  },
};

const evaluate: CliCommand = {
  name: 'eval',
  summary: "Evaluate an ONNX model on a split's validation rows, next to the trivial baseline",
  help: `Usage: flowbench eval MODEL.onnx --data DATA.csv --split FOLDS.csv [--fold K] --target COL [--features a,b]
                      [--ep cuda,cpu] [--workers N] [--no-ledger] [--json]

--data and --target default to the data file and target named in the split's manifest (FOLDS.csv.json from
flowbench split); a data file that changed since the split was made gives a warning.

Classifiers: accuracy, balanced accuracy, log loss, ROC AUC (binary, or one-vs-rest macro), macro F1.
Regressors: RMSE, MAE, R². Always beside the trivial baseline learned on the train rows (majority class with the
train class frequencies as probabilities, or the train mean). Class order: the model metadata 'flowbench.classes'
(JSON array) if present, else the sorted target values (as scikit-learn's classes_). Appends a line to
.flowbench/experiments.jsonl (model and split hashes, metrics, provider, git HEAD). The data streams through the
model in batches: memory stays flat however large the file.
${EP_HELP}${WORKERS_HELP}
Example: flowbench eval models/baseline.onnx --data data/flowers.csv --split data/FOLDS.csv --target species
`,
  async run(argv, io) {
    const { values, positionals } = parseCliArgs(argv, {
      data: { type: 'string' },
      split: { type: 'string' },
      fold: { type: 'string' },
      target: { type: 'string' },
      features: { type: 'string' },
      'no-ledger': { type: 'boolean' },
      ...WORKERS_OPTION,
      ...runtimeOptions,
    });
    if (!values.split) throw new UserError('missing --split FOLDS.csv (make one with flowbench split)');
    const { runEval } = await import('./evaluate');
    const r = await runEval({
      model: abs(io, requireOne(positionals, 'MODEL.onnx'))!,
      data: abs(io, values.data),
      split: abs(io, values.split)!,
      fold: parseIntOption(values.fold, 'fold', 0),
      target: values.target,
      features: list(values.features),
      ledgerRoot: values['no-ledger'] ? false : io.cwd,
      workers: parseWorkers(values.workers),
      ...(await runtime(values, io, { streams: true })),
    });
    if (values.json) printJson(io, r);
    else io.stdout((await import('./format')).formatEval(r));
    return 0;
  },
};

const profile: CliCommand = {
  name: 'profile',
  summary: 'Profile an ONNX model node by node: time per node and per op type, share of the run',
  help: `Usage: flowbench profile MODEL.onnx [--ep cuda,cpu] [--batch B] [--runs N] [--warmup W]
                         [--optimization all|extended|basic|disabled] [--keep-trace] [--threads T]
                         [--no-ledger] [--json]

Runs the model with onnxruntime's session profiling on (random inputs of batch B, default 1; W warm-up runs, default
1, then N profiled runs, default 10), reads the trace and reports per node (name as in the graph, op type, provider,
mean time per run, share of the run) and per op type, the slowest first, and how much of the run the nodes account
for: the rest is framework and copy overhead. Nodes onnxruntime made (fusions, copies between devices) are named as
it names them, with the graph nodes a fusion was made from; --optimization disabled profiles the graph as written.
The trace is written to a private temporary folder and removed afterwards unless --keep-trace (its path is printed).
Appends to .flowbench/experiments.jsonl (kind profile).
${EP_HELP}
Example: flowbench profile models/baseline.onnx --batch 64 --runs 20
`,
  async run(argv, io) {
    const { values, positionals } = parseCliArgs(argv, {
      batch: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      optimization: { type: 'string' },
      'keep-trace': { type: 'boolean' },
      'no-ledger': { type: 'boolean' },
      ...runtimeOptions,
    });
    const level = values.optimization ?? 'all';
    if (!['all', 'extended', 'basic', 'disabled'].includes(level))
      throw new UserError(`--optimization must be all, extended, basic or disabled, got '${level}'`);
    const { runProfile } = await import('./profile');
    const r = await runProfile({
      model: abs(io, requireOne(positionals, 'MODEL.onnx'))!,
      batch: parseIntOption(values.batch, 'batch', 1),
      runs: parseIntOption(values.runs, 'runs', 1),
      warmup: parseIntOption(values.warmup, 'warmup', 0),
      optimization: level as 'all' | 'extended' | 'basic' | 'disabled',
      keepTrace: values['keep-trace'] === true,
      ledgerRoot: values['no-ledger'] ? false : io.cwd,
      ...(await runtime(values, io)),
    });
    if (values.json) printJson(io, r);
    else io.stdout((await import('./profileFormat')).formatProfile(r));
    return 0;
  },
};

const installCuda: CliCommand = {
  name: 'install-cuda',
  summary: 'Place CUDA provider libraries for onnxruntime-node from a folder, .tgz or .nupkg',
  help: `Usage: flowbench install-cuda SOURCE [--runtime-dir DIR] [--force] [--json]

Copies libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so from SOURCE (a folder, .tgz/.tar.gz
or .nupkg/.zip, searched recursively) next to libonnxruntime.so.1 of onnxruntime-node, after checking that their
version matches the runtime's (--force to skip). Flowbench downloads nothing: fetch the official package
(NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux of the same version) yourself.

Example: flowbench install-cuda ~/Downloads/microsoft.ml.onnxruntime.gpu.linux.1.29.0.nupkg
`,
  async run(argv, io) {
    const { values, positionals } = parseCliArgs(argv, {
      'runtime-dir': { type: 'string' },
      force: { type: 'boolean' },
    });
    const src = requireOne(positionals, 'SOURCE');
    const { installCudaProviders } = await import('./installCuda');
    const r = await installCudaProviders(/^https?:/i.test(src) ? src : path.resolve(io.cwd, src), {
      runtimeDir: abs(io, values['runtime-dir']),
      force: values.force,
      cancellation: io.cancellation,
    });
    if (values.json) printJson(io, r);
    else
      io.stdout(
        `installed into ${r.runtimeDir} (onnxruntime ${r.runtimeVersion}; version check: ${r.version.status}, ` +
          `${r.version.evidence})\n${r.copied.map((c) => `  ${c.file} ${c.bytes} bytes from ${c.from}`).join('\n')}\n`,
      );
    return 0;
  },
};

const experiments: CliCommand = {
  name: 'experiments',
  summary: 'List .flowbench/experiments.jsonl: best so far and change since the previous run',
  help: `Usage: flowbench experiments [DIR] [--json]

Reads DIR/.flowbench/experiments.jsonl (default: the current folder).
`,
  async run(argv, io) {
    const { values, positionals } = parseCliArgs(argv, {});
    if (positionals.length > 1) throw new UserError(`expected at most one DIR, got ${positionals.length}`);
    const root = positionals[0] ? path.resolve(io.cwd, positionals[0]) : io.cwd;
    const { checkInputPath } = await import('../util/inputs');
    checkInputPath(root, { folder: true, what: 'DIR' });
    const { readLedger, summarizeLedger } = await import('./ledger');
    const { records, skipped } = await readLedger(root);
    const summary = summarizeLedger(records);
    if (values.json) printJson(io, { ...summary, skippedLines: skipped });
    else
      io.stdout(
        (await import('./format')).formatLedger(summary) +
          (skipped.length ? `(${skipped.length} unreadable lines skipped)\n` : ''),
      );
    return 0;
  },
};

export const commands: CliCommand[] = [inspect, infer, bench, evaluate, profile, installCuda, experiments];
