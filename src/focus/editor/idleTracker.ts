import * as vscode from 'vscode';
import { errorMessage } from '../../util/errors';
import { SleepDetector, WindowIdle, windowInactive } from '../activity';
import type { FocusSession } from '../session';

export interface IdleTrackerPorts {
  clock(): number;
  /** The session as the coordinator last read it. */
  session(): FocusSession | null;
  setIdle(idle: boolean): Promise<void>;
  sleepGap(from: number, to: number): Promise<void>;
  warn(message: string): void;
}

/**
 * Feeds this window's activity into the session's idle accounting: window.state.active, running tasks and terminal
 * commands, editor and terminal activity, and sleep seen as a late status-bar tick. It owns its event subscriptions.
 */
export class IdleTracker implements vscode.Disposable {
  private readonly window: WindowIdle;
  private readonly sleep = new SleepDetector();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly ports: IdleTrackerPorts) {
    this.window = new WindowIdle({
      inactive: () => windowInactive(vscode.window.state as vscode.WindowState & { active?: boolean }),
      changed: (idle) => this.report(idle),
    });
    const w = this.window;
    const activity = () => w.activity();
    this.disposables = [
      vscode.window.onDidChangeWindowState(() => w.update()),
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && activity()),
      vscode.window.onDidChangeTextEditorSelection(activity),
      vscode.window.onDidChangeActiveTextEditor(activity),
      vscode.window.onDidChangeActiveTerminal(activity),
      vscode.window.onDidOpenTerminal(activity),
      vscode.tasks.onDidStartTaskProcess(() => w.taskStarted()),
      vscode.tasks.onDidEndTaskProcess(() => w.taskEnded()),
      vscode.window.onDidStartTerminalShellExecution(() => w.commandStarted()),
      vscode.window.onDidEndTerminalShellExecution(() => w.commandEnded()),
    ];
  }

  /** A status-bar tick (see StatusBarPorts.tick): a late one is away time, written before the tick's refresh. */
  async tick(expectedDelay: number): Promise<void> {
    const gap = this.sleep.tick(this.ports.clock(), expectedDelay);
    if (gap) await this.ports.sleepGap(gap.from, gap.to).catch(() => undefined);
  }

  ticksStopped(): void {
    this.sleep.reset();
  }

  sessionChanged(): void {
    this.window.reset();
  }

  /** Only a running session keeps idle time; a paused one has closed its idle interval. */
  private report(idle: boolean): void {
    const s = this.ports.session();
    if (!s || s.pausedAt !== null) return;
    void this.ports.setIdle(idle).catch((err) => this.ports.warn(`focus: idle update failed: ${errorMessage(err)}`));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
