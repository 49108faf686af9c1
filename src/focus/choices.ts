import { COMMANDS, type CommandId } from '../editor/commandIds';
import { focusDisplay } from './display';
import { type BreakKind, type FocusSession, type Phase, type SessionKind, validateMinutes } from './session';

/**
 * The items of the focus quick picks. Plain data (each is a vscode.QuickPickItem by shape), so what the user is
 * offered is decided, and tested, without VS Code.
 */

export interface LengthItem {
  label: string;
  description?: string;
  /** null: "Custom length…", which asks for a number. */
  minutes: number | null;
  alwaysShow: boolean;
}

/**
 * The default length first, so Enter starts it; then the usual lengths and the last custom one. Every item is
 * alwaysShow, because the quick pick's text is the intent and typing it must not filter the lengths away.
 */
export function lengthItems(defaultMinutes: number, lastCustom: number | null): LengthItem[] {
  const lengths = [defaultMinutes, 25, 50, 90].filter((m, i, a) => a.indexOf(m) === i);
  const items: LengthItem[] = lengths.map((m, i) => ({
    label: `$(target) ${m} minutes`,
    description: i === 0 ? 'default' : undefined,
    minutes: m,
    alwaysShow: true,
  }));
  if (lastCustom !== null && !lengths.includes(lastCustom)) {
    const label = `$(history) ${lastCustom} minutes`;
    items.push({ label, description: 'last custom length', minutes: lastCustom, alwaysShow: true });
  }
  items.push({ label: '$(edit) Custom length…', minutes: null, alwaysShow: true });
  return items;
}

/** The custom-length box's validation message, undefined when the text is a valid length. */
export function lengthInputError(value: string): string | undefined {
  try {
    validateMinutes(value, 'Length');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface BreakItem {
  label: string;
  description?: string;
  // Not `kind`: QuickPickItem.kind means separator/default.
  breakKind: BreakKind;
}

/** Short and long break, the suggested one first. */
export function breakItems(breakMinutes: number, longBreakMinutes: number, suggested: BreakKind): BreakItem[] {
  const items: BreakItem[] = (['short', 'long'] as const).map((k) => ({
    label: `$(coffee) ${k === 'short' ? `Short break (${breakMinutes} min)` : `Long break (${longBreakMinutes} min)`}`,
    description: k === suggested ? 'suggested' : undefined,
    breakKind: k,
  }));
  if (suggested === 'long') items.reverse();
  return items;
}

export interface ExtendItem {
  label: string;
  minutes: number;
}

export function extendItems(): ExtendItem[] {
  return [5, 15].map((m) => ({ label: `$(add) ${m} minutes`, minutes: m }));
}

export interface ActionItem {
  label: string;
  command: CommandId;
  args?: Record<string, unknown>;
}

/** What the status-bar click offers: the live session's actions, or ways to start one; the log and DND always. */
export function actionItems(p: 'idle' | Phase, kind: SessionKind | undefined): ActionItem[] {
  const items: ActionItem[] = [];
  if (p === 'running' || p === 'paused') {
    const pauseLabel = p === 'paused' ? '$(debug-continue) Resume' : '$(debug-pause) Pause';
    items.push({ label: pauseLabel, command: COMMANDS.focus.pause });
    items.push({ label: '$(add) Extend by 5 minutes', command: COMMANDS.focus.extend, args: { minutes: 5 } });
    items.push({ label: '$(add) Extend by 15 minutes', command: COMMANDS.focus.extend, args: { minutes: 15 } });
    items.push({ label: '$(debug-stop) Stop', command: COMMANDS.focus.stop });
    if (kind === 'work') items.push({ label: '$(coffee) Stop and take a break', command: COMMANDS.focus.startBreak });
  } else {
    items.push({ label: '$(target) Start focus session', command: COMMANDS.focus.start });
    items.push({ label: '$(coffee) Start a break', command: COMMANDS.focus.startBreak });
  }
  items.push({ label: '$(graph) Show focus log', command: COMMANDS.focus.showLog });
  const dndLabel = '$(bell-slash) Tell Flowbench whether Do Not Disturb is on…';
  items.push({ label: dndLabel, command: COMMANDS.focus.dnd });
  return items;
}

/** The actions pick's title: the tooltip's first line (what the session is for), or the item's name. */
export function actionsTitle(s: FocusSession | null, now: number): string {
  return s ? focusDisplay(s, now).tooltip.split('\n')[0] : 'Flowbench Focus';
}

export interface DndItem {
  label: string;
  on: boolean;
}

export const DND_TITLE =
  'VS Code does not let extensions read Do Not Disturb: what does the bell in the status bar show?';

export function dndItems(): DndItem[] {
  return [
    { label: '$(bell-slash) Do Not Disturb is ON (I turned it on: Flowbench must leave it on)', on: true },
    { label: '$(bell) Do Not Disturb is OFF', on: false },
  ];
}
