/**
 * Idle accounting inside a session. A window counts as idle when VS Code reports it inactive (window.state.active
 * false, ~70–100 s after the last input) and no editor, terminal or task activity arrived since. The user is idle
 * only while every window that reported is idle; machine sleep (a long gap between ticks) counts as idle too.
 * Paused time is never idle time: pausing closes the open interval.
 */
export interface IdleState {
  /** Per window: since when it is idle, or null when active. */
  windows: Record<string, number | null>;
  /** Set while every known window is idle and the session is not paused. */
  allIdleSince: number | null;
  /** Closed idle intervals. */
  idleMs: number;
  /** While paused, idle changes are recorded per window but no interval opens. */
  suspended: boolean;
}

export function newIdleState(): IdleState {
  return { windows: {}, allIdleSince: null, idleMs: 0, suspended: false };
}

function allIdle(windows: Record<string, number | null>): boolean {
  const values = Object.values(windows);
  return values.length > 0 && values.every((v) => v !== null);
}

function settle(s: IdleState, at: number): IdleState {
  const idle = !s.suspended && allIdle(s.windows);
  // All windows became idle through this very event (the last active one went idle, closed, or a pause ended).
  if (idle && s.allIdleSince === null) return { ...s, allIdleSince: at };
  if (!idle && s.allIdleSince !== null) {
    return { ...s, allIdleSince: null, idleMs: s.idleMs + Math.max(0, at - s.allIdleSince) };
  }
  return s;
}

/** A window became idle (at `at`) or active again. */
export function setWindowIdle(s: IdleState, windowId: string, idle: boolean, at: number): IdleState {
  const current = s.windows[windowId];
  if (idle && typeof current === 'number') return s;
  if (!idle && current === null) return s;
  return settle({ ...s, windows: { ...s.windows, [windowId]: idle ? at : null } }, at);
}

/** A window closed: it no longer holds the others awake. */
export function removeWindow(s: IdleState, windowId: string, at: number): IdleState {
  if (!(windowId in s.windows)) return s;
  const windows = { ...s.windows };
  delete windows[windowId];
  return settle({ ...s, windows }, at);
}

/** A gap in this window's ticks (machine sleep): counted as idle unless an open all-idle interval already covers it. */
export function addSleepGap(s: IdleState, from: number, to: number): IdleState {
  if (to <= from || s.suspended) return s;
  if (s.allIdleSince !== null && s.allIdleSince <= from) return s;
  return { ...s, idleMs: s.idleMs + (to - from) };
}

export function closeIdle(s: IdleState, at: number): IdleState {
  const closed = s.allIdleSince !== null ? s.idleMs + Math.max(0, at - s.allIdleSince) : s.idleMs;
  return { ...s, allIdleSince: null, idleMs: closed, suspended: true };
}

export function reopenIdle(s: IdleState, at: number): IdleState {
  // Windows that were idle before the pause restart their idle time at the resume, not before it.
  const windows: Record<string, number | null> = {};
  for (const [id, v] of Object.entries(s.windows)) windows[id] = v === null ? null : Math.max(v, at);
  return settle({ ...s, windows, suspended: false }, at);
}

export function finalIdleMs(s: IdleState, at: number): number {
  return s.idleMs + (s.allIdleSince !== null && !s.suspended ? Math.max(0, at - s.allIdleSince) : 0);
}
