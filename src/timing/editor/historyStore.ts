import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { FLOWBENCH_DIR } from '../../util/flowbenchDir';
import { appendTiming, historyFile, HISTORY_FILE, type TimingRecord } from '../history';
import { readTimingHistory, type LoaderRecord } from '../loaderHistory';

/**
 * The editor's one view of every workspace's timing history (.flowbench/timings.jsonl): one file watcher, one cache
 * per history root and one change event, shared by the timing commands, the notebook status bar and (through the
 * timing feature's API) the code lenses. Each read checks the file's size and mtime (one stat), so readers are right
 * even when a watcher event is late or lost; a record appended here fires the event at once.
 */
export class TimingHistoryStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when any history changed: a timing recorded in this window, or the file changed on disk. */
  readonly onDidChange = this.changed.event;
  private readonly byRoot = new Map<
    string,
    { stamp: string; records: Promise<{ timings: TimingRecord[]; loaders: LoaderRecord[] }> }
  >();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${FLOWBENCH_DIR}/${HISTORY_FILE}`);
    const refresh = () => this.invalidate();
    this.disposables.push(
      this.changed,
      watcher,
      watcher.onDidChange(refresh),
      watcher.onDidCreate(refresh),
      watcher.onDidDelete(refresh),
    );
  }

  /** The records of one root, oldest line first; none when it has no history yet. A failed read is not cached. */
  async records(root: string): Promise<TimingRecord[]> {
    return (await this.read(root)).timings;
  }

  /** The loader timings of one root (kind 'loader' lines of the same file), oldest first. */
  async loaderRecords(root: string): Promise<LoaderRecord[]> {
    return (await this.read(root)).loaders;
  }

  private async read(root: string): Promise<{ timings: TimingRecord[]; loaders: LoaderRecord[] }> {
    let stamp: string;
    try {
      const st = await fs.promises.stat(historyFile(root));
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      return { timings: [], loaders: [] };
    }
    const cached = this.byRoot.get(root);
    if (cached && cached.stamp === stamp) return cached.records;
    const records = readTimingHistory(root);
    this.byRoot.set(root, { stamp, records });
    records.catch(() => this.byRoot.delete(root));
    return records;
  }

  async append(root: string, record: TimingRecord | LoaderRecord): Promise<void> {
    await appendTiming(root, record);
    this.invalidate();
  }

  private invalidate(): void {
    this.byRoot.clear();
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
