import * as path from 'node:path';
import { appendJsonl, readJsonl } from '../util/jsonl';
import type { GitSummary } from './gitSummary';
import type { BreakKind, EndReason, SessionKind, SessionSummary } from './session';

/**
 * The focus log: one JSON line per session (.flowbench/focus.jsonl in the workspace, or global storage). An outcome
 * noted after the end arrives as a separate small line keyed by the session id, so the session line is written the
 * moment the session ends and never waits on the user. Appends go through appendJsonl: a torn last line (a crash
 * mid-write) is isolated on its own line, skipped with a warning on read, and never corrupts later records.
 */

export const FOCUS_LOG_VERSION = 1;
export const WORKSPACE_LOG_PATH = path.join('.flowbench', 'focus.jsonl');

/** The workspace's log, unless the user chose global storage or no folder is open (then global storage). */
export function focusLogFile(location: 'workspace' | 'global', workspaceDir: string | null, globalDir: string) {
  if (location === 'global' || !workspaceDir) return path.join(globalDir, 'focus.jsonl');
  return path.join(workspaceDir, WORKSPACE_LOG_PATH);
}

export interface FocusLogSession {
  type: 'session';
  v: number;
  id: string;
  kind: SessionKind;
  breakKind: BreakKind | null;
  intent: string;
  outcome: string | null;
  start: string;
  end: string;
  endedBy: EndReason;
  plannedMin: number;
  extendedMin: number;
  focusedMin: number;
  pausedMin: number;
  idleMin: number;
  git: GitSummary | null;
}

export interface FocusLogOutcome {
  type: 'outcome';
  v: number;
  id: string;
  outcome: string;
  at: string;
}

const minutes = (ms: number) => Math.round((ms / 60_000) * 100) / 100;

export function toLogRecord(s: SessionSummary, git: GitSummary | null, outcome: string | null = null): FocusLogSession {
  return {
    type: 'session',
    v: FOCUS_LOG_VERSION,
    id: s.id,
    kind: s.kind,
    breakKind: s.breakKind,
    intent: s.intent,
    outcome: outcome && outcome.trim() !== '' ? outcome.trim() : null,
    start: new Date(s.startedAt).toISOString(),
    end: new Date(s.endedAt).toISOString(),
    endedBy: s.endedBy,
    plannedMin: minutes(s.plannedMs),
    extendedMin: minutes(s.extendedMs),
    focusedMin: minutes(s.focusedMs),
    pausedMin: minutes(s.pausedMs),
    idleMin: minutes(s.idleMs),
    git,
  };
}

export async function appendSession(file: string, record: FocusLogSession): Promise<void> {
  await appendJsonl(file, record);
}

export async function appendOutcome(file: string, id: string, outcome: string, now: number): Promise<void> {
  const rec: FocusLogOutcome = {
    type: 'outcome',
    v: FOCUS_LOG_VERSION,
    id,
    outcome: outcome.trim(),
    at: new Date(now).toISOString(),
  };
  await appendJsonl(file, rec);
}

export interface FocusLogRead {
  sessions: FocusLogSession[];
  /** 1-based line numbers skipped: torn or invalid JSON, or JSON that is not a focus record. */
  skipped: number[];
  warnings: string[];
}

function isSession(r: unknown): r is FocusLogSession {
  const x = r as FocusLogSession;
  return (
    !!x &&
    typeof x === 'object' &&
    x.type === 'session' &&
    typeof x.id === 'string' &&
    typeof x.start === 'string' &&
    !Number.isNaN(Date.parse(x.start)) &&
    typeof x.end === 'string' &&
    !Number.isNaN(Date.parse(x.end)) &&
    typeof x.focusedMin === 'number'
  );
}

function isOutcome(r: unknown): r is FocusLogOutcome {
  const x = r as FocusLogOutcome;
  return (
    !!x && typeof x === 'object' && x.type === 'outcome' && typeof x.id === 'string' && typeof x.outcome === 'string'
  );
}

/** Reads the log, merging outcome lines into their sessions (the last outcome wins), oldest session first. */
export async function readFocusLog(file: string): Promise<FocusLogRead> {
  const { records, skipped } = await readJsonl<unknown>(file);
  // readJsonl numbers only the lines it could not parse; count parsed-but-invalid records by position too.
  const bad: number[] = [...skipped];
  const sessions: FocusLogSession[] = [];
  const byId = new Map<string, FocusLogSession>();
  const outcomes: FocusLogOutcome[] = [];
  records.forEach((r, i) => {
    if (isSession(r)) {
      const copy = { ...r };
      sessions.push(copy);
      byId.set(copy.id, copy);
    } else if (isOutcome(r)) outcomes.push(r);
    else bad.push(-(i + 1));
  });
  for (const o of outcomes) {
    const s = byId.get(o.id);
    if (s) s.outcome = o.outcome;
  }
  const warnings: string[] = [];
  const torn = bad.filter((n) => n > 0).sort((a, b) => a - b);
  const invalid = bad.filter((n) => n < 0).length;
  if (torn.length > 0) warnings.push(`${file}: skipped unreadable line(s) ${torn.join(', ')} (an interrupted write?)`);
  if (invalid > 0) warnings.push(`${file}: skipped ${invalid} record(s) that are not focus sessions`);
  sessions.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return { sessions, skipped: torn, warnings };
}
