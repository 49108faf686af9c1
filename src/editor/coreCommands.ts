import * as vscode from 'vscode';
import type { Feature, FeatureServices } from './feature';
import { VERSION } from '../util/version';

/** Commands that belong to no single feature. */
export function coreFeature(services: FeatureServices): Feature {
  return {
    commands: {
      'flowbench.showLog': () => services.log.show(true),
      'flowbench.about': async (args) => {
        const text = `Flowbench ${VERSION} on VS Code ${vscode.version} (${process.platform}-${process.arch})`;
        if (args?.quiet !== true) void vscode.window.showInformationMessage(text);
        return text;
      },
    },
  };
}
