import { randomUUID } from 'node:crypto';
import { errorMessage } from '../util/errors';
import { type FocusLogSession, appendOutcome, appendSession, toLogRecord } from './focusLog';
import type { GitSummary } from './gitSummary';
import { type BreakKind, type FocusSession, type SessionKind, type SessionSummary, createSession } from './session';
import {
  type FocusShared,
  type StartupAction,
  type Transition,
  dndDoneTransition,
  endTransition,
  expireTransition,
  extendTransition,
  idleTransition,
  sleepGapTransition,
  startTransition,
  startupTransition,
  togglePauseTransition,
  userDndTransition,
  windowClosedTransition,
} from './state';
import type { FocusStateStore } from './store';

/**
 * Runs the focus transitions of one window against the shared store and carries out the effects of those that
 * committed here, in a fixed order: DND first (intent already persisted → toggle → persist done), then the log line.
 * It knows nothing of VS Code: the toggle and git access come in as ports, so unit tests drive it with a fake DND
 * and several "windows" sharing one store directory.
 */
export interface ControllerPorts {
  toggleDnd(): Promise<void>;
  readHead?(dir: string): Promise<{ root: string; head: string | null } | null>;
  gitSummary?(root: string, headStart: string | null): Promise<GitSummary>;
  warn(message: string): void;
  info(message: string): void;
}

export interface StartOptions {
  kind: SessionKind;
  breakKind?: BreakKind | null;
  minutes: number;
  intent?: string;
  suppress: boolean;
  zen?: boolean;
  logFile: string | null;
  workspaceDir: string | null;
  /** Remembered as the "last custom" length when the user typed it. */
  customMinutes?: number | null;
}

export interface EndOutcome {
  summary: SessionSummary;
  record: FocusLogSession | null;
  logFile: string | null;
}

export interface StartOutcome {
  session: FocusSession;
  joined: boolean;
  /** A session whose time was up but not yet closed, closed by this start. */
  ended: EndOutcome | null;
}

export class FocusController {
  /** How many times this window toggled DND (tests read it; DND itself cannot be read). */
  dndToggles = 0;

  constructor(
    readonly store: FocusStateStore,
    readonly windowId: string,
    readonly clock: () => number,
    private readonly ports: ControllerPorts,
  ) {}

  read(): Promise<FocusShared> {
    return this.store.read();
  }

  private async commit<R>(
    f: (cur: FocusShared) => Transition<R>,
    outcome: string | null = null,
  ): Promise<{ state: FocusShared; result: R; ended: EndOutcome | null; changed: boolean }> {
    const c = await this.store.update(f);
    let state = c.state;
    const { effects } = c.transition;
    if (c.changed && effects.dnd?.toggle) {
      const step = effects.dnd;
      await this.ports.toggleDnd();
      this.dndToggles++;
      this.ports.info(`focus: ${step.reason}`);
      state = (await this.store.update((cur) => dndDoneTransition(cur, step))).state;
    }
    let ended: EndOutcome | null = null;
    if (c.changed && effects.ended && effects.endedSession) {
      ended = await this.writeLog(effects.endedSession, effects.ended, outcome);
    }
    return { state, result: c.result, ended, changed: c.changed };
  }

  private async writeLog(session: FocusSession, summary: SessionSummary, outcome: string | null): Promise<EndOutcome> {
    let git: GitSummary | null = null;
    if (session.gitRoot && this.ports.gitSummary) {
      try {
        git = await this.ports.gitSummary(session.gitRoot, session.headAtStart);
      } catch (err) {
        this.ports.warn(`focus: git summary failed: ${errorMessage(err)}`);
      }
    }
    const record = toLogRecord(summary, git, outcome);
    if (!session.logFile) return { summary, record, logFile: null };
    try {
      await appendSession(session.logFile, record);
    } catch (err) {
      this.ports.warn(`focus: could not append to ${session.logFile}: ${errorMessage(err)}`);
      return { summary, record: null, logFile: session.logFile };
    }
    return { summary, record, logFile: session.logFile };
  }

  async start(o: StartOptions): Promise<StartOutcome> {
    const now = this.clock();
    let gitRoot: string | null = null;
    let headAtStart: string | null = null;
    if (o.workspaceDir && this.ports.readHead) {
      try {
        const h = await this.ports.readHead(o.workspaceDir);
        gitRoot = h?.root ?? null;
        headAtStart = h?.head ?? null;
      } catch (err) {
        this.ports.warn(`focus: could not read git HEAD: ${errorMessage(err)}`);
      }
    }
    const candidate = createSession({
      id: randomUUID(),
      kind: o.kind,
      breakKind: o.breakKind,
      minutes: o.minutes,
      intent: o.intent,
      now,
      windowId: this.windowId,
      logFile: o.logFile,
      gitRoot,
      headAtStart,
      zen: o.zen ?? false,
    });
    const r = await this.commit((cur) =>
      startTransition(cur, candidate, o.suppress, this.clock(), o.customMinutes ?? null),
    );
    return { ...r.result, ended: r.ended };
  }

  async togglePause(): Promise<FocusSession> {
    return (await this.commit((cur) => togglePauseTransition(cur, this.clock()))).result;
  }

  async extend(minutes: number): Promise<FocusSession> {
    return (await this.commit((cur) => extendTransition(cur, minutes, this.clock()))).result;
  }

  /** Stops the live session (or the one with `sessionId`); null when there was none. */
  async stop(outcome: string | null = null, sessionId: string | null = null): Promise<EndOutcome | null> {
    return (await this.commit((cur) => endTransition(cur, sessionId, this.clock(), 'stopped'), outcome)).ended;
  }

  /** Called on every render tick of every window: the first to see the time is up ends the session. */
  async expire(): Promise<EndOutcome | null> {
    return (await this.commit((cur) => expireTransition(cur, this.clock()))).ended;
  }

  async startup(): Promise<{ action: StartupAction; ended: EndOutcome | null; state: FocusShared }> {
    const r = await this.commit((cur) => startupTransition(cur, this.clock()));
    return { action: r.result, ended: r.ended, state: r.state };
  }

  async reportUserDnd(on: boolean): Promise<FocusShared> {
    return (await this.commit((cur) => userDndTransition(cur, on))).state;
  }

  async setIdle(idle: boolean): Promise<void> {
    await this.commit((cur) => idleTransition(cur, this.windowId, idle, this.clock()));
  }

  async sleepGap(from: number, to: number): Promise<void> {
    await this.commit((cur) => sleepGapTransition(cur, from, to));
  }

  async windowClosed(): Promise<void> {
    await this.commit((cur) => windowClosedTransition(cur, this.windowId, this.clock()));
  }

  async noteOutcome(logFile: string, sessionId: string, outcome: string): Promise<void> {
    await appendOutcome(logFile, sessionId, outcome, this.clock());
  }
}
