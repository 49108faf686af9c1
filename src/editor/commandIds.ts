/**
 * Every command Flowbench contributes, by feature. No imports, so engines (the lens model) and tests can name a command
 * without loading VS Code; a unit test checks this list against package.json's contributes.commands both ways.
 */
export const COMMANDS = {
  core: {
    showLog: 'flowbench.showLog',
    about: 'flowbench.about',
    openWalkthrough: 'flowbench.openWalkthrough',
  },
  focus: {
    start: 'flowbench.focus.start',
    startInZen: 'flowbench.focus.startInZen',
    pause: 'flowbench.focus.pause',
    extend: 'flowbench.focus.extend',
    stop: 'flowbench.focus.stop',
    startBreak: 'flowbench.focus.break',
    showLog: 'flowbench.focus.showLog',
    actions: 'flowbench.focus.actions',
    dnd: 'flowbench.focus.dnd',
  },
  timing: {
    timeCell: 'flowbench.timing.timeCell',
    timeNotebookCell: 'flowbench.timing.timeNotebookCell',
    showHistory: 'flowbench.timing.showHistory',
    compare: 'flowbench.timing.compare',
    timeLoader: 'flowbench.timing.timeLoader',
  },
  lenses: {
    toggle: 'flowbench.lenses.toggle',
  },
  onnx: {
    inspect: 'flowbench.onnx.inspect',
    run: 'flowbench.onnx.run',
    bench: 'flowbench.onnx.bench',
    eval: 'flowbench.onnx.eval',
    installCuda: 'flowbench.onnx.installCuda',
    profile: 'flowbench.onnx.profile',
    showExperiments: 'flowbench.experiments.show',
  },
  split: {
    create: 'flowbench.split.create',
    showReport: 'flowbench.split.showReport',
    copyPython: 'flowbench.split.copyPython',
  },
} as const;

type Leaves<T> = T extends string ? T : { [K in keyof T]: Leaves<T[K]> }[keyof T];

export type CommandId = Leaves<typeof COMMANDS>;

export const ALL_COMMAND_IDS: readonly CommandId[] = Object.values(COMMANDS).flatMap(
  (group) => Object.values(group) as CommandId[],
);
