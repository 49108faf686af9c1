import type { EndOutcome } from './controller';
import type { DndRecord } from './dnd';
import { focusDisplay } from './display';
import type { FocusSession, SessionSummary } from './session';
import type { FocusShared } from './state';

/** What every focus command returns: tests and other extensions read the session through it. */
export interface FocusStateResult {
  phase: 'idle' | 'running' | 'paused' | 'ended';
  remainingMs: number;
  text: string;
  tooltip: string;
  statusBar: { id: string; name: string | undefined; text: string; visible: boolean };
  session: FocusSession | null;
  dnd: DndRecord | null;
  /** DND toggles issued by this window's current runtime (DND itself cannot be read). */
  dndTogglesThisWindow: number;
  windowId: string;
  rev: number;
  logFile: string;
  workSinceLongBreak: number;
  lastEnded: SessionSummary | null;
}

/** The facts of one window's runtime that the result reports. */
export interface RuntimeFacts {
  state: FocusShared | null;
  now: number;
  /** The item as rendered, which is what the user sees (it can differ from the session's text, e.g. "Focus done"). */
  statusBar: { id: string; name: string | undefined; text: string };
  dndToggles: number;
  windowId: string;
  logFile: string;
}

export function focusStateResult(f: RuntimeFacts): FocusStateResult {
  const st = f.state;
  const d = focusDisplay(st?.session ?? null, f.now);
  return {
    phase: d.phase,
    remainingMs: d.remainingMs,
    text: f.statusBar.text,
    tooltip: d.tooltip,
    statusBar: { id: f.statusBar.id, name: f.statusBar.name, text: f.statusBar.text, visible: true },
    session: st?.session ?? null,
    dnd: st?.dnd ?? null,
    dndTogglesThisWindow: f.dndToggles,
    windowId: f.windowId,
    rev: st?.rev ?? 0,
    logFile: f.logFile,
    workSinceLongBreak: st?.workSinceLongBreak ?? 0,
    lastEnded: st?.lastEnded ?? null,
  };
}

/** A command's result when it may have ended a session: the state, then the command's own fields, then the end. */
export function withEnded<X extends object>(result: FocusStateResult, ended: EndOutcome | null, extra: X) {
  return {
    ...result,
    ...extra,
    ended: ended ? { summary: ended.summary, record: ended.record, logFile: ended.logFile } : null,
  };
}
