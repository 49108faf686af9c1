import { COMMANDS } from '../editor/commandIds';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { inferenceSettings } from '../editor/config';
import type { Feature, FeatureServices } from '../editor/feature';
import { UserError, type Cancellation } from '../util/errors';
import { intArg, resolveInWorkspace, workspaceRoot } from '../editor/workspace';
import type { OnnxHost } from './runtimeHost';
import type { RuntimeOptions } from './session';
import { OnnxInspectorProvider, ONNX_VIEW_TYPE } from './onnxEditor';
import { showResults, experimentsPanel } from './webview';

const UNTRUSTED = 'this workspace is not trusted, so Flowbench runs no models in it (inspection still works). Trust it (Workspaces: Manage Workspace Trust) to run, benchmark or evaluate.';

function requireTrust(): void {
  if (!vscode.workspace.isTrusted) throw new UserError(UNTRUSTED);
}

function str(v: unknown): string | undefined {
  if (v instanceof vscode.Uri) return v.fsPath;
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function strings(v: unknown, name: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new UserError(`${name} must be a list of names`);
}

async function pickFile(glob: string, placeHolder: string, extra: vscode.QuickPickItem[] = []): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.venv,out,dist}/**', 500);
  const items = [...extra, ...files.map((u) => ({ label: vscode.workspace.asRelativePath(u), description: '', uri: u }))];
  if (items.length === 0) throw new UserError(`no ${glob} file in the workspace`);
  const picked = await vscode.window.showQuickPick(items, { placeHolder });
  if (!picked) return undefined;
  return 'uri' in picked ? (picked.uri as vscode.Uri).fsPath : picked.label;
}

/** The model: args.model/uri, else the .onnx open in the active tab, else a pick among the workspace's .onnx files. */
async function modelArg(args: Record<string, unknown> | undefined): Promise<string | undefined> {
  const given = str(args?.model) ?? str(args?.uri);
  if (given) return resolveInWorkspace(given);
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputCustom && tab.uri.fsPath.endsWith('.onnx')) return tab.uri.fsPath;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.fileName.endsWith('.onnx')) return doc.fileName;
  return pickFile('**/*.onnx', 'ONNX model to use');
}

export function inferenceFeature(services: FeatureServices): Feature {
  const { context, log } = services;
  const hosts = new Set<OnnxHost>();
  // On deactivate (or reload) every onnxruntime child still running is killed; sessions die with it.
  context.subscriptions.push({ dispose: () => { for (const h of hosts) h.dispose(); hosts.clear(); } });
  context.subscriptions.push(vscode.window.registerCustomEditorProvider(ONNX_VIEW_TYPE, new OnnxInspectorProvider(log), {
    supportsMultipleEditorsPerDocument: true,
  }));

  /** Runs `work` under a cancellable progress notification, with the runtime options from the settings. */
  async function withRuntime<T>(title: string, args: Record<string, unknown> | undefined, work: (o: RuntimeOptions) => Promise<T>): Promise<T> {
    requireTrust();
    const s = inferenceSettings();
    const { parseProviderList } = await import('./providers');
    const providers = parseProviderList(strings(args?.providers, 'providers') ?? (s.executionProviders.length ? s.executionProviders : undefined));
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Flowbench: ${title}`, cancellable: true }, (progress, token) =>
      work({
        providers,
        libraryPath: s.cudaLibraryPath.map(resolveInWorkspace),
        intraOpThreads: s.intraOpThreads || undefined,
        cancellation: token,
        onStderr: (t) => { for (const line of t.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) if (line.trim()) log.debug(`onnxruntime: ${line.trim()}`); },
        onProgress: (message) => progress.report({ message }),
        onHost: (h) => {
          for (const old of hosts) if (!old.alive) hosts.delete(old);
          hosts.add(h);
        },
      }));
  }

  function logSession(what: string, s: { provider: string; requested: string[]; failures: { provider: string; reason: string; fix: string }[] }): void {
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
        const { loadModel } = await import('./session');
        const m = await loadModel(model);
        if (show(args)) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(model), ONNX_VIEW_TYPE);
        return { model, sha256: m.sha256, ...m.info };
      },

      [COMMANDS.onnx.run]: async (args) => {
        requireTrust();
        const model = await modelArg(args);
        if (!model) return undefined;
        let input = str(args?.input);
        if (!input && args?.input === undefined && args?.random !== true) {
          const random = { label: '$(symbol-numeric) Random inputs', description: 'shapes from the model, batch from flowbench.inference.batchSize' };
          const picked = await pickFile('**/*.{csv,tsv}', 'Rows to run the model on', [random]);
          if (picked === undefined) return undefined;
          if (picked !== random.label) input = picked;
        }
        const root = workspaceRoot() ?? path.dirname(model);
        const out = str(args?.out) ? resolveInWorkspace(str(args?.out)!) : path.join(root, '.flowbench', 'predictions', `${path.basename(model, '.onnx')}-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`);
        const { runInference } = await import('./infer');
        const report = await withRuntime(`running ${path.basename(model)}`, args, (o) => runInference({
          ...o, model, input: input ? resolveInWorkspace(input) : undefined, split: str(args?.split) ? resolveInWorkspace(str(args?.split)!) : undefined,
          fold: intArg(args?.fold, 'fold'), features: strings(args?.features, 'features'), target: str(args?.target),
          batch: intArg(args?.batch, 'batch') ?? inferenceSettings().batchSize, out,
        }));
        logSession('run', report.session);
        if (show(args)) showResults(context, `Predictions: ${path.basename(model)}`, (await import('./html')).inferBody(report, inferenceSettings().previewRows));
        const preview = inferenceSettings().previewRows;
        const { table, ...rest } = report;
        return { ...rest, columns: table.columns, preview: table.values.map((c) => c.slice(0, preview)) };
      },

      [COMMANDS.onnx.bench]: async (args) => {
        requireTrust();
        const model = await modelArg(args);
        if (!model) return undefined;
        const s = inferenceSettings();
        const { runBench } = await import('./bench');
        const budget = args?.timeBudgetSeconds ?? (s.benchTimeBudgetSeconds || undefined);
        if (budget !== undefined && (typeof budget !== 'number' || budget <= 0)) throw new UserError('timeBudgetSeconds must be a positive number');
        const report = await withRuntime(`benchmarking ${path.basename(model)}`, args, (o) => runBench({
          ...o, model, runs: intArg(args?.runs, 'runs') ?? s.benchRuns, warmup: intArg(args?.warmup, 'warmup') ?? s.benchWarmup,
          batch: intArg(args?.batch, 'batch') ?? s.batchSize, timeBudgetS: budget as number | undefined,
          ledgerRoot: args?.ledger === false ? false : workspaceRoot() ?? path.dirname(model),
        }));
        for (const r of report.results) if (!r.ok) log.warn(`bench: ${r.provider} did not run: ${r.failure.reason}. Fix: ${r.failure.fix}`);
        if (show(args)) showResults(context, `Benchmark: ${path.basename(model)}`, (await import('./html')).benchBody(report));
        experimentsPanel.refresh();
        return report;
      },

      [COMMANDS.onnx.eval]: async (args) => {
        requireTrust();
        const model = await modelArg(args);
        if (!model) return undefined;
        const { splitManifestHints } = await import('../data/splitFile');
        const givenSplit = str(args?.split);
        // A split made by Flowbench names its data file and target in FOLDS.csv.json: no need to ask for them.
        const hints = givenSplit ? splitManifestHints(resolveInWorkspace(givenSplit)) : {};
        const data = str(args?.data) ?? hints.dataFile ?? await pickFile('**/*.{csv,tsv}', 'Data (CSV) to evaluate on');
        if (!data) return undefined;
        const split = givenSplit ?? await pickFile('**/*.{csv,tsv}', 'Split file (FOLDS.csv from Flowbench: Create Split)');
        if (!split) return undefined;
        let target = str(args?.target) ?? hints.target ?? splitManifestHints(resolveInWorkspace(split)).target;
        if (!target) {
          const { readCsvHeader } = await import('../data/csv');
          const header = await readCsvHeader(resolveInWorkspace(data));
          target = await vscode.window.showQuickPick(header.columns, { placeHolder: 'Target column' });
          if (!target) return undefined;
        }
        const { runEval } = await import('./evaluate');
        const report = await withRuntime(`evaluating ${path.basename(model)}`, args, (o) => runEval({
          ...o, model, data: resolveInWorkspace(data), split: resolveInWorkspace(split), fold: intArg(args?.fold, 'fold'), target: target!,
          features: strings(args?.features, 'features'), ledgerRoot: args?.ledger === false ? false : workspaceRoot() ?? path.dirname(model),
        }));
        logSession('eval', report.session);
        for (const w of report.warnings) log.warn(`eval: ${w}`);
        if (show(args)) showResults(context, `Evaluation: ${path.basename(model)}`, (await import('./html')).evalBody(report));
        experimentsPanel.refresh();
        return report;
      },

      [COMMANDS.onnx.installCuda]: async (args) => {
        requireTrust();
        const { installCudaProviders, officialPackageUrl, defaultRuntimeDir } = await import('./installCuda');
        let source = str(args?.source);
        if (!source) {
          const choice = await vscode.window.showQuickPick([
            { label: 'Folder…', id: 'folder', description: 'extracted package holding libonnxruntime_providers_cuda.so' },
            { label: 'Archive…', id: 'file', description: '.tgz, .tar.gz, .nupkg or .zip' },
            { label: 'Official package (download it yourself)', id: 'url', description: 'NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux' },
          ], { placeHolder: 'Where are the CUDA provider libraries?' });
          if (!choice) return undefined;
          if (choice.id === 'url') {
            const url = officialPackageUrl(defaultRuntimeDir().version);
            const copy = await vscode.window.showInformationMessage(`Flowbench downloads nothing by itself. Download ${url}, then run this command again and choose "Archive…".`, 'Copy URL');
            if (copy) await vscode.env.clipboard.writeText(url);
            return { url };
          }
          const picked = await vscode.window.showOpenDialog({
            canSelectFiles: choice.id === 'file', canSelectFolders: choice.id === 'folder', canSelectMany: false,
            filters: choice.id === 'file' ? { Archives: ['tgz', 'gz', 'tar', 'nupkg', 'zip'] } : undefined,
          });
          if (!picked?.[0]) return undefined;
          source = picked[0].fsPath;
        }
        const result = await installCudaProviders(/^https?:/i.test(source) ? source : resolveInWorkspace(source), {
          runtimeDir: str(args?.runtimeDir), force: args?.force === true,
        });
        log.info(`installCuda: ${result.copied.map((c) => c.file).join(', ')} → ${result.runtimeDir} (version ${result.version.status}: ${result.version.evidence})`);
        if (show(args)) void vscode.window.showInformationMessage(`Flowbench: CUDA provider libraries installed for onnxruntime ${result.runtimeVersion} (version check: ${result.version.status}). The next run tries CUDA first.`);
        return result;
      },

      [COMMANDS.onnx.showExperiments]: async (args) => {
        const root = str(args?.root) ? resolveInWorkspace(str(args?.root)!) : workspaceRoot();
        if (!root) throw new UserError('open a workspace folder to see its experiments');
        const { readLedger, summarizeLedger } = await import('./ledger');
        const { records, skipped } = await readLedger(root);
        const summary = summarizeLedger(records);
        if (show(args)) await experimentsPanel.show(context, root);
        return { ...summary, skippedLines: skipped };
      },
    },
  };
}
