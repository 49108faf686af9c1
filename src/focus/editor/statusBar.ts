import { COMMANDS } from '../../editor/commandIds';
import * as vscode from 'vscode';
import { HIGHLIGHT_MS, STATUS_BAR_ID, STATUS_BAR_NAME, refreshDelay, statusBarContent } from '../display';
import type { FocusSession } from '../session';

export interface StatusBarPorts {
  clock(): number;
  /** The session as the coordinator last read it from the shared record. */
  session(): FocusSession | null;
  /** The refresh timer fired; it had been set `expectedDelay` ms ahead (a much later firing means sleep). */
  tick(expectedDelay: number): Promise<void>;
  /** The refresh timer is off (no running session): the next tick starts a fresh chain. */
  stopped(): void;
}

/**
 * The status-bar item `flowbench.focus`. It renders from the coordinator's state only, so a re-created view (a
 * window reload) shows exactly what the old one did. A timer exists only while a session runs, and the view owns
 * it, the highlight timer and the item.
 */
export class FocusStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private timer: NodeJS.Timeout | undefined;
  private highlightTimer: NodeJS.Timeout | undefined;
  private highlighted = false;
  private lastRender = 0;
  private disposed = false;
  private readonly configListener: vscode.Disposable;

  constructor(private readonly ports: StatusBarPorts) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 1000);
    this.item.name = STATUS_BAR_NAME;
    this.item.command = COMMANDS.focus.actions;
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('flowbench.focus')) this.render();
    });
  }

  render(): void {
    if (this.disposed) return;
    const now = this.ports.clock();
    const c = statusBarContent(this.ports.session(), now, this.highlighted);
    this.item.text = c.text;
    this.item.tooltip = c.tooltip;
    this.item.accessibilityInformation = { label: c.accessibilityLabel };
    this.item.backgroundColor = c.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    this.lastRender = now;
  }

  /** Re-arms the refresh timer for the current session; call after every render that may have changed it. */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const delay = this.disposed ? null : refreshDelay(this.ports.session(), this.ports.clock(), this.lastRender);
    if (delay === null) {
      this.ports.stopped();
      return;
    }
    this.timer = setTimeout(() => void this.ports.tick(delay), delay);
  }

  /** The session ended: the colour clears on the next action or after a minute. */
  highlight(): void {
    this.highlighted = true;
    clearTimeout(this.highlightTimer);
    this.highlightTimer = setTimeout(() => this.clearHighlight(), HIGHLIGHT_MS);
    this.render();
  }

  clearHighlight(): void {
    clearTimeout(this.highlightTimer);
    if (!this.highlighted) return;
    this.highlighted = false;
    this.render();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    clearTimeout(this.highlightTimer);
    this.configListener.dispose();
    this.item.dispose();
  }
}
