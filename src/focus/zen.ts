import { errorMessage } from '../util/errors';

/** The part of vscode.Memento used here. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** What Zen handling needs from VS Code; kept as ports so the logic runs (and is tested) without it. */
export interface ZenPorts {
  /** Per window: which session this window entered Zen for. */
  workspaceState: KeyValueStore;
  /** The user's zenMode.hideStatusBar to restore; a user setting, so kept per user. */
  globalState: KeyValueStore;
  /** zenMode.hideStatusBar as it applies now (VS Code's default is true). */
  hidesStatusBar(): boolean;
  /** The user's own (global) zenMode.hideStatusBar, undefined when unset. */
  userHideStatusBar(): boolean | undefined;
  setUserHideStatusBar(value: boolean | undefined): PromiseLike<void>;
  command(id: string): PromiseLike<unknown>;
  warn(message: string): void;
}

/**
 * How a work session silences notifications, decided before it starts. VS Code's Zen mode turns Do Not Disturb on
 * by itself when it enters (zenMode.silentNotifications, default true) and off when it leaves, and DND can only be
 * toggled blindly: a session that also toggled DND while in Zen would turn it OFF. So a session in Zen (asked for by
 * the setting or the "in Zen Mode" command, or started while the window is in Zen, which Flowbench's keybinding and
 * palette entry can see through their `when` clauses) enters Zen itself and leaves DND to Zen; Flowbench toggles DND
 * only outside Zen, or when Zen is set not to silence notifications.
 */
export interface SilencePlan {
  /** Enter Zen (exit, then toggle: entered whatever the state before) and leave it when the session ends. */
  enterZen: boolean;
  /** Flowbench turns DND on itself (and back off at the end, by its own record). */
  flowbenchDnd: boolean;
  /** Who keeps notifications quiet during the session. */
  silencedBy: 'zen' | 'dnd' | null;
}

export function silencePlan(o: {
  /** Work session (breaks neither silence nor enter Zen). */
  work: boolean;
  /** flowbench.focus.suppressNotifications. */
  suppress: boolean;
  /** Zen asked for: the setting, the command, or the window already in Zen. */
  zen: boolean;
  /** zenMode.silentNotifications. */
  zenSilences: boolean;
}): SilencePlan {
  if (!o.work) return { enterZen: false, flowbenchDnd: false, silencedBy: null };
  if (o.zen && o.zenSilences) return { enterZen: true, flowbenchDnd: false, silencedBy: 'zen' };
  return { enterZen: o.zen, flowbenchDnd: o.suppress, silencedBy: o.suppress ? 'dnd' : null };
}

export const ZEN_SESSION_KEY = 'flowbench.focus.zenSession';
export const ZEN_RESTORE_KEY = 'flowbench.focus.zenRestore';

interface ZenRestore {
  /** null: the user had no global value (restoring removes ours). */
  hideStatusBar: boolean | null;
}

/**
 * Zen mode for a session (flowbench.focus.zenMode). Entering is a best effort and never blocks the session; leaving
 * happens in the window that entered, once it sees its session is no longer live, which also covers a session that
 * ended in another window or while this one was closed.
 */
export class ZenMode {
  constructor(private readonly ports: ZenPorts) {}

  async enter(sessionId: string): Promise<void> {
    const p = this.ports;
    try {
      // Zen hides the status bar by default, and with it the timer (microsoft/vscode#85540).
      if (p.hidesStatusBar()) {
        const restore: ZenRestore = { hideStatusBar: p.userHideStatusBar() ?? null };
        await p.globalState.update(ZEN_RESTORE_KEY, restore);
        await p.setUserHideStatusBar(false);
      }
      await p.workspaceState.update(ZEN_SESSION_KEY, sessionId);
      // Zen state is unreadable (microsoft/vscode#114741); exit is idempotent, so exit-then-toggle always enters.
      await p.command('workbench.action.exitZenMode');
      await p.command('workbench.action.toggleZenMode');
    } catch (err) {
      p.warn(`focus: could not enter Zen mode: ${errorMessage(err)}`);
    }
  }

  /** The session this window entered Zen for, if any. */
  enteredFor(): string | undefined {
    return this.ports.workspaceState.get<string>(ZEN_SESSION_KEY);
  }

  /** This window entered Zen for a session that is no longer live: leave Zen and restore the status-bar setting. */
  async reconcile(liveSessionId: string | null): Promise<void> {
    const p = this.ports;
    const zenSession = p.workspaceState.get<string>(ZEN_SESSION_KEY);
    if (!zenSession || liveSessionId === zenSession) return;
    // Forgotten first: a failure below must not make every later refresh leave Zen again.
    await p.workspaceState.update(ZEN_SESSION_KEY, undefined);
    try {
      await p.command('workbench.action.exitZenMode');
      const restore = p.globalState.get<ZenRestore>(ZEN_RESTORE_KEY);
      if (restore) {
        await p.setUserHideStatusBar(restore.hideStatusBar ?? undefined);
        await p.globalState.update(ZEN_RESTORE_KEY, undefined);
      }
    } catch (err) {
      p.warn(`focus: could not leave Zen mode: ${errorMessage(err)}`);
    }
  }
}
