import {
  type FocusSession,
  type SessionSummary,
  activeMs,
  endsAt,
  formatRemaining,
  phase,
  remainingMs,
} from './session';

/** What the status-bar item shows, computed from timestamps only (so a render after sleep or reload is right). */
export interface FocusDisplay {
  text: string;
  tooltip: string;
  phase: 'idle' | 'running' | 'paused' | 'ended';
  remainingMs: number;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function focusDisplay(s: FocusSession | null, now: number): FocusDisplay {
  if (!s)
    return { text: '$(target) Focus', tooltip: 'Flowbench: start a focus session', phase: 'idle', remainingMs: 0 };
  const p = phase(s, now);
  const rem = remainingMs(s, now);
  const icon = p === 'paused' ? '$(debug-pause)' : s.kind === 'break' ? '$(coffee)' : '$(target)';
  const text = p === 'paused' ? `${icon} ${formatRemaining(rem)} paused` : `${icon} ${formatRemaining(rem)}`;
  const what = s.kind === 'break' ? `${s.breakKind === 'long' ? 'Long break' : 'Break'}` : 'Focus session';
  const lines = [
    `${what}${s.intent ? `: ${s.intent}` : ''}`,
    `Started ${clock(s.startedAt)}, ${Math.floor(activeMs(s, now) / 60_000)} ` +
      `of ${Math.round(s.plannedMs / 60_000)} min elapsed`,
  ];
  const end = endsAt(s);
  if (p === 'paused') lines.push('Paused: click to resume or stop');
  else if (end !== null) lines.push(`Ends ${clock(end)}; click for actions`);
  return { text, tooltip: lines.join('\n'), phase: p, remainingMs: rem };
}

export const STATUS_BAR_ID = 'flowbench.focus';
export const STATUS_BAR_NAME = 'Flowbench Focus';
/** How long the end-of-session highlight stays when nothing clears it sooner. */
export const HIGHLIGHT_MS = 60_000;

export interface StatusBarContent {
  text: string;
  tooltip: string;
  accessibilityLabel: string;
  /** Drawn in the warning colour: the end signal that no DND can hide. */
  warning: boolean;
}

export function statusBarContent(s: FocusSession | null, now: number, highlighted: boolean): StatusBarContent {
  const d = focusDisplay(s, now);
  return {
    text: highlighted && d.phase === 'idle' ? '$(bell-dot) Focus done' : d.text,
    tooltip: d.tooltip,
    // Screen readers would spell out the codicon names.
    accessibilityLabel: `${STATUS_BAR_NAME}: ${d.text.replace(/\$\([^)]*\)\s*/g, '')}`,
    warning: highlighted,
  };
}

/** A break the user stopped needs no signal; a work session's end, or a break that ran out, does. */
export function highlightsEnd(summary: Pick<SessionSummary, 'kind' | 'endedBy'>): boolean {
  return summary.kind === 'work' || summary.endedBy !== 'stopped';
}

/**
 * When the status bar must render next, or null when nothing moves (no session, or paused). The render lands when
 * the displayed second changes, so the countdown never skips or repeats a second, but never sooner than a second
 * after the last render (other triggers render too) and never in a busy loop.
 */
export function refreshDelay(s: FocusSession | null, now: number, lastRender: number): number | null {
  if (!s || s.pausedAt !== null) return null;
  const rem = s.startedAt + s.pausedMs + s.plannedMs - now;
  const untilSecond = rem > 0 ? rem % 1000 || 1000 : 0;
  return Math.max(untilSecond, 1000 - (now - lastRender), 50);
}
