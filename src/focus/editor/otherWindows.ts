import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../util/errors';
import { isStateFileEvent } from '../store';

/** Several events arrive for one write (and for a burst of writes): one re-read after they settle is enough. */
const DEBOUNCE_MS = 50;

/**
 * Notices other windows' changes to the shared state file. fs.watch on its folder sees them at once; window focus
 * also re-reads, which covers file systems where watching is unreliable (a running session re-reads on every render
 * anyway). It owns the file watcher, its debounce timer and the focus subscription.
 */
export class OtherWindowsWatcher implements vscode.Disposable {
  private watcher: fs.FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly focusListener: vscode.Disposable;
  private disposed = false;

  constructor(
    private readonly stateFile: string,
    private readonly refresh: () => void,
    private readonly warn: (message: string) => void,
  ) {
    this.focusListener = vscode.window.onDidChangeWindowState((s) => {
      if (s.focused) refresh();
    });
  }

  /** Starts the file watch; the caller does so once its startup is done, since the startup's own writes need none. */
  watch(): void {
    if (this.disposed || this.watcher) return;
    const dir = path.dirname(this.stateFile);
    try {
      fs.mkdirSync(dir, { recursive: true });
      this.watcher = fs.watch(dir, (_event, name) => {
        if (!isStateFileEvent(name === null ? null : String(name), this.stateFile)) return;
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.refresh(), DEBOUNCE_MS);
      });
      this.watcher.on('error', () => undefined);
    } catch (err) {
      this.warn(`focus: cannot watch ${dir}; other windows are seen on focus: ${errorMessage(err)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.focusListener.dispose();
  }
}
