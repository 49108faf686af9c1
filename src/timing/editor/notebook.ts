import * as vscode from 'vscode';
import { CancelledError, UserError, errorMessage } from '../../util/errors';
import { cellHash } from '../../python/cells';
import { timingRecord, type TimingRecord } from '../history';
import type { TimingHistoryStore } from './historyStore';
import { projectRootOf } from '../../editor/workspace';
import { kernelTimeitCode, parseKernelTimeit, type KernelTiming, type KernelTimeitOptions } from '../kernelTimeit';

/** The parts of the Jupyter extension's API (@vscode/jupyter-extension src/api.d.ts) used here. */
interface JupyterKernel {
  executeCode(
    code: string,
    token: vscode.CancellationToken,
  ): AsyncIterable<{ items: Array<{ mime: string; data: Uint8Array }> }>;
}
interface JupyterApi {
  kernels?: { getKernel(uri: vscode.Uri): Thenable<JupyterKernel | undefined> };
}

/**
 * A started kernel for the notebook through the Jupyter extension, or undefined (not installed, not started, refused).
 */
export async function jupyterKernel(uri: vscode.Uri, log: vscode.LogOutputChannel): Promise<JupyterKernel | undefined> {
  const ext = vscode.extensions.getExtension<JupyterApi>('ms-toolsai.jupyter');
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    return (await api?.kernels?.getKernel(uri)) ?? undefined;
  } catch (err) {
    log.warn(`timing: no kernel access through the Jupyter extension: ${errorMessage(err)}`);
    return undefined;
  }
}

/** %%timeit -o in the user's kernel (its namespace, its variables), without touching the execution count. */
export async function timeInKernel(
  kernel: JupyterKernel,
  source: string,
  opts: KernelTimeitOptions,
  token: vscode.CancellationToken,
): Promise<KernelTiming> {
  const { code, tag } = kernelTimeitCode(source, opts);
  const decoder = new TextDecoder();
  let stdout = '';
  let error: string | undefined;
  for await (const output of kernel.executeCode(code, token)) {
    for (const item of output.items) {
      const text = decoder.decode(item.data);
      if (item.mime === 'application/vnd.code.notebook.error') {
        try {
          const e = JSON.parse(text) as { name?: string; message?: string };
          error = `${e.name ?? 'Error'}: ${e.message ?? ''}`;
        } catch {
          error = text;
        }
      } else if (item.mime.endsWith('stdout')) {
        stdout += text;
      }
    }
  }
  if (token.isCancellationRequested) throw new CancelledError();
  if (error) throw new UserError(`the cell raised ${error.split('\n')[0]}`);
  const r = parseKernelTimeit(stdout, tag);
  if (!r) throw new UserError('the kernel returned no timing (is it an IPython kernel?)');
  return r;
}

/** VS Code's duration display (formatCellDuration in the notebook status bar, milliseconds below a second). */
export function formatCellDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const minutes = Math.floor(ms / 1000 / 60);
  const seconds = Math.floor(ms / 1000) % 60;
  const tenths = Math.floor((ms % 1000) / 100);
  return minutes > 0 ? `${minutes}m ${seconds}.${tenths}s` : `${seconds}.${tenths}s`;
}

/**
 * Keeps the duration VS Code records for every executed notebook cell (executionSummary.timing), which VS Code
 * itself forgets on reload, as 'notebook-run' lines in the timing history.
 */
export function keepNotebookDurations(store: TimingHistoryStore, log: vscode.LogOutputChannel): vscode.Disposable {
  const seen = new Set<string>();
  return vscode.workspace.onDidChangeNotebookDocument((e) => {
    if (e.notebook.uri.scheme !== 'file') return;
    for (const change of e.cellChanges) {
      const timing = change.executionSummary?.timing;
      if (!timing) continue;
      const cell = change.cell;
      const key = `${e.notebook.uri.toString()}#${cell.index}@${timing.startTime}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const file = e.notebook.uri.fsPath;
      const root = projectRootOf(file);
      const seconds = (timing.endTime - timing.startTime) / 1000;
      const failed = change.executionSummary?.success === false ? ', failed' : '';
      const rec = timingRecord(root, {
        kind: 'notebook-run',
        file,
        cell: cell.index,
        cellLine: cell.index + 1,
        hash: cellHash(cell.document.getText()),
        stats: {
          mean: seconds,
          stdev: 0,
          best: seconds,
          worst: seconds,
          loops: 1,
          runs: 1,
          firstRun: seconds,
          capped: false,
        },
        line: `${formatCellDuration(seconds * 1000)} (VS Code cell duration${failed})`,
        time: new Date(timing.endTime),
      });
      store
        .append(root, rec)
        .catch((err) => log.warn(`timing: could not keep a notebook cell duration: ${errorMessage(err)}`));
    }
  });
}

/** A kernel %timeit of a notebook cell as a history line. */
export function kernelTimingRecord(
  root: string,
  file: string,
  index: number,
  source: string,
  r: KernelTiming,
): TimingRecord {
  return timingRecord(root, {
    kind: 'kernel-timeit',
    file,
    cell: index,
    cellLine: index + 1,
    hash: cellHash(source),
    stats: { ...r, firstRun: r.allRuns[0] / r.loops, capped: false },
    line: r.line,
    interpreter: { path: 'kernel', version: '' },
  });
}
