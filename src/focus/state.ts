import { UserError } from '../util/errors';
import { type DndRecord, type DndStep, initialDnd, planDndOff, planDndOn, resolvePending, userReportsDnd } from './dnd';
import { addSleepGap, removeWindow, setWindowIdle } from './idle';
import { type EndReason, type FocusSession, type SessionSummary, extend, finish, phase, togglePause } from './session';

/**
 * The state every window shares: one session (or none), the DND record and a few counters. Each change is a pure
 * transition from the current record to the next; the store applies it under a cross-window lock (compare-and-set),
 * and only the window whose transition committed performs its side effects (DND toggle, Zen, log, end notice). Two
 * windows starting at the same moment therefore end with one session: the second one's transition sees the first
 * one's session and joins it.
 */
export interface FocusShared {
  v: 1;
  /** Incremented by every committed write. */
  rev: number;
  /** Window id of the last writer. */
  writer: string;
  updatedAt: number;
  session: FocusSession | null;
  dnd: DndRecord;
  lastCustomMinutes: number | null;
  /** Completed work sessions since the last long break (for "long break every N sessions"). */
  workSinceLongBreak: number;
  lastEnded: SessionSummary | null;
}

export function initialShared(): FocusShared {
  return {
    v: 1,
    rev: 0,
    writer: '',
    updatedAt: 0,
    session: null,
    dnd: initialDnd,
    lastCustomMinutes: null,
    workSinceLongBreak: 0,
    lastEnded: null,
  };
}

/** Accepts a record read from disk; anything malformed falls back to the initial state field by field. */
export function normalizeShared(raw: unknown): FocusShared {
  const base = initialShared();
  if (!raw || typeof raw !== 'object') return base;
  const r = raw as Partial<FocusShared>;
  return {
    ...base,
    rev: typeof r.rev === 'number' ? r.rev : 0,
    writer: typeof r.writer === 'string' ? r.writer : '',
    updatedAt: typeof r.updatedAt === 'number' ? r.updatedAt : 0,
    session: r.session && typeof r.session === 'object' && typeof r.session.startedAt === 'number' ? r.session : null,
    dnd: r.dnd && typeof r.dnd === 'object' && typeof r.dnd.belief === 'string' ? r.dnd : initialDnd,
    lastCustomMinutes: typeof r.lastCustomMinutes === 'number' ? r.lastCustomMinutes : null,
    workSinceLongBreak: typeof r.workSinceLongBreak === 'number' ? r.workSinceLongBreak : 0,
    lastEnded: r.lastEnded ?? null,
  };
}

/** What a committed transition asks its window to do, in order. */
export interface Effects {
  /** DND step: the intent is already in the committed record; toggle, then persist `done`. */
  dnd: DndStep | null;
  ended: SessionSummary | null;
  /** The session as it was when it ended (its log file, git start point). */
  endedSession: FocusSession | null;
  started: FocusSession | null;
}

export interface Transition<R = unknown> {
  /** null: nothing to write. */
  next: FocusShared | null;
  effects: Effects;
  result: R;
}

const none: Effects = { dnd: null, ended: null, endedSession: null, started: null };

function unchanged<R>(result: R): Transition<R> {
  return { next: null, effects: none, result };
}

function endCounters(cur: FocusShared, summary: SessionSummary): Pick<FocusShared, 'workSinceLongBreak'> {
  if (summary.kind === 'work' && summary.endedBy !== 'stopped')
    return { workSinceLongBreak: cur.workSinceLongBreak + 1 };
  if (summary.kind === 'break' && summary.breakKind === 'long') return { workSinceLongBreak: 0 };
  return { workSinceLongBreak: cur.workSinceLongBreak };
}

export interface StartResult {
  session: FocusSession;
  /** True when another window's session was already running and this start joined it. */
  joined: boolean;
}

/**
 * Start `candidate` unless a session is already live (then join it). A session whose time is up but which nobody has
 * closed yet is closed first; if both want DND, the new session simply takes the DND duty over (no double toggle).
 */
export function startTransition(
  cur: FocusShared,
  candidate: FocusSession,
  suppress: boolean,
  now: number,
  customMinutes: number | null,
): Transition<StartResult> {
  if (cur.session && phase(cur.session, now) !== 'ended') return unchanged({ session: cur.session, joined: true });
  let base = cur;
  let ended: SessionSummary | null = null;
  const endedSession = cur.session;
  if (cur.session) {
    ended = finish(cur.session, now, 'completed');
    base = { ...cur, ...endCounters(cur, ended), session: null, lastEnded: ended };
  }
  const dnd = suppress ? planDndOn(base.dnd, candidate.id, now) : planDndOff(base.dnd, now);
  const next: FocusShared = {
    ...base,
    session: candidate,
    dnd: dnd.intent,
    lastCustomMinutes: customMinutes ?? base.lastCustomMinutes,
  };
  return {
    next,
    effects: { dnd, ended, endedSession, started: candidate },
    result: { session: candidate, joined: false },
  };
}

/** Ends the live session (only if it is still the one the caller saw, so two windows never end it twice). */
export function endTransition(
  cur: FocusShared,
  sessionId: string | null,
  now: number,
  reason: EndReason,
): Transition<SessionSummary | null> {
  const s = cur.session;
  if (!s || (sessionId !== null && s.id !== sessionId)) return unchanged(null);
  const summary = finish(s, now, reason);
  const dnd = planDndOff(cur.dnd, now);
  const next: FocusShared = {
    ...cur,
    ...endCounters(cur, summary),
    session: null,
    dnd: dnd.intent,
    lastEnded: summary,
  };
  return { next, effects: { dnd, ended: summary, endedSession: s, started: null }, result: summary };
}

/** Ends the session if its time ran out; used by every window's render tick (only one commits). */
export function expireTransition(cur: FocusShared, now: number): Transition<SessionSummary | null> {
  if (!cur.session || phase(cur.session, now) !== 'ended') return unchanged(null);
  return endTransition(cur, cur.session.id, now, 'completed');
}

function mapSession(cur: FocusShared, f: (s: FocusSession) => FocusSession): Transition<FocusSession> {
  if (!cur.session) throw new NoSessionError();
  const session = f(cur.session);
  return { next: { ...cur, session }, effects: none, result: session };
}

export class NoSessionError extends UserError {
  constructor() {
    super('no focus session is running');
    this.name = 'NoSessionError';
  }
}

export function togglePauseTransition(cur: FocusShared, now: number): Transition<FocusSession> {
  return mapSession(cur, (s) => togglePause(s, now));
}

export function extendTransition(cur: FocusShared, minutes: number, now: number): Transition<FocusSession> {
  return mapSession(cur, (s) => extend(s, minutes, now));
}

export function idleTransition(cur: FocusShared, windowId: string, idle: boolean, now: number): Transition<null> {
  if (!cur.session) return unchanged(null);
  const next = setWindowIdle(cur.session.idle, windowId, idle, now);
  if (next === cur.session.idle) return unchanged(null);
  return { next: { ...cur, session: { ...cur.session, idle: next } }, effects: none, result: null };
}

export function sleepGapTransition(cur: FocusShared, from: number, to: number): Transition<null> {
  if (!cur.session || cur.session.pausedAt !== null) return unchanged(null);
  const next = addSleepGap(cur.session.idle, Math.max(from, cur.session.startedAt), to);
  if (next === cur.session.idle) return unchanged(null);
  return { next: { ...cur, session: { ...cur.session, idle: next } }, effects: none, result: null };
}

export function windowClosedTransition(cur: FocusShared, windowId: string, now: number): Transition<null> {
  if (!cur.session) return unchanged(null);
  const next = removeWindow(cur.session.idle, windowId, now);
  if (next === cur.session.idle) return unchanged(null);
  return { next: { ...cur, session: { ...cur.session, idle: next } }, effects: none, result: null };
}

export function userDndTransition(cur: FocusShared, on: boolean): Transition<DndRecord> {
  const dnd = userReportsDnd(cur.dnd, on);
  return { next: { ...cur, dnd }, effects: none, result: dnd };
}

/** After the toggle: persist the step's `done` record, unless someone else already moved the record on. */
export function dndDoneTransition(cur: FocusShared, step: DndStep): Transition<null> {
  if (JSON.stringify(cur.dnd) !== JSON.stringify(step.intent)) return unchanged(null);
  return { next: { ...cur, dnd: step.done }, effects: none, result: null };
}

export type StartupAction = 'none' | 'continue' | 'closed-out' | 'restored-dnd';

/**
 * What a window does when it starts (VS Code opened, window reloaded, crash recovery): a pending DND intent is
 * resolved; a session still running (or paused) continues; one whose time ran out while no window watched is closed
 * out at its scheduled end and DND is restored; a DND that Flowbench turned on for a session that no longer exists is
 * turned off.
 */
export function startupTransition(cur: FocusShared, now: number): Transition<StartupAction> {
  const resolved: FocusShared = cur.dnd.pending ? { ...cur, dnd: resolvePending(cur.dnd) } : cur;
  if (resolved.session) {
    if (phase(resolved.session, now) !== 'ended') {
      return resolved === cur ? unchanged('continue') : { next: resolved, effects: none, result: 'continue' };
    }
    const t = endTransition(resolved, resolved.session.id, now, 'closed-while-away');
    return { ...t, result: 'closed-out' };
  }
  if (resolved.dnd.belief === 'on-flowbench') {
    const dnd = planDndOff(resolved.dnd, now);
    return { next: { ...resolved, dnd: dnd.intent }, effects: { ...none, dnd }, result: 'restored-dnd' };
  }
  return resolved === cur ? unchanged('none') : { next: resolved, effects: none, result: 'none' };
}

/** Which break comes next: long after every `every` completed work sessions. */
export function nextBreakKind(cur: FocusShared, every: number): 'short' | 'long' {
  return every > 0 && cur.workSinceLongBreak >= every ? 'long' : 'short';
}
