import { type FocusSession, activeMs, endsAt, formatRemaining, phase, remainingMs } from './session';

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
  if (!s) return { text: '$(target) Focus', tooltip: 'Flowbench: start a focus session', phase: 'idle', remainingMs: 0 };
  const p = phase(s, now);
  const rem = remainingMs(s, now);
  const icon = p === 'paused' ? '$(debug-pause)' : s.kind === 'break' ? '$(coffee)' : '$(target)';
  const text = p === 'paused' ? `${icon} ${formatRemaining(rem)} paused` : `${icon} ${formatRemaining(rem)}`;
  const what = s.kind === 'break' ? `${s.breakKind === 'long' ? 'Long break' : 'Break'}` : 'Focus session';
  const lines = [
    `${what}${s.intent ? `: ${s.intent}` : ''}`,
    `Started ${clock(s.startedAt)}, ${Math.floor(activeMs(s, now) / 60_000)} of ${Math.round(s.plannedMs / 60_000)} min elapsed`,
  ];
  const end = endsAt(s);
  if (p === 'paused') lines.push('Paused: click to resume or stop');
  else if (end !== null) lines.push(`Ends ${clock(end)}; click for actions`);
  return { text, tooltip: lines.join('\n'), phase: p, remainingMs: rem };
}
