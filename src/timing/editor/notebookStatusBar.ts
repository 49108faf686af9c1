import { COMMANDS } from '../../editor/commandIds';
import * as vscode from 'vscode';
import { cellHash } from '../../python/cells';
import { projectRootOf } from '../../editor/workspace';
import { portablePath } from '../../util/flowbenchDir';
import type { TimingHistoryStore } from './historyStore';
import { formatCellDuration } from './notebook';
import { formatTime } from '../format';

/**
 * After a reload VS Code has forgotten every cell's duration; this shows the one Flowbench kept (the last
 * 'notebook-run' or kernel %timeit of the same cell code) until the cell runs again and VS Code shows its own.
 */
export class KeptDurationStatusBar implements vscode.NotebookCellStatusBarItemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly store: TimingHistoryStore) {
    this.disposables = [
      this.changed,
      store.onDidChange(() => this.changed.fire()),
      vscode.notebooks.registerNotebookCellStatusBarItemProvider('jupyter-notebook', this),
      vscode.notebooks.registerNotebookCellStatusBarItemProvider('interactive', this),
    ];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  async provideCellStatusBarItems(cell: vscode.NotebookCell): Promise<vscode.NotebookCellStatusBarItem[]> {
    if (
      cell.kind !== vscode.NotebookCellKind.Code ||
      cell.executionSummary?.timing ||
      cell.notebook.uri.scheme !== 'file'
    )
      return [];
    const root = projectRootOf(cell.notebook.uri.fsPath);
    const file = portablePath(root, cell.notebook.uri.fsPath);
    const hash = cellHash(cell.document.getText());
    const mine = (await this.store.records(root)).filter(
      (r) => r.file === file && r.hash === hash && (r.kind === 'notebook-run' || r.kind === 'kernel-timeit'),
    );
    const last = mine.sort((a, b) => a.time.localeCompare(b.time)).pop();
    if (!last) return [];
    const text =
      last.kind === 'kernel-timeit'
        ? `$(watch) ${formatTime(last.mean)} ± ${formatTime(last.stdev)}`
        : `$(watch) ${formatCellDuration(last.mean * 1000)}`;
    const item = new vscode.NotebookCellStatusBarItem(`${text} (kept)`, vscode.NotebookCellStatusBarAlignment.Right);
    item.tooltip = `${last.line}\nLast run ${last.time}, kept by Flowbench across reloads (.flowbench/timings.jsonl).`;
    item.command = COMMANDS.timing.showHistory;
    return [item];
  }
}
