/**
 * Do Not Disturb bookkeeping. VS Code's DND is an app-wide, persisted, blind toggle
 * (notifications.toggleDoNotDisturbMode) whose state no API can read, so Flowbench keeps its own record and
 * decides from it alone:
 *  - it turns DND on only if, by its record, DND is off;
 *  - it writes its intent (pending) BEFORE toggling, so a crash between the write and the toggle is recoverable;
 *  - it turns DND off only if it turned it on itself; a DND the user set (belief 'on-user') is never touched.
 * These functions are pure; the caller persists `intent`, toggles when `toggle` is true, then persists `done`.
 */

export type DndBelief = 'off' | 'on-flowbench' | 'on-user';

export interface DndRecord {
  belief: DndBelief;
  /** With 'on-flowbench': the session that turned it on. */
  sessionId: string | null;
  /** Written before a toggle; cleared (resolved) after it. */
  pending: { action: 'on' | 'off'; sessionId: string | null; at: number } | null;
}

export interface DndStep {
  toggle: boolean;
  /** Persist this before toggling (equals `done` when no toggle is needed). */
  intent: DndRecord;
  /** Persist this after toggling. */
  done: DndRecord;
  reason: string;
}

export const initialDnd: DndRecord = { belief: 'off', sessionId: null, pending: null };

/**
 * A pending toggle found on startup: the intent was written and the toggle follows it immediately, so the toggle is
 * assumed to have happened. (The opposite assumption would leave DND on forever after a crash in the much wider
 * window between the toggle and the second write.)
 */
export function resolvePending(rec: DndRecord): DndRecord {
  if (!rec.pending) return rec;
  return rec.pending.action === 'on'
    ? { belief: 'on-flowbench', sessionId: rec.pending.sessionId, pending: null }
    : { belief: 'off', sessionId: null, pending: null };
}

function noop(rec: DndRecord, reason: string): DndStep {
  return { toggle: false, intent: rec, done: rec, reason };
}

/** A session starts and wants notifications suppressed. */
export function planDndOn(current: DndRecord, sessionId: string, now: number): DndStep {
  const rec = resolvePending(current);
  switch (rec.belief) {
    case 'off':
      return {
        toggle: true,
        intent: { ...rec, pending: { action: 'on', sessionId, at: now } },
        done: { belief: 'on-flowbench', sessionId, pending: null },
        reason: 'DND was off: Flowbench turns it on',
      };
    case 'on-user':
      return noop(rec, "DND is already on by the user's choice: left alone");
    case 'on-flowbench':
      // Left on by an earlier session (e.g. ended elsewhere); this session takes over the duty to restore it.
      return noop({ ...rec, sessionId }, 'DND is already on by Flowbench: the new session takes it over');
  }
}

/** A session ends (or is closed out): restore DND if and only if Flowbench turned it on. */
export function planDndOff(current: DndRecord, now: number): DndStep {
  const rec = resolvePending(current);
  if (rec.belief !== 'on-flowbench') {
    return noop(rec, rec.belief === 'on-user' ? "DND is the user's: left on" : 'DND was not turned on by Flowbench');
  }
  return {
    toggle: true,
    intent: { ...rec, pending: { action: 'off', sessionId: rec.sessionId, at: now } },
    done: { belief: 'off', sessionId: null, pending: null },
    reason: 'Flowbench turned DND on: it turns it off',
  };
}

/**
 * The user tells Flowbench what DND really is (after toggling it by hand). 'on' makes it the user's: Flowbench will
 * neither turn it on again nor turn it off. 'off' means nothing is left to restore.
 */
export function userReportsDnd(rec: DndRecord, on: boolean): DndRecord {
  return on ? { belief: 'on-user', sessionId: null, pending: null } : { belief: 'off', sessionId: null, pending: null };
}
