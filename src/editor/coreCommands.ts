import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import type { Feature, FeatureServices } from './feature';
import { VERSION } from '../util/version';

export const WALKTHROUGH_ID = 'flowbench.flowbench#flowbench.firstRun';

const SHOWN_KEY = 'flowbench.walkthrough.shownOnce';

/**
 * The first time Flowbench runs in a profile, its walkthrough opens beside the editor, as VS Code opens an
 * extension's walkthrough when it is installed from the marketplace (and under the same setting,
 * workbench.welcomePage.walkthroughs.openOnInstall). Not in test hosts; only once.
 */
export function openWalkthroughOnce(services: FeatureServices): void {
  const { context } = services;
  if (context.extensionMode === vscode.ExtensionMode.Test) return;
  if (context.globalState.get<boolean>(SHOWN_KEY)) return;
  const allowed = vscode.workspace
    .getConfiguration('workbench.welcomePage.walkthroughs')
    .get<boolean>('openOnInstall', true);
  if (!allowed) return;
  void context.globalState.update(SHOWN_KEY, true);
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, true).then(undefined, (e) => {
    services.log.warn(`could not open the walkthrough: ${String(e)}`);
  });
}

/** Commands that belong to no single feature. */
export function coreFeature(services: FeatureServices): Feature {
  openWalkthroughOnce(services);
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
