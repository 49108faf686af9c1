import * as vscode from 'vscode';
import { CancelledError } from '../../util/errors';
import {
  type ActionItem,
  DND_TITLE,
  type LengthItem,
  actionItems,
  actionsTitle,
  breakItems,
  dndItems,
  extendItems,
  lengthInputError,
  lengthItems,
} from '../choices';
import { type BreakKind, type FocusSession, phase, validateMinutes } from '../session';

/** The focus commands' questions to the user. A dismissed question is a CancelledError (nothing failed). */

export interface PickedLength {
  minutes: number;
  intent: string;
  /** The typed custom length, remembered for next time; null when a listed length was picked. */
  custom: number | null;
}

/** One quick pick for both questions: the typed text is the intent, the item is the length. */
export async function pickLength(
  defaultMinutes: number,
  intentDefault: string,
  lastCustom: number | null,
): Promise<PickedLength> {
  const items = lengthItems(defaultMinutes, lastCustom);
  const qp = vscode.window.createQuickPick<LengthItem>();
  qp.title = 'Start Focus Session';
  // Started from a page beside the editor (the walkthrough's button), the focus may move back to it a moment later:
  // the question stays until answered or dismissed with Escape.
  qp.ignoreFocusOut = true;
  qp.placeholder = 'What is this session for? (optional: type it, then pick a length; Enter starts the default)';
  qp.items = items;
  qp.value = intentDefault;
  qp.activeItems = [items[0]];
  qp.matchOnDescription = false;
  const picked = await new Promise<{ item: LengthItem; intent: string } | undefined>((resolve) => {
    qp.onDidAccept(() => {
      resolve({ item: qp.selectedItems[0] ?? qp.activeItems[0] ?? items[0], intent: qp.value });
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!picked) throw new CancelledError();
  if (picked.item.minutes !== null) return { minutes: picked.item.minutes, intent: picked.intent, custom: null };
  const typed = await vscode.window.showInputBox({
    title: 'Focus session length (minutes)',
    ignoreFocusOut: true,
    value: String(lastCustom ?? defaultMinutes),
    validateInput: lengthInputError,
  });
  if (typed === undefined) throw new CancelledError();
  const minutes = validateMinutes(typed, 'Length');
  return { minutes, intent: picked.intent, custom: minutes };
}

export async function pickBreakKind(breakMinutes: number, longBreakMinutes: number, suggested: BreakKind) {
  const pick = await vscode.window.showQuickPick(breakItems(breakMinutes, longBreakMinutes, suggested), {
    title: 'Start a break',
    ignoreFocusOut: true,
  });
  if (!pick) throw new CancelledError();
  return pick.breakKind;
}

export async function pickExtension(): Promise<number> {
  const pick = await vscode.window.showQuickPick(extendItems(), {
    title: 'Extend the focus session',
    ignoreFocusOut: true,
  });
  if (!pick) throw new CancelledError();
  return pick.minutes;
}

/** The status-bar click's menu; undefined when dismissed (not an error: the click just did nothing). */
export async function pickAction(s: FocusSession | null, now: number): Promise<ActionItem | undefined> {
  const p = s ? phase(s, now) : 'idle';
  return vscode.window.showQuickPick(actionItems(p, s?.kind), { title: actionsTitle(s, now) });
}

/** Whether DND is on, as the user reads it off the bell (no API can read it). */
export async function pickDndState(): Promise<boolean> {
  const pick = await vscode.window.showQuickPick(dndItems(), { title: DND_TITLE, ignoreFocusOut: true });
  if (!pick) throw new CancelledError();
  return pick.on;
}
