import type { FocusLogSession } from './focusLog';

/**
 * Statistics over the focus log, in the machine's local time: focused minutes per day (a session counts on the day
 * it started), this week's total (weeks start on Monday) and the streak (consecutive days with focused work, ending
 * today, or yesterday while today has none yet). Only work sessions count; breaks are not focus.
 */
export interface DayTotal {
  /** Local date, YYYY-MM-DD. */
  date: string;
  minutes: number;
}

export interface FocusStats {
  days: DayTotal[];
  todayMinutes: number;
  weekMinutes: number;
  streakDays: number;
  workSessions: number;
}

export function localDateKey(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function startOfLocalDay(ms: number): Date {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Local midnight `n` calendar days before `from` (calendar arithmetic, so DST days of 23/25 h are handled). */
function daysBefore(from: Date, n: number): Date {
  return new Date(from.getFullYear(), from.getMonth(), from.getDate() - n);
}

const round = (x: number) => Math.round(x * 10) / 10;

export function focusStats(sessions: FocusLogSession[], now: number, dayCount = 14): FocusStats {
  const perDay = new Map<string, number>();
  let workSessions = 0;
  for (const s of sessions) {
    if (s.kind !== 'work') continue;
    const start = Date.parse(s.start);
    if (Number.isNaN(start) || start > now) continue;
    workSessions++;
    const key = localDateKey(start);
    perDay.set(key, (perDay.get(key) ?? 0) + Math.max(0, s.focusedMin));
  }
  const today = startOfLocalDay(now);
  const days: DayTotal[] = [];
  for (let i = dayCount - 1; i >= 0; i--) {
    const key = localDateKey(daysBefore(today, i).getTime());
    days.push({ date: key, minutes: round(perDay.get(key) ?? 0) });
  }
  const mondayOffset = (today.getDay() + 6) % 7;
  let week = 0;
  for (let i = 0; i <= mondayOffset; i++) week += perDay.get(localDateKey(daysBefore(today, i).getTime())) ?? 0;
  let streak = 0;
  let i = (perDay.get(localDateKey(today.getTime())) ?? 0) > 0 ? 0 : 1;
  while ((perDay.get(localDateKey(daysBefore(today, i).getTime())) ?? 0) > 0) {
    streak++;
    i++;
  }
  return {
    days,
    todayMinutes: round(perDay.get(localDateKey(today.getTime())) ?? 0),
    weekMinutes: round(week),
    streakDays: streak,
    workSessions,
  };
}
