import { COMMANDS } from '../../editor/commandIds';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { dataSettings, inferenceSettings } from '../../editor/config';
import { runEngineJob } from '../../editor/engineJobs';
import type { EvalReport } from '../evaluate';
import type { InferReport } from '../infer';
import type { Feature, FeatureServices } from '../../editor/feature';
import { UserError } from '../../util/errors';
import { intArg, resolveInWorkspace, workspaceRoot } from '../../editor/workspace';
import { cudaSourceArg, evalInputs, modelArg, runInputArg, str, strings } from './prompts';
import type { OnnxHost } from '../runtimeHost';
import type { RuntimeOptions } from '../session';
import { OnnxInspectorProvider, ONNX_VIEW_TYPE, ProfileResults } from './onnxEditor';
import { showResults, experimentsPanel } from './webview';
import type { SplitsApi } from '../../splits/api';
import { markWalkthroughStep } from '../../editor/walkthrough';
import { runCommand } from '../../editor/commands';

const UNTRUSTED =
  'this workspace is not trusted, so Flowbench runs no models in it (inspection still works). ' +
  'Trust it (Workspaces: Manage Workspace Trust) to run, benchmark or evaluate.';

function requireTrust(): void {
  if (!vscode.workspace.isTrusted) throw new UserError(UNTRUSTED);
}

/** What the inference commands use of other features: the splits (to find one, or make one, for Evaluate). */
export interface InferenceDeps {
  splits: SplitsApi;
}

export function inferenceFeature(services: FeatureServices, deps: InferenceDeps): Feature {
  const { context, log } = services;
  const hosts = new Set<OnnxHost>();
  // On deactivate (or reload) every onnxruntime child still running is killed; sessions die with it.
  context.subscriptions.push({
    dispose: () => {
      for (const h of hosts) h.dispose();
      hosts.clear();
    },
  });
  const profiles = new ProfileResults();
  context.subscriptions.push(
    profiles,
    vscode.window.registerCustomEditorProvider(
      ONNX_VIEW_TYPE,
      new OnnxInspectorProvider(log, context.extensionUri, profiles),
      {
        supportsMultipleEditorsPerDocument: true,
      },
    ),
  );

  /** Runs `work` under a cancellable progress notification, with the runtime options from the settings. */
  async function withRuntime<T>(
    title: string,
    args: Record<string, unknown> | undefined,
    work: (o: RuntimeOptions) => Promise<T>,
  ): Promise<T> {
    requireTrust();
    const s = inferenceSettings();
    const { parseProviderList } = await import('../providers');
    const providers = parseProviderList(
      strings(args?.providers, 'providers') ?? (s.executionProviders.length ? s.executionProviders : undefined),
    );
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Flowbench: ${title}`, cancellable: true },
      (progress, token) =>
        work({
          providers,
          libraryPath: s.cudaLibraryPath.map(resolveInWorkspace),
          intraOpThreads: s.intraOpThreads || undefined,
          cancellation: token,
          onStderr: (t) => {
            for (const line of t.replace(/\x1b\[[0-9;]*m/g, '').split('\n'))
              if (line.trim()) log.debug(`onnxruntime: ${line.trim()}`);
          },
          onProgress: (message) => progress.report({ message }),
          onHost: (h) => {
            for (const old of hosts) if (!old.alive) hosts.delete(old);
            hosts.add(h);
          },
        }),
    );
  }

  /** An engine job on a worker thread (data work never runs on the extension host's thread), with the runtime
   * options' callbacks relayed as messages. */
  function inWorker<T>(kind: 'eval' | 'infer', o: RuntimeOptions, options: Record<string, unknown>): Promise<T> {
    const { cancellation, onProgress, onStderr, onHost: _onHost, ...plain } = o;
    return runEngineJob<T>(
      { kind, payload: { ...plain, ...options, workers: dataSettings().workers || undefined } },
      {
        cancellation: cancellation as vscode.CancellationToken | undefined,
        onProgress: (message) => onProgress?.(message as string),
        onStderr,
      },
    );
  }

  function logSession(
    what: string,
    s: { provider: string; requested: string[]; failures: { provider: string; reason: string; fix: string }[] },
  ): void {
    log.info(`${what}: ran on ${s.provider} (requested ${s.requested.join(', ')})`);
    for (const f of s.failures) log.warn(`${what}: ${f.provider} did not run: ${f.reason}. Fix: ${f.fix}`);
  }

  const show = (args: Record<string, unknown> | undefined): boolean => args?.show !== false;

  return {
    api: undefined,
    commands: {
      [COMMANDS.onnx.inspect]: async (args) => {
        const model = await modelArg(args);
        if (!model) return undefined;
        const { loadModelFile } = await import('../modelFile');
        const m = await loadModelFile(model);
        if (show(args)) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(model), ONNX_VIEW_TYPE);
        return { model, sha256: m.sha256, ...m.info };
      },

      [COMMANDS.onnx.run]: async (args) => {
        requireTrust();
        const model = await modelArg(args);
        if (!model) return undefined;
        const previewRows = inferenceSettings().previewRows;
        const rows = await runInputArg(args, previewRows, Math.max(inferenceSettings().batchSize, previewRows));
        if (!rows) return undefined;
        const { input } = rows;
        const root = workspaceRoot() ?? path.dirname(model);
        const out = str(args?.out)
          ? resolveInWorkspace(str(args?.out)!)
          : path.join(
              root,
              '.flowbench',
              'predictions',
              `${path.basename(model, '.onnx')}-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`,
            );
        const report = await withRuntime(`running ${path.basename(model)}`, args, (o) =>
          inWorker<InferReport>('infer', o, {
            model,
            input: input ? resolveInWorkspace(input) : undefined,
            split: str(args?.split) ? resolveInWorkspace(str(args?.split)!) : undefined,
            fold: intArg(args?.fold, 'fold'),
            features: strings(args?.features, 'features'),
            target: str(args?.target),
            batch: intArg(args?.batch, 'batch') ?? rows.batch ?? inferenceSettings().batchSize,
            out,
          }),
        );
        logSession('run', report.session);
        if (show(args)) {
          // Class names instead of label indices, when the model carries them.
          const { loadModel } = await import('../session');
          const { withClassNames } = await import('../predictions');
          const named = { ...report, table: withClassNames(report.table, (await loadModel(model)).info) };
          showResults(
            context,
            `Predictions: ${path.basename(model)}`,
            (await import('../html')).inferBody(named, inferenceSettings().previewRows, workspaceRoot()),
          );
        }
        const preview = inferenceSettings().previewRows;
        const { table, ...rest } = report;
        return { ...rest, columns: table.columns, preview: table.values.map((c) => c.slice(0, preview)) };
      },

      [COMMANDS.onnx.bench]: async (args) => {
        requireTrust();
        const model = await modelArg(args);
        if (!model) return undefined;
        const s = inferenceSettings();
        const { runBench } = await import('../bench');
        const budget = args?.timeBudgetSeconds ?? (s.benchTimeBudgetSeconds || undefined);
        if (budget !== undefined && (typeof budget !== 'number' || budget <= 0))
          throw new UserError('timeBudgetSeconds must be a positive number');
        const report = await withRuntime(`benchmarking ${path.basename(model)}`, args, (o) =>
          runBench({
            ...o,
            model,
            runs: intArg(args?.runs, 'runs') ?? s.benchRuns,
            warmup: intArg(args?.warmup, 'warmup') ?? s.benchWarmup,
            batch: intArg(args?.batch, 'batch') ?? s.batchSize,
            timeBudgetS: budget as number | undefined,
            ledgerRoot: args?.ledger === false ? false : (workspaceRoot() ?? path.dirname(model)),
          }),
        );
        for (const r of report.results)
          if (!r.ok) log.warn(`bench: ${r.provider} did not run: ${r.failure.reason}. Fix: ${r.failure.fix}`);
        if (show(args))
          showResults(
            context,
            `Benchmark: ${path.basename(model)}`,
            (await import('../html')).benchBody(report, workspaceRoot()),
          );
        experimentsPanel.refresh();
        return report;
      },

      [COMMANDS.onnx.eval]: async (args) => {
        requireTrust();
        const model = await modelArg(args);
        if (!model) return undefined;
        const inputs = await evalInputs(args, model, deps.splits);
        if (!inputs) return undefined;
        const { data, split, target } = inputs;
        const report = await withRuntime(`evaluating ${path.basename(model)}`, args, (o) =>
          inWorker<EvalReport>('eval', o, {
            model,
            data: resolveInWorkspace(data),
            split: resolveInWorkspace(split),
            fold: intArg(args?.fold, 'fold'),
            target,
            features: strings(args?.features, 'features'),
            ledgerRoot: args?.ledger === false ? false : (workspaceRoot() ?? path.dirname(model)),
          }),
        );
        logSession('eval', report.session);
        if (inputs.trainedOn) {
          const { trainOverlapWarning } = await import('../evalChoices');
          const w = await trainOverlapWarning(inputs.trainedOn, split, report.split.fold ?? undefined, model);
          if (w) report.warnings.push(w);
        }
        for (const w of report.warnings) log.warn(`eval: ${w}`);
        markWalkthroughStep('evaluate');
        if (show(args)) {
          showResults(
            context,
            `Evaluation: ${path.basename(model)}`,
            (await import('../html')).evalBody(report, workspaceRoot()),
          );
          void vscode.window
            .showInformationMessage(
              `Flowbench: ${path.basename(model)} evaluated on ${report.split.valid} validation rows; ` +
                'recorded in the experiments.',
              'Show Experiments',
            )
            .then((c) => (c ? runCommand(COMMANDS.onnx.showExperiments) : undefined));
        }
        experimentsPanel.refresh();
        return report;
      },

      [COMMANDS.onnx.profile]: async (args) => {
        requireTrust();
        const model = await modelArg(args);
        if (!model) return undefined;
        const level = args?.optimization ?? 'all';
        if (level !== 'all' && level !== 'extended' && level !== 'basic' && level !== 'disabled')
          throw new UserError(`optimization must be all, extended, basic or disabled, got ${JSON.stringify(level)}`);
        const { runProfile } = await import('../profile');
        const report = await withRuntime(`profiling ${path.basename(model)}`, args, (o) =>
          runProfile({
            ...o,
            model,
            batch: intArg(args?.batch, 'batch') ?? inferenceSettings().batchSize,
            runs: intArg(args?.runs, 'runs'),
            warmup: intArg(args?.warmup, 'warmup'),
            optimization: level,
            keepTrace: args?.keepTrace === true,
            ledgerRoot: args?.ledger === false ? false : (workspaceRoot() ?? path.dirname(model)),
          }),
        );
        logSession('profile', report.session);
        const top = report.nodes[0];
        log.info(
          `profile ${path.basename(model)}: run ${report.run.meanMs.toFixed(3)} ms, nodes ` +
            `${(report.coverage * 100).toFixed(1)}% of it` +
            (top ? `; top ${top.name} (${top.op}) ${top.meanMs.toFixed(3)} ms` : ''),
        );
        profiles.set(model, report);
        // The times show in the inspector, beside its node and op tables (an open one re-renders on the event).
        if (show(args)) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(model), ONNX_VIEW_TYPE);
        experimentsPanel.refresh();
        return report;
      },

      [COMMANDS.onnx.installCuda]: async (args) => {
        requireTrust();
        const { installCudaProviders, officialPackageUrl, defaultRuntimeDir } = await import('../installCuda');
        const from = await cudaSourceArg(args, () => officialPackageUrl(defaultRuntimeDir().version));
        if (!from || 'url' in from) return from;
        const { source } = from;
        const result = await installCudaProviders(/^https?:/i.test(source) ? source : resolveInWorkspace(source), {
          runtimeDir: str(args?.runtimeDir),
          force: args?.force === true,
        });
        log.info(
          `installCuda: ${result.copied.map((c) => c.file).join(', ')} → ${result.runtimeDir} ` +
            `(version ${result.version.status}: ${result.version.evidence})`,
        );
        if (show(args))
          void vscode.window.showInformationMessage(
            `Flowbench: CUDA provider libraries installed for onnxruntime ${result.runtimeVersion} (version check: ` +
              `${result.version.status}). The next run tries CUDA first.`,
          );
        return result;
      },

      [COMMANDS.onnx.showExperiments]: async (args) => {
        const root = str(args?.root) ? resolveInWorkspace(str(args?.root)!) : workspaceRoot();
        if (!root) throw new UserError('open a workspace folder to see its experiments');
        (await import('../../util/inputs')).checkInputPath(root, { folder: true, what: 'the experiments folder' });
        const { readLedger, summarizeLedger } = await import('../ledger');
        const { records, skipped } = await readLedger(root);
        const summary = summarizeLedger(records);
        if (show(args)) await experimentsPanel.show(context, root);
        return { ...summary, skippedLines: skipped };
      },
    },
  };
}
