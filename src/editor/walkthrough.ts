import * as vscode from 'vscode';
import { WALKTHROUGH_STEPS, type WalkthroughStep } from './walkthroughSteps';

export { WALKTHROUGH_STEPS, type WalkthroughStep };

/**
 * Ticks a walkthrough step: called only once its command succeeded, so a dismissed prompt or a failure ticks
 * nothing. VS Code keeps a ticked step ticked.
 */
export function markWalkthroughStep(step: WalkthroughStep): void {
  void vscode.commands.executeCommand('setContext', WALKTHROUGH_STEPS[step], true);
}
