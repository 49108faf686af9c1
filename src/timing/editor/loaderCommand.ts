import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../editor/commandIds';
import { loaderSettings, timingSettings } from '../../editor/config';
import type { FeatureServices } from '../../editor/feature';
import { intArg, projectRootOf, resolveInWorkspace } from '../../editor/workspace';
import { pageAssets, webviewOptions } from '../../editor/webviewAssets';
import { CancelledError, UserError } from '../../util/errors';
import type { ResolvedPython } from '../python';
import type { LoaderResult } from '../loader';
import type { LoaderRecord } from '../loaderHistory';
import type { TimingHistoryStore } from './historyStore';

/** Time Data Loader (flowbench.timing.timeLoader): the editor's side of `flowbench loader`. */

export interface LoaderCommandDeps {
  services: FeatureServices;
  store: TimingHistoryStore;
  requireTrust(): void;
  interpreter(args: Record<string, unknown> | undefined, uri: vscode.Uri): Promise<ResolvedPython>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function workersArg(v: unknown): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0))
    throw new UserError(`workers must be a list of num_workers values such as [0, 2, 4], got ${JSON.stringify(v)}`);
  return v as number[];
}

/** Where the loader is: the file and its text (unsaved edits included), and the line or cell that builds it. */
async function loaderTarget(args: Record<string, unknown> | undefined): Promise<{
  file: string;
  text: string;
  line?: number;
  cell?: number;
  name?: string;
}> {
  const fileArg = str(args?.file) ?? (args?.uri instanceof vscode.Uri ? args.uri.fsPath : undefined);
  let file: string;
  let text: string;
  let cursor: number | undefined;
  if (fileArg) {
    file = resolveInWorkspace(fileArg);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    const { readSource } = await import('../timeCell');
    text = open ? open.getText() : readSource(file);
  } else {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'python')
      throw new UserError('open the Python script and put the cursor on its `loader = DataLoader(...)` line');
    file = editor.document.uri.fsPath;
    text = editor.document.getText();
    cursor = editor.selection.active.line;
  }
  const name = str(args?.name);
  const line = intArg(args?.line, 'line');
  const cell = intArg(args?.cell, 'cell');
  if (line !== undefined || cell !== undefined) return { file, text, line, cell, name };
  if (cursor === undefined) throw new UserError('say where the loader is built: a line or a cell');
  // From the cursor: the assignment on its line, else the cell around it, else the script's one loader.
  const { dataLoaderAssignments } = await import('../../python/scanner');
  const { parseCells, cellAtLine } = await import('../../python/cells');
  const sites = dataLoaderAssignments(text);
  const here = sites.find((s) => cursor >= s.line && cursor <= s.endLine);
  if (here) return { file, text, line: here.line + 1, name: name ?? here.name };
  const inCell = cellAtLine(parseCells(text, timingSettings().cellMarkers), cursor);
  const candidates = inCell
    ? sites.filter((s) => s.line > inCell.startLine && s.line <= inCell.endLine)
    : sites.filter((s) => s.topLevel);
  if (candidates.length === 0) {
    if (inCell && name) return { file, text, cell: inCell.index, name };
    throw new UserError(
      `${inCell ? `cell ${inCell.index}` : path.basename(file)} assigns no DataLoader(...) to a name: ` +
        'put the cursor on the line that builds the loader',
    );
  }
  let site = candidates[0];
  if (candidates.length > 1 && !name) {
    const pick = await vscode.window.showQuickPick(
      candidates.map((s) => ({ label: s.name, description: `line ${s.line + 1} · ${s.callee}(…)`, site: s })),
      { title: 'Time which data loader?' },
    );
    if (!pick) throw new CancelledError();
    site = pick.site;
  }
  return { file, text, line: site.line + 1, name: name ?? site.name };
}

/** num_workers values the page offers to sweep: 0, 2, 4, 8 up to the machine's cores (at least 0 and 2). */
export function sweepOffer(cores = os.cpus().length): number[] {
  return [0, 2, 4, 8].filter((w) => w <= Math.max(2, cores));
}

export function timeLoaderCommand(deps: LoaderCommandDeps) {
  const { services, store } = deps;
  const { context, log } = services;
  let panel: vscode.WebviewPanel | undefined;

  async function show(result: LoaderResult, record: LoaderRecord, root: string, again: Record<string, unknown>) {
    const { loaderHtml } = await import('../loaderHtml');
    if (!panel) {
      panel = vscode.window.createWebviewPanel(
        'flowbench.loaderTiming',
        'Flowbench: Loader Timing',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        // No script; links run the loader command alone (with the arguments the page wrote).
        webviewOptions(context.extensionUri, 'loaderTiming', { commandUris: [COMMANDS.timing.timeLoader] }),
      );
      panel.onDidDispose(() => (panel = undefined), null, context.subscriptions);
      context.subscriptions.push(panel);
    }
    const link = (args: Record<string, unknown>) =>
      `command:${COMMANDS.timing.timeLoader}?${encodeURIComponent(JSON.stringify([args]))}`;
    const earlier = (await store.loaderRecords(root)).filter(
      (x) => x.file === record.file && x.name === record.name && x.time !== record.time,
    );
    const workers = sweepOffer();
    panel.title = `Loader: ${result.name}`;
    panel.webview.html = loaderHtml(
      record,
      {
        assets: pageAssets(panel.webview, context.extensionUri, 'loaderTiming'),
        again: link(again),
        sweep: result.target.isDataLoader ? { href: link({ ...again, workers }), workers } : undefined,
        earlier,
      },
      result.carried,
    );
    panel.reveal(undefined, true);
  }

  return async (args?: Record<string, unknown>) => {
    const startedAt = Date.now();
    deps.requireTrust();
    const where = await loaderTarget(args);
    const settings = loaderSettings();
    const timing = timingSettings();
    const python = await deps.interpreter(args, vscode.Uri.file(where.file));
    const workers = workersArg(args?.workers) ?? (settings.workers.length ? settings.workers : undefined);
    const batches = intArg(args?.batches, 'batches') ?? (settings.batches || undefined);
    const budgetArg = args?.timeBudgetSeconds;
    if (budgetArg !== undefined && (typeof budgetArg !== 'number' || budgetArg < 0))
      throw new UserError('timeBudgetSeconds must be a number ≥ 0');
    const timeBudgetSeconds = (budgetArg as number | undefined) ?? (batches ? undefined : settings.timeBudgetSeconds);
    const toDevice = typeof args?.toDevice === 'boolean' ? args.toDevice : settings.toDevice;
    const timeout =
      typeof args?.timeoutSeconds === 'number'
        ? { timeoutSeconds: args.timeoutSeconds }
        : { timeoutSeconds: timing.timeoutSeconds, timeoutVia: 'flowbench.timing.timeoutSeconds' };
    const what = `${where.name ?? 'the loader'} in ${path.basename(where.file)}`;
    log.info(`timing ${what} with ${python.path} (${python.source})${workers ? `, num_workers ${workers}` : ''}`);
    const { timeLoader } = await import('../loader');
    const { CellRaisedError } = await import('../timeCell');
    let result: LoaderResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Flowbench: timing ${what}`, cancellable: true },
        (progress, token) =>
          timeLoader({
            file: where.file,
            text: where.text,
            line: where.line,
            cell: where.cell,
            name: where.name,
            batches,
            timeBudgetSeconds,
            workers,
            toDevice,
            setup: args?.setup === 'none' || args?.setup === 'above' ? args.setup : timing.setup,
            markers: timing.cellMarkers,
            python,
            cancellation: token,
            startedAt,
            ...timeout,
            onProgress: (p) =>
              progress.report({
                message:
                  p.phase === 'loader'
                    ? `${workers && typeof p.workers === 'number' ? `num_workers=${p.workers}: ` : ''}` +
                      `${p.batches ?? 0} batches…`
                    : undefined,
              }),
          }),
      );
    } catch (err) {
      if (err instanceof CellRaisedError)
        log.error(`${err.message}\n${err.traceback}${err.output ? `\n--- output (last part) ---\n${err.output}` : ''}`);
      if (err instanceof CancelledError) log.info(`timing ${what} cancelled; its Python process was stopped`);
      throw err;
    }
    const root = projectRootOf(where.file);
    const { recordLoader, recordLoaderExperiment, loaderLensText } = await import('../loaderHistory');
    const { historyFile } = await import('../history');
    const record = await recordLoader(root, result, (r, rec) => store.append(r, rec));
    if (args?.ledger !== false) await recordLoaderExperiment(root, result);
    const { formatLoader } = await import('../loaderFormat');
    log.info(formatLoader(result).trimEnd());
    const again: Record<string, unknown> = {
      file: where.file,
      ...(result.cell !== null ? { cell: result.cell } : { line: where.line }),
      name: result.name,
      ...(workers ? { workers } : {}),
      ...(batches ? { batches } : {}),
      ...(timeBudgetSeconds !== undefined ? { timeBudgetSeconds } : {}),
    };
    if (args?.show !== false) await show(result, record, root, again);
    if (args?.quiet !== true)
      void vscode.window.showInformationMessage(
        `${result.name}: ${loaderLensText(record).replace(/^\$\(watch\) /, '')}`,
      );
    const { output: _output, ...rest } = result;
    return { ...rest, record, historyFile: historyFile(root) };
  };
}
