import { COMMANDS } from '../../editor/commandIds';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { timingSettings } from '../../editor/config';
import type { Feature, FeatureServices } from '../../editor/feature';
import { CancelledError, UserError } from '../../util/errors';
import { intArg, projectRootOf, resolveInWorkspace } from '../../editor/workspace';
import { pageAssets, webviewOptions } from '../../editor/webviewAssets';
import type { PercentCell } from '../../python/cells';
import type { HarnessProgress } from '../runner';
import type { TimeCellResult, CompareResult } from '../timeCell';
import type { TimingRecord } from '../history';
import { formatCellDuration, jupyterKernel, keepNotebookDurations, kernelTimingRecord, timeInKernel } from './notebook';
import { TimingHistoryStore } from './historyStore';
import type { TimingsApi } from '../api';
import { portablePath } from '../../util/flowbenchDir';
import { pythonExtensionInterpreter } from './interpreter';
import { KeptDurationStatusBar } from './notebookStatusBar';
import { timeLoaderCommand } from './loaderCommand';
import { markWalkthroughStep } from '../../editor/walkthrough';
import * as fs from 'node:fs';

const UNTRUSTED =
  'this workspace is not trusted, so Flowbench runs no Python in it. Trust it (Workspaces: Manage Workspace Trust) ' +
  'to time cells.';

function requireTrust(): void {
  if (!vscode.workspace.isTrusted) throw new UserError(UNTRUSTED);
}

interface Target {
  file: string;
  text: string;
  uri: vscode.Uri;
  cells: PercentCell[];
  cell: PercentCell;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The file's text as the editor has it (unsaved edits included) and the cell asked for or under the cursor. */
async function target(args: Record<string, unknown> | undefined, cellArg: unknown): Promise<Target> {
  const { parseCells, cellAtLine } = await import('../../python/cells');
  const markers = timingSettings().cellMarkers;
  let file: string;
  let text: string;
  let cursorLine: number | undefined;
  const fileArg = str(args?.file) ?? (args?.uri instanceof vscode.Uri ? args.uri.fsPath : undefined);
  if (fileArg) {
    file = resolveInWorkspace(fileArg);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (open) {
      text = open.getText();
    } else {
      const { readSource } = await import('../timeCell');
      text = readSource(file);
    }
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.uri.fsPath === file) cursorLine = editor.selection.active.line;
  } else {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'python') {
      throw new UserError("open a Python file with '# %%' cells and put the cursor in the cell to time");
    }
    file = editor.document.uri.fsPath;
    text = editor.document.getText();
    cursorLine = editor.selection.active.line;
  }
  const cells = parseCells(text, markers);
  const { pickCell, pickCellByNumber } = await import('../timeCell');
  // `cell` is the number users see (code cells from 1), as the lenses pass it.
  const number = intArg(cellArg, 'cell');
  let index = number !== undefined ? pickCellByNumber(cells, number, file).index : undefined;
  const lineArg = intArg(args?.line, 'line');
  if (index === undefined && lineArg !== undefined) index = cellAtLine(cells, lineArg - 1)?.index;
  if (index === undefined && cursorLine !== undefined) index = cellAtLine(cells, cursorLine)?.index;
  if (index === undefined) {
    throw new UserError(
      cells.length === 0
        ? `${path.basename(file)} has no '# %%' cells`
        : "the cursor is not inside a '# %%' cell (the lines above the first marker are not a cell)",
    );
  }
  return { file, text, uri: vscode.Uri.file(file), cells, cell: pickCell(cells, index, file) };
}

async function interpreter(args: Record<string, unknown> | undefined, uri: vscode.Uri, services: FeatureServices) {
  const { resolvePython } = await import('../python');
  const explicit = str(args?.python);
  const fromExtension = explicit ? undefined : await pythonExtensionInterpreter(uri, services.log);
  return resolvePython([
    { path: explicit, source: 'explicit', via: 'the command arguments' },
    { path: fromExtension, source: 'python-extension', via: 'the Python extension' },
    { path: timingSettings().pythonPath, source: 'setting', via: 'flowbench.timing.pythonPath' },
  ]);
}

function progressText(
  p: HarnessProgress,
  previous: TimingRecord | undefined,
  formatTime: (s: number) => string,
): string {
  const last = previous ? ` (last timing: ${formatTime(previous.mean)} per loop)` : '';
  switch (p.phase) {
    case 'calibrate':
      return p.loops === 1 ? `first run…${last}` : `calibrating: ${p.loops?.toLocaleString('en-US')} loops…`;
    case 'cold':
      return `first run…${last}`;
    case 'runs':
      return (
        `${p.runs} runs of ${p.loops?.toLocaleString('en-US') ?? '?'} ` +
        `loops${p.etaSeconds !== undefined ? `, about ${formatTime(p.etaSeconds)}` : ''}…`
      );
    case 'run':
      return `run ${p.run} of ${p.runs}…`;
    case 'loader':
      return `${typeof p.workers === 'number' ? `num_workers=${p.workers}: ` : ''}${p.batches ?? 0} batches…`;
  }
}

/** The command's own timeoutSeconds argument, else the setting (named in the timeout's message). */
function timeoutOf(args: Record<string, unknown> | undefined, settings: { timeoutSeconds: number }) {
  if (typeof args?.timeoutSeconds === 'number') return { timeoutSeconds: args.timeoutSeconds };
  return { timeoutSeconds: settings.timeoutSeconds, timeoutVia: 'flowbench.timing.timeoutSeconds' };
}

export function timingFeature(services: FeatureServices): Feature<TimingsApi> {
  const { context, log } = services;
  const store = new TimingHistoryStore();
  context.subscriptions.push(store, keepNotebookDurations(store, log), new KeptDurationStatusBar(store));
  let historyPanel: vscode.WebviewPanel | undefined;
  /** Cells being timed now (file + cell index) and what their progress says: the lens shows it meanwhile. */
  const running = new Map<string, string>();
  const runningChanged = new vscode.EventEmitter<void>();
  context.subscriptions.push(runningChanged);
  const runKey = (file: string, index: number) => `${path.resolve(file)}\u0000${index}`;
  const setRunning = (file: string, index: number, text: string | undefined) => {
    const k = runKey(file, index);
    if (text === undefined ? !running.delete(k) : running.get(k) === text) return;
    if (text !== undefined) running.set(k, text);
    runningChanged.fire();
  };

  async function lastTiming(root: string, t: Target): Promise<TimingRecord | undefined> {
    const { summarizeCell } = await import('../history');
    try {
      const records = await store.records(root);
      return summarizeCell(records, { file: portablePath(root, t.file), hash: t.cell.hash, cell: t.cell.index })?.last;
    } catch {
      return undefined;
    }
  }

  const timeCell = async (args?: Record<string, unknown>) => {
    const startedAt = Date.now();
    requireTrust();
    const t = await target(args, args?.cell);
    const settings = timingSettings();
    const python = await interpreter(args, t.uri, services);
    const root = projectRootOf(t.file);
    const previous = await lastTiming(root, t);
    const { timeCell: run, CellRaisedError } = await import('../timeCell');
    const { formatTime } = await import('../format');
    const setup = args?.setup === 'none' || args?.setup === 'above' ? args.setup : settings.setup;
    const name = `cell ${t.cell.number} (line ${t.cell.startLine + 1})`;
    log.info(`timing ${path.basename(t.file)} ${name} with ${python.path} (${python.source}), setup ${setup}`);
    let result: TimeCellResult;
    setRunning(t.file, t.cell.index, 'starting');
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Flowbench: timing ${name}`, cancellable: true },
        (progress, token) =>
          run({
            file: t.file,
            text: t.text,
            cell: t.cell.index,
            setup,
            runs: intArg(args?.runs, 'runs') ?? settings.runs,
            loops: intArg(args?.loops, 'loops') ?? settings.loops,
            timeCapSeconds: typeof args?.timeCapSeconds === 'number' ? args.timeCapSeconds : settings.timeCapSeconds,
            ...timeoutOf(args, settings),
            precision: settings.precision,
            markers: settings.cellMarkers,
            python,
            cancellation: token,
            startedAt,
            onProgress: (p) => {
              const text = progressText(p, previous, (s) => formatTime(s));
              setRunning(t.file, t.cell.index, text.replace(/ \(last timing:.*\)/, ''));
              progress.report({ message: text });
            },
          }),
      );
    } catch (err) {
      if (err instanceof CellRaisedError) {
        log.error(
          `${err.message}\n${err.traceback}${err.output ? `\n--- cell output (last part) ---\n${err.output}` : ''}`,
        );
      }
      if (err instanceof CancelledError) log.info(`timing ${name} cancelled; its Python process was stopped`);
      throw err;
    } finally {
      setRunning(t.file, t.cell.index, undefined);
    }
    const { recordTiming, historyFile } = await import('../history');
    const record = await recordTiming(root, result, (r, rec) => store.append(r, rec));
    markWalkthroughStep('timeCell');
    const first = result.capped ? 'single run (time cap)' : `first run ${formatTime(result.firstRun)}`;
    log.info(
      `${path.basename(t.file)} ${name}: ${result.warning ? result.warning + ' ' : ''}${result.line}; ${first}; ` +
        `overhead ${result.overheadMs?.toFixed(0)} ms`,
    );
    if (args?.quiet !== true) {
      const warn = result.warning ? ` ${result.warning}` : '';
      void vscode.window.showInformationMessage(`${name}: ${result.line} · ${first}.${warn}`);
    }
    return { ...result, record, historyFile: historyFile(root) };
  };

  const timeNotebookCell = async (args?: Record<string, unknown>) => {
    const uriArg =
      args?.notebook instanceof vscode.Uri
        ? args.notebook
        : str(args?.notebook)
          ? vscode.Uri.file(resolveInWorkspace(str(args?.notebook)!))
          : undefined;
    const editor = vscode.window.activeNotebookEditor;
    const notebook = uriArg
      ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uriArg.toString())
      : editor?.notebook;
    if (!notebook) throw new UserError('open a notebook and select the cell to time');
    const index = intArg(args?.cell, 'cell') ?? (editor?.notebook === notebook ? editor.selection.start : undefined);
    if (index === undefined || index < 0 || index >= notebook.cellCount)
      throw new UserError(`no cell ${index ?? ''} in this notebook`);
    const cell = notebook.cellAt(index);
    if (cell.kind !== vscode.NotebookCellKind.Code) throw new UserError(`cell ${index} is not a code cell`);
    const settings = timingSettings();
    const kernel = vscode.workspace.isTrusted ? await jupyterKernel(notebook.uri, log) : undefined;
    if (kernel) {
      const r = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Flowbench: %timeit of notebook cell ${index} in its kernel`,
          cancellable: true,
        },
        (_p, token) => timeInKernel(kernel, cell.document.getText(), settings, token),
      );
      const root = projectRootOf(notebook.uri.fsPath);
      await store.append(root, kernelTimingRecord(root, notebook.uri.fsPath, index, cell.document.getText(), r));
      if (args?.quiet !== true) void vscode.window.showInformationMessage(`Notebook cell ${index}: ${r.line}`);
      return { source: 'kernel', cell: index, ...r };
    }
    // Without a kernel we can reach: the duration VS Code recorded when the cell last ran (kept across reloads).
    const timing = cell.executionSummary?.timing;
    if (!timing) {
      throw new UserError(
        `notebook cell ${index} has not run yet in this session. Run it: its duration is shown and kept. ` +
          (vscode.extensions.getExtension('ms-toolsai.jupyter')
            ? '(%timeit in the kernel needs a started kernel.)'
            : '(Install the Jupyter extension to run %timeit in the kernel.)'),
      );
    }
    const ms = timing.endTime - timing.startTime;
    const text =
      `Notebook cell ${index} last ran in ${formatCellDuration(ms)} (VS Code's cell duration, ` +
      `client-side; includes overhead)`;
    if (args?.quiet !== true) void vscode.window.showInformationMessage(text);
    return {
      source: 'executionSummary',
      cell: index,
      durationMs: ms,
      startTime: timing.startTime,
      endTime: timing.endTime,
      text,
    };
  };

  const showHistory = async (args?: Record<string, unknown>) => {
    const { readHistory, overview } = await import('../history');
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const fileArg = str(args?.file);
    const filterKey = fileArg ? resolveInWorkspace(fileArg) : undefined;
    const all: TimingRecord[] = [];
    let skipped = 0;
    for (const root of roots) {
      const h = await readHistory(root);
      skipped += h.skipped.length;
      for (const r of h.records) if (!filterKey || path.resolve(root, r.file) === filterKey) all.push(r);
    }
    // Paired as the lenses pair them: against each file's cells as they are now (the editor's text when open).
    const { parseCells } = await import('../../python/cells');
    const { readSource } = await import('../timeCell');
    const markers = timingSettings().cellMarkers;
    const current = (file: string) => {
      const abs = roots.map((r) => path.resolve(r, file)).find((f) => fs.existsSync(f));
      if (!abs) return undefined;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === abs);
      try {
        const text = open ? open.getText() : readSource(abs);
        return parseCells(text, markers)
          .filter((c) => c.kind === 'code')
          .map((c) => ({ file, hash: c.hash, cell: c.index, number: c.number, title: c.title }));
      } catch {
        return undefined;
      }
    };
    const cells = overview(all, current);
    const summary = cells.map((c) => ({
      file: c.file,
      cell: c.number,
      hash: c.hash,
      title: c.title,
      count: c.count,
      last: c.last.line,
      change: c.changeText ?? null,
      gone: c.gone,
      means: c.means,
    }));
    if (args?.quiet === true) return { cells: summary, skipped };
    const { historyHtml } = await import('../historyHtml');
    if (!historyPanel) {
      historyPanel = vscode.window.createWebviewPanel(
        'flowbench.timingHistory',
        'Flowbench: Timing History',
        vscode.ViewColumn.Beside,
        webviewOptions(context.extensionUri, 'timingHistory'),
      );
      historyPanel.onDidDispose(() => (historyPanel = undefined), null, context.subscriptions);
      context.subscriptions.push(historyPanel);
    }
    historyPanel.webview.html = historyHtml(
      cells,
      pageAssets(historyPanel.webview, context.extensionUri, 'timingHistory'),
      skipped,
    );
    historyPanel.reveal(undefined, true);
    return { cells: summary, skipped };
  };

  const compare = async (args?: Record<string, unknown>): Promise<CompareResult | undefined> => {
    requireTrust();
    const a = intArg(args?.a, 'a');
    const b = intArg(args?.b, 'b');
    const t = await target(args, a ?? args?.cell);
    let ai = t.cell.index;
    let bi: number;
    const { pickCellByNumber } = await import('../timeCell');
    if (a !== undefined) ai = pickCellByNumber(t.cells, a, t.file).index;
    const aCell = t.cells[ai];
    if (b !== undefined) bi = pickCellByNumber(t.cells, b, t.file).index;
    else {
      const { hasCode } = await import('../../python/cells');
      const picks = t.cells
        .filter((c) => c.kind === 'code' && c.index !== ai && hasCode(c.source))
        .map((c) => ({
          label: `cell ${c.number}`,
          description: `line ${c.startLine + 1}${c.title ? ` · ${c.title}` : ''}`,
          detail: c.source.trim().split('\n')[0],
          index: c.index,
        }));
      if (picks.length === 0) throw new UserError(`${path.basename(t.file)} has no other code cell to compare with`);
      // The cell right after A first: the usual A/B is two versions of the same step written one after the other.
      picks.sort((x, y) => Number(x.index < ai) - Number(y.index < ai) || x.index - y.index);
      const pick =
        picks.length === 1
          ? picks[0]
          : await vscode.window.showQuickPick(picks, {
              title: `Compare cell ${aCell.number} (A) with… (B)`,
              placeHolder: 'the cell to time against A, in the same process, runs interleaved',
              ignoreFocusOut: true,
            });
      if (!pick) return undefined;
      bi = pick.index;
    }
    const settings = timingSettings();
    const python = await interpreter(args, t.uri, services);
    const { compareCells } = await import('../timeCell');
    const r = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Flowbench: A/B timing of cells ${aCell.number} and ${t.cells[bi].number}`,
        cancellable: true,
      },
      (progress, token) =>
        compareCells({
          file: t.file,
          text: t.text,
          a: ai,
          b: bi,
          setup: args?.setup === 'none' || args?.setup === 'above' ? args.setup : settings.setup,
          runs: intArg(args?.runs, 'runs') ?? settings.runs,
          loops: intArg(args?.loops, 'loops') ?? settings.loops,
          precision: settings.precision,
          markers: settings.cellMarkers,
          ...timeoutOf(args, settings),
          python,
          cancellation: token,
          onProgress: (p) =>
            progress.report({
              message:
                p.phase === 'run'
                  ? `pair ${p.run} of ${p.runs}…`
                  : p.phase === 'calibrate'
                    ? `calibrating ${p.cell}: ${p.loops} loops…`
                    : undefined,
            }),
        }),
    );
    log.info(`A/B ${path.basename(t.file)}: A ${r.a.line} | B ${r.b.line} | ${r.summary}`);
    if (args?.quiet !== true)
      void vscode.window.showInformationMessage(
        `Flowbench A/B: ${r.summary}. A (cell ${r.a.cellNumber}): ${r.a.line}; B (cell ${r.b.cellNumber}): ${r.b.line}`,
      );
    return r;
  };

  const api: TimingsApi = {
    cellTimings: async (file) => {
      const { summarizeCell } = await import('../history');
      const root = projectRootOf(file);
      const key = portablePath(root, file);
      // This file's timings only: a long history of many files is filtered once per refresh, not once per cell.
      const records = (await store.records(root)).filter((r) => r.file === key);
      return (cell) => {
        const now = running.get(runKey(file, cell.index));
        if (now !== undefined)
          return { text: `$(sync~spin) Timing… ${now}`, tooltip: 'Flowbench is timing this cell', running: true };
        const summary = summarizeCell(records, { file: key, hash: cell.hash, cell: cell.index });
        return summary ? { text: summary.lensText, tooltip: summary.tooltip } : undefined;
      };
    },
    loaderTimings: async (file) => {
      const { summarizeLoader } = await import('../loaderHistory');
      const root = projectRootOf(file);
      const key = portablePath(root, file);
      const records = (await store.loaderRecords(root)).filter((r) => r.file === key);
      return (loader) => {
        const summary = summarizeLoader(records, { file: key, name: loader.name, hash: loader.hash });
        return summary ? { text: summary.lensText, tooltip: summary.tooltip } : undefined;
      };
    },
    onDidChange: (listener) => {
      const a = store.onDidChange(listener);
      const b = runningChanged.event(listener);
      return { dispose: () => (a.dispose(), b.dispose()) };
    },
  };

  return {
    api,
    commands: {
      [COMMANDS.timing.timeCell]: timeCell,
      [COMMANDS.timing.timeNotebookCell]: timeNotebookCell,
      [COMMANDS.timing.showHistory]: showHistory,
      [COMMANDS.timing.compare]: compare,
      [COMMANDS.timing.timeLoader]: timeLoaderCommand({
        services,
        store,
        requireTrust,
        interpreter: (args, uri) => interpreter(args, uri, services),
      }),
    },
  };
}
