import { UserError } from '../util/errors';
import { type IdleState, closeIdle, finalIdleMs, newIdleState, reopenIdle } from './idle';

/**
 * The focus-session state machine: idle (no session) → running ⇄ paused → ended. Every quantity is derived from
 * wall-clock timestamps (startedAt, pausedAt, accumulated pause), never from decrementing ticks, so a machine that
 * slept or a window that reloaded shows the right time on its next render. `now` is always passed in (injectable
 * clock).

 */

export type SessionKind = 'work' | 'break';
export type BreakKind = 'short' | 'long';
export type Phase = 'running' | 'paused' | 'ended';
export type EndReason = 'completed' | 'stopped' | 'closed-while-away';

export interface FocusSession {
  id: string;
  kind: SessionKind;
  breakKind: BreakKind | null;
  intent: string;
  startedAt: number;
  /** The planned active length, extensions included. */
  plannedMs: number;
  extendedMs: number;
  /** Set while paused: when the current pause began. */
  pausedAt: number | null;
  /** Sum of the pauses that have ended. */
  pausedMs: number;
  /** The window that started it (informational; effects are done by whichever window commits a transition). */
  startedBy: string;
  /** Where the end record goes (the starting window's workspace log or global storage). */
  logFile: string | null;
  gitRoot: string | null;
  headAtStart: string | null;
  /** Whether this session entered Zen mode in its starting window. */
  zen: boolean;
  idle: IdleState;
}

export interface SessionSummary {
  id: string;
  kind: SessionKind;
  breakKind: BreakKind | null;
  intent: string;
  startedAt: number;
  endedAt: number;
  plannedMs: number;
  extendedMs: number;
  focusedMs: number;
  pausedMs: number;
  idleMs: number;
  endedBy: EndReason;
}

export const MAX_SESSION_MINUTES = 24 * 60;
/** An intent is a label for the status bar and the log, not a document. */
export const MAX_INTENT_CHARS = 500;
const MINUTE = 60_000;

export function validateMinutes(value: unknown, what: string, max = MAX_SESSION_MINUTES): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new UserError(`${what} must be a positive number of minutes, got ${JSON.stringify(value)}`);
  }
  if (n > max) throw new UserError(`${what} must be at most ${max} minutes, got ${n}`);
  return n;
}

export interface NewSession {
  id: string;
  kind: SessionKind;
  breakKind?: BreakKind | null;
  minutes: number;
  intent?: string;
  now: number;
  windowId: string;
  logFile?: string | null;
  gitRoot?: string | null;
  headAtStart?: string | null;
  zen?: boolean;
}

export function createSession(o: NewSession): FocusSession {
  const minutes = validateMinutes(o.minutes, o.kind === 'break' ? 'Break length' : 'Session length');
  return {
    id: o.id,
    kind: o.kind,
    breakKind: o.kind === 'break' ? (o.breakKind ?? 'short') : null,
    intent: (o.intent ?? '').trim().slice(0, MAX_INTENT_CHARS),
    startedAt: o.now,
    plannedMs: Math.round(minutes * MINUTE),
    extendedMs: 0,
    pausedAt: null,
    pausedMs: 0,
    startedBy: o.windowId,
    logFile: o.logFile ?? null,
    gitRoot: o.gitRoot ?? null,
    headAtStart: o.headAtStart ?? null,
    zen: o.zen ?? false,
    idle: newIdleState(),
  };
}

/** Pause time up to `now`, the open pause included. A clock that went backwards never makes it negative. */
export function totalPausedMs(s: FocusSession, now: number): number {
  return s.pausedMs + (s.pausedAt !== null ? Math.max(0, now - s.pausedAt) : 0);
}

/** Active (unpaused) time since the start, clamped to [0, plannedMs]. */
export function activeMs(s: FocusSession, now: number): number {
  const raw = Math.max(0, now - s.startedAt) - totalPausedMs(s, now);
  return Math.min(s.plannedMs, Math.max(0, raw));
}

export function remainingMs(s: FocusSession, now: number): number {
  return s.plannedMs - activeMs(s, now);
}

/** When a running session will end (a paused one has no end yet). */
export function endsAt(s: FocusSession): number | null {
  return s.pausedAt !== null ? null : s.startedAt + s.pausedMs + s.plannedMs;
}

export function phase(s: FocusSession, now: number): Phase {
  if (s.pausedAt !== null) return 'paused';
  return remainingMs(s, now) <= 0 ? 'ended' : 'running';
}

function requirePhase(s: FocusSession, now: number, allowed: Phase[], action: string): void {
  const p = phase(s, now);
  if (!allowed.includes(p)) throw new UserError(`cannot ${action}: the session is ${p}`);
}

export function pause(s: FocusSession, now: number): FocusSession {
  requirePhase(s, now, ['running'], 'pause');
  return { ...s, pausedAt: now, idle: closeIdle(s.idle, now) };
}

export function resume(s: FocusSession, now: number): FocusSession {
  requirePhase(s, now, ['paused'], 'resume');
  const pausedMs = totalPausedMs(s, now);
  return { ...s, pausedAt: null, pausedMs, idle: reopenIdle(s.idle, now) };
}

export function togglePause(s: FocusSession, now: number): FocusSession {
  return s.pausedAt !== null ? resume(s, now) : pause(s, now);
}

/** Adds minutes to the plan; allowed while running or paused, not once the time is up (start another session then). */
export function extend(s: FocusSession, minutes: number, now: number): FocusSession {
  const m = validateMinutes(minutes, 'Extension', 4 * 60);
  requirePhase(s, now, ['running', 'paused'], 'extend');
  const add = Math.round(m * MINUTE);
  if (s.plannedMs + add > MAX_SESSION_MINUTES * MINUTE) {
    throw new UserError(`a session cannot be longer than ${MAX_SESSION_MINUTES} minutes`);
  }
  return { ...s, plannedMs: s.plannedMs + add, extendedMs: s.extendedMs + add };
}

/**
 * Closes the session. A session whose time ran out is ended at its scheduled end, not at `now`: if the machine slept or
 * VS Code was closed past the end, that time is neither focused nor paused.
 */
export function finish(s: FocusSession, now: number, reason: EndReason): SessionSummary {
  const scheduled = endsAt(s);
  const endedAt = scheduled !== null && now >= scheduled ? scheduled : Math.max(now, s.startedAt);
  const focusedMs = activeMs(s, endedAt);
  const pausedMs = totalPausedMs(s, endedAt);
  const endedBy: EndReason = reason === 'stopped' && scheduled !== null && now >= scheduled ? 'completed' : reason;
  return {
    id: s.id,
    kind: s.kind,
    breakKind: s.breakKind,
    intent: s.intent,
    startedAt: s.startedAt,
    endedAt,
    plannedMs: s.plannedMs,
    extendedMs: s.extendedMs,
    focusedMs,
    pausedMs,
    idleMs: Math.min(focusedMs, finalIdleMs(s.idle, endedAt)),
    endedBy,
  };
}

/** mm:ss below an hour, h:mm:ss above; rounds up so a fresh 25-minute session shows 25:00 and 0:00.4 shows 00:01. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}

/**
 * Milliseconds until the displayed (rounded-up) seconds value changes: the next render is due then, not on a fixed
 * tick.
 */
export function msUntilNextSecond(s: FocusSession, now: number): number {
  const rem = remainingMs(s, now);
  if (rem <= 0) return 0;
  const frac = rem % 1000;
  return frac === 0 ? 1000 : frac;
}
