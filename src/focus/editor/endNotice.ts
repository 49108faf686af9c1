import * as vscode from 'vscode';
import { focusSettings } from '../../editor/config';
import type { EndOutcome } from '../controller';
import { endMessage, outcomePrompt, playsEndSound } from '../endMessage';
import { playEndSound } from '../sound';

export interface EndChoiceHandlers {
  startBreak(): Thenable<unknown>;
  startSession(): Thenable<unknown>;
}

export interface EndNoticePorts {
  /** The feature's commands behind the buttons; null until wired. */
  choices(): EndChoiceHandlers | null;
  noteOutcome(logFile: string, sessionId: string, outcome: string): Promise<void>;
}

/**
 * The end of a session as the user hears and reads it: the sound, then the notice with its buttons. It is only ever
 * handed an EndOutcome that the controller returned, and the controller restores DND before it returns one, so the
 * notice is never swallowed by the DND of the session it reports.
 */
export class EndNotice {
  constructor(private readonly ports: EndNoticePorts) {}

  /** `outcomeAsked`: the outcome was asked already (askOutcome), so the notice does not offer it again. */
  show(ended: EndOutcome, outcomeAsked = false): void {
    if (playsEndSound(ended.summary, focusSettings().sound)) playEndSound();
    void this.ask(ended, outcomeAsked);
  }

  /** Whether a stopped session's outcome is worth asking for: a work session with a log and no outcome yet. */
  asksOutcome(ended: EndOutcome): boolean {
    return !!ended.logFile && ended.summary.kind === 'work' && !ended.record?.outcome;
  }

  /** The user stopped the session: its outcome, asked at once (Enter with nothing skips it). */
  askOutcome(ended: EndOutcome): Promise<void> {
    return this.noteOutcome(ended);
  }

  private async noteOutcome(ended: EndOutcome): Promise<void> {
    const s = ended.summary;
    const outcome = await vscode.window.showInputBox({
      title: 'Outcome of the focus session (Enter with nothing to skip)',
      prompt: outcomePrompt(s),
      placeHolder: 'What came out of it: a result, a decision, the next step',
      ignoreFocusOut: true,
    });
    if (outcome && outcome.trim() && ended.logFile) await this.ports.noteOutcome(ended.logFile, s.id, outcome);
  }

  private async ask(ended: EndOutcome, outcomeAsked: boolean): Promise<void> {
    const m = endMessage(ended, { outcomeAsked });
    const pick = await vscode.window.showInformationMessage(m.text, ...m.choices);
    const choices = this.ports.choices();
    if (pick === 'Start Focus Session' || pick === 'Another Session') await choices?.startSession();
    else if (pick === 'Start Break') await choices?.startBreak();
    else if (pick === 'Note Outcome' && ended.logFile) await this.noteOutcome(ended);
  }
}
