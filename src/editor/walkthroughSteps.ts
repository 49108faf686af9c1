/**
 * The first-run walkthrough's steps tick off on these context keys (package.json: completionEvents
 * "onContext:<key>"), set only when the step's command succeeded. No imports: a unit test checks them against
 * package.json without VS Code.
 */
export const WALKTHROUGH_STEPS = {
  focus: 'flowbench.walkthrough.focusStarted',
  timeCell: 'flowbench.walkthrough.cellTimed',
  split: 'flowbench.walkthrough.splitCreated',
  evaluate: 'flowbench.walkthrough.evaluated',
} as const;

export type WalkthroughStep = keyof typeof WALKTHROUGH_STEPS;
