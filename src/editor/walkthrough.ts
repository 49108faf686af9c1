import * as vscode from 'vscode';

/**
 * The first-run walkthrough's steps tick off on these context keys (package.json: completionEvents
 * "onContext:flowbench.walkthrough.<step>"), set only when the step's command succeeded: a dismissed prompt or a
 * failure ticks nothing. VS Code keeps a ticked step ticked.
 */
export const WALKTHROUGH_STEPS = {
  focus: 'flowbench.walkthrough.focusStarted',
  timeCell: 'flowbench.walkthrough.cellTimed',
  split: 'flowbench.walkthrough.splitCreated',
  evaluate: 'flowbench.walkthrough.evaluated',
} as const;

export type WalkthroughStep = keyof typeof WALKTHROUGH_STEPS;

export function markWalkthroughStep(step: WalkthroughStep): void {
  void vscode.commands.executeCommand('setContext', WALKTHROUGH_STEPS[step], true);
}
