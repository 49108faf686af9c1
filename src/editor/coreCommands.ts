import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import type { Feature, FeatureServices } from './feature';
import { VERSION } from '../util/version';

export const WALKTHROUGH_ID = 'flowbench.flowbench#flowbench.firstRun';

/** Commands that belong to no single feature. */
export function coreFeature(services: FeatureServices): Feature {
  return {
    commands: {
      [COMMANDS.core.showLog]: () => services.log.show(true),
      [COMMANDS.core.about]: async (args) => {
        const text = `Flowbench ${VERSION} on VS Code ${vscode.version} (${process.platform}-${process.arch})`;
        if (args?.quiet !== true) void vscode.window.showInformationMessage(text);
        return text;
      },
      [COMMANDS.core.openWalkthrough]: async () => {
        await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
        return { walkthrough: WALKTHROUGH_ID };
      },
    },
    api: undefined,
  };
}
