import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { focusSettings } from '../../editor/config';
import type { FeatureServices } from '../../editor/feature';
import { errorMessage } from '../../util/errors';
import { readHead } from '../../util/git';
import { type EndOutcome, FocusController, type StartOptions, type StartOutcome } from '../controller';
import { highlightsEnd } from '../display';
import { type EndChoiceHandlers, EndNotice } from './endNotice';
import { focusLogFile } from '../focusLog';
import { gitSummary } from '../gitSummary';
import { IdleTracker } from './idleTracker';
import { OtherWindowsWatcher } from './otherWindows';
import { phase } from '../session';
import type { FocusShared } from '../state';
import { FocusStatusBar } from './statusBar';
import { FocusStateStore } from '../store';
import { silencePlan, ZenMode } from '../zen';

/** What a command may start; the rest of StartOptions comes from the settings and the workspace. */
export type RuntimeStartOptions = Omit<StartOptions, 'logFile' | 'workspaceDir' | 'suppress' | 'zen'>;

/**
 * One window's focus machinery, as a coordinator: it holds the shared record as last read (`state`) and wires the
 * parts that act on it, each owning its own timers and subscriptions: the status-bar view (FocusStatusBar), Zen mode
 * (ZenMode), idle tracking (IdleTracker), the other-windows watcher (OtherWindowsWatcher) and the end notice
 * (EndNotice). All time comes from `clock()` and the shared record, so disposing this object and building a new one
 * (a window reload) shows exactly the same session.
 */
export class FocusRuntime implements vscode.Disposable {
  readonly windowId = randomUUID();
  readonly controller: FocusController;
  state: FocusShared | null = null;
  endChoices: EndChoiceHandlers | null = null;
  private readonly zen: ZenMode;
  private readonly endNotice: EndNotice;
  private readonly otherWindows: OtherWindowsWatcher;
  private readonly idle: IdleTracker;
  private readonly statusBar: FocusStatusBar;
  private disposed = false;
  /** The outcome of a stopped session in Zen mode is being asked: Zen is left only once it is answered. */
  private outcomePending = false;
  private refreshChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: FeatureServices,
    readonly clock: () => number,
  ) {
    const { context, log } = services;
    const storeDir = context.globalStorageUri.fsPath;
    const store = new FocusStateStore(storeDir, { windowId: this.windowId, clock, warn: (m) => log.warn(m) });
    const trusted = () => vscode.workspace.isTrusted;
    this.controller = new FocusController(store, this.windowId, clock, {
      toggleDnd: async () => {
        await vscode.commands.executeCommand('notifications.toggleDoNotDisturbMode');
      },
      // git runs repository-configured programs (hooks, fsmonitor): never in an untrusted workspace.
      readHead: (dir) => (trusted() ? readHead(dir) : Promise.resolve(null)),
      gitSummary: (root, head) => gitSummary(root, head),
      warn: (m) => log.warn(m),
      info: (m) => log.info(m),
    });
    const zenConfig = () => vscode.workspace.getConfiguration('zenMode');
    this.zen = new ZenMode({
      workspaceState: context.workspaceState,
      globalState: context.globalState,
      hidesStatusBar: () => zenConfig().get<boolean>('hideStatusBar', true) !== false,
      userHideStatusBar: () => zenConfig().inspect<boolean>('hideStatusBar')?.globalValue,
      setUserHideStatusBar: (v) => zenConfig().update('hideStatusBar', v, vscode.ConfigurationTarget.Global),
      command: (id) => vscode.commands.executeCommand(id),
      warn: (m) => log.warn(m),
    });
    this.endNotice = new EndNotice({
      choices: () => this.endChoices,
      noteOutcome: (logFile, id, outcome) => this.controller.noteOutcome(logFile, id, outcome),
    });
    // Created before the idle tracker so that, when the window gains focus, the re-read starts before the idle report.
    this.otherWindows = new OtherWindowsWatcher(
      store.file,
      () => void this.refresh(),
      (m) => log.warn(m),
    );
    this.idle = new IdleTracker({
      clock,
      session: () => this.state?.session ?? null,
      setIdle: (idle) => this.controller.setIdle(idle),
      sleepGap: (from, to) => this.controller.sleepGap(from, to),
      warn: (m) => log.warn(m),
    });
    this.statusBar = new FocusStatusBar({
      clock,
      session: () => this.state?.session ?? null,
      tick: (expectedDelay) => this.tick(expectedDelay),
      stopped: () => this.idle.ticksStopped(),
    });
  }

  /** Startup reconciliation: continue a live session, close out one that ended while no window was open. */
  async init(): Promise<{ action: string; ended: EndOutcome | null }> {
    const r = await this.controller.startup();
    this.state = r.state;
    if (r.action !== 'none') this.services.log.info(`focus: startup: ${r.action}`);
    await this.zen.reconcile(this.state.session?.id ?? null);
    if (r.ended) await this.leaveZenIfOver();
    if (r.ended) this.afterEnd(r.ended);
    await this.refresh();
    this.otherWindows.watch();
    return { action: r.action, ended: r.ended };
  }

  logFile(): string {
    const folder = this.workspaceDir();
    return focusLogFile(focusSettings().logLocation, folder, this.services.context.globalStorageUri.fsPath);
  }

  workspaceDir(): string | null {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? null;
  }

  /**
   * `work` false (a break): no DND and no Zen whatever the settings say. `zen`: the session runs in Zen mode (the
   * setting, the "in Zen Mode" command, or the window already in Zen); Zen then silences notifications, not Flowbench.
   */
  async start(o: RuntimeStartOptions, work = true, zen = false): Promise<StartOutcome> {
    const st = focusSettings();
    const plan = silencePlan({
      work,
      suppress: st.suppressNotifications,
      zen: zen || st.zenMode,
      zenSilences: vscode.workspace.getConfiguration('zenMode').get<boolean>('silentNotifications', true) !== false,
    });
    const by = { zen: 'silenced by Zen mode', dnd: 'silenced by Do Not Disturb' };
    this.services.log.info(`focus: notifications ${plan.silencedBy ? by[plan.silencedBy] : 'not silenced'}`);
    const r = await this.controller.start({
      ...o,
      suppress: plan.flowbenchDnd,
      zen: plan.enterZen,
      logFile: this.logFile(),
      workspaceDir: this.workspaceDir(),
    });
    if (r.ended) this.afterEnd(r.ended, false);
    if (!r.joined && r.session.zen) await this.zen.enter(r.session.id);
    this.clearHighlight();
    await this.refresh();
    return r;
  }

  /**
   * Ends the session here and carries out the end in order: DND restored (by the controller), then the highlight and
   * the notice; the refresh after them leaves Zen.
   */
  async stop(outcome: string | null, notify: boolean, askOutcome = false): Promise<EndOutcome | null> {
    const ended = await this.controller.stop(outcome);
    if (ended && askOutcome && this.endNotice.asksOutcome(ended)) {
      // The outcome is asked before the session's Zen mode is left: leaving Zen moves the focus back to the editor,
      // and what the user types would land in their code. The command returns now; Zen is left, and the notice
      // shown, once the outcome is answered or dismissed.
      this.outcomePending = this.zen.enteredFor() === ended.summary.id;
      void this.endNotice
        .askOutcome(ended)
        .catch((err) => this.services.log.warn(`focus: could not note the outcome: ${errorMessage(err)}`))
        .finally(async () => {
          this.outcomePending = false;
          await this.leaveZenIfOver();
          this.afterEnd(ended, notify, true);
          await this.refresh();
        });
    } else if (ended) {
      await this.leaveZenIfOver();
      this.afterEnd(ended, notify);
    }
    await this.refresh();
    return ended;
  }

  /** Re-reads the shared record and re-renders; serialised so overlapping triggers never interleave. */
  refresh(): Promise<void> {
    const next = this.refreshChain
      .then(() => this.doRefresh())
      .catch((err) => {
        this.services.log.warn(`focus: refresh failed: ${errorMessage(err)}`);
      });
    this.refreshChain = next;
    return next;
  }

  private async doRefresh(): Promise<void> {
    if (this.disposed) return;
    const prev = this.state;
    this.state = await this.controller.read();
    if (prev?.session && this.state.session?.id !== prev.session.id) this.idle.sessionChanged();
    if (!this.outcomePending) await this.zen.reconcile(this.state.session?.id ?? null);
    const s = this.state.session;
    if (this.disposed) return;
    if (s && phase(s, this.clock()) === 'ended') {
      const ended = await this.controller.expire();
      this.state = await this.controller.read();
      if (ended) await this.leaveZenIfOver();
      if (ended) this.afterEnd(ended);
    }
    this.statusBar.render();
    this.statusBar.schedule();
  }

  /**
   * Leaves the Zen mode this window entered for a session that is over, before the end notice shows: in Zen, with
   * Zen silencing notifications, the notice would go unseen.
   */
  private async leaveZenIfOver(): Promise<void> {
    const st = await this.controller.read();
    const live = st.session && phase(st.session, this.clock()) !== 'ended' ? st.session.id : null;
    await this.zen.reconcile(live);
  }

  private async tick(expectedDelay: number): Promise<void> {
    await this.idle.tick(expectedDelay);
    await this.refresh();
  }

  get item(): vscode.StatusBarItem {
    return this.statusBar.item;
  }

  /**
   * `notify` false: the user already chose what comes next (another session, a break), so no notice asks.
   * `outcomeAsked`: the outcome was asked already, so the notice does not offer it again.
   */
  private afterEnd(ended: EndOutcome, notify = true, outcomeAsked = false): void {
    if (highlightsEnd(ended.summary)) this.statusBar.highlight();
    if (notify) this.endNotice.show(ended, outcomeAsked);
  }

  clearHighlight(): void {
    this.statusBar.clearHighlight();
  }

  /**
   * Stops timers and watchers without ending the session: that is what a window close or reload does. The session
   * and the DND record stay in the shared file for the next window (or this one after reload).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.statusBar.dispose();
    this.otherWindows.dispose();
    this.idle.dispose();
    // Best effort: a closing window stops holding the others "active" for idle accounting.
    if (this.state?.session) void this.controller.windowClosed().catch(() => undefined);
  }
}
