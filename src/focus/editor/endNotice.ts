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

  show(ended: EndOutcome): void {
    if (playsEndSound(ended.summary, focusSettings().sound)) playEndSound();
    void this.ask(ended);
  }

  private async ask(ended: EndOutcome): Promise<void> {
    const s = ended.summary;
    const m = endMessage(ended);
    const pick = await vscode.window.showInformationMessage(m.text, ...m.choices);
    const choices = this.ports.choices();
    if (pick === 'Start Focus Session' || pick === 'Another Session') await choices?.startSession();
    else if (pick === 'Start Break') await choices?.startBreak();
    else if (pick === 'Note Outcome' && ended.logFile) {
      const outcome = await vscode.window.showInputBox({
        title: 'Outcome of the focus session',
        prompt: outcomePrompt(s),
        ignoreFocusOut: true,
      });
      if (outcome && outcome.trim()) await this.ports.noteOutcome(ended.logFile, s.id, outcome);
    }
  }
}
