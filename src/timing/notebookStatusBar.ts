import * as vscode from 'vscode';
import { cellHash } from '../python/cells';
import { HISTORY_DIR, HISTORY_FILE, readHistory, relativeKey, type TimingRecord } from './history';
import { formatCellDuration, historyRootOf } from './notebook';
import { formatTime } from './format';

/**
 * After a reload VS Code has forgotten every cell's duration; this shows the one Flowbench kept (the last
 * 'notebook-run' or kernel %timeit of the same cell code) until the cell runs again and VS Code shows its own.
 */
export class KeptDurationStatusBar implements vscode.NotebookCellStatusBarItemProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;
  private readonly cache = new Map<string, Promise<TimingRecord[]>>();

  constructor(context: vscode.ExtensionContext) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${HISTORY_DIR}/${HISTORY_FILE}`);
    const refresh = () => {
      this.cache.clear();
      this.changed.fire();
    };
    context.subscriptions.push(
      this.changed,
      watcher,
      watcher.onDidChange(refresh),
      watcher.onDidCreate(refresh),
      vscode.notebooks.registerNotebookCellStatusBarItemProvider('jupyter-notebook', this),
      vscode.notebooks.registerNotebookCellStatusBarItemProvider('interactive', this),
    );
  }

  private records(root: string): Promise<TimingRecord[]> {
    let p = this.cache.get(root);
    if (!p) {
      p = readHistory(root).then((h) => h.records, () => []);
      this.cache.set(root, p);
    }
    return p;
  }

  async provideCellStatusBarItems(cell: vscode.NotebookCell): Promise<vscode.NotebookCellStatusBarItem[]> {
    if (cell.kind !== vscode.NotebookCellKind.Code || cell.executionSummary?.timing || cell.notebook.uri.scheme !== 'file') return [];
    const root = historyRootOf(cell.notebook.uri);
    const file = relativeKey(root, cell.notebook.uri.fsPath);
    const hash = cellHash(cell.document.getText());
    const mine = (await this.records(root)).filter((r) => r.file === file && r.hash === hash && (r.kind === 'notebook-run' || r.kind === 'kernel-timeit'));
    const last = mine.sort((a, b) => a.time.localeCompare(b.time)).pop();
    if (!last) return [];
    const text = last.kind === 'kernel-timeit' ? `⏱ ${formatTime(last.mean)} ± ${formatTime(last.stdev)}` : `⏱ ${formatCellDuration(last.mean * 1000)}`;
    const item = new vscode.NotebookCellStatusBarItem(`${text} (kept)`, vscode.NotebookCellStatusBarAlignment.Right);
    item.tooltip = `${last.line}\nLast run ${last.time}, kept by Flowbench across reloads (.flowbench/timings.jsonl).`;
    item.command = 'flowbench.timing.showHistory';
    return [item];
  }
}
