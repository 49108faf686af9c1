import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { COMMANDS } from '../../editor/commandIds';
import { lensSettings, setLensesEnabled, timingSettings } from '../../editor/config';
import type { Feature, FeatureServices } from '../../editor/feature';
import type { SplitsApi } from '../../splits/api';
import type { TimingsApi } from '../../timing/api';
import { TrainingScriptLensProvider } from './codeLensProvider';
import type { LensSpec } from '../lensModel';

/** What the lenses need from other features, each through that feature's small API. */
export interface LensesDeps {
  timings: TimingsApi;
  splits: SplitsApi;
}

/** For scripts and tests, through Flowbench's exports. */
export interface LensesApi {
  /** The lenses of a Python file (else the active editor's): what the editor shows, as data. */
  list(file?: string): Promise<LensSpec[]>;
}

export function lensesFeature(services: FeatureServices, deps: LensesDeps): Feature<LensesApi> {
  const { context, log } = services;
  const provider = new TrainingScriptLensProvider({
    settings: lensSettings,
    // The timing feature's markers (its setting, then the Jupyter extension's): our cells are the ones it times.
    cellMarkers: () => timingSettings().cellMarkers,
    cellTimings: async (file) => {
      const lookup = await deps.timings.cellTimings(file);
      return (site) => lookup({ hash: site.hash, index: site.cell });
    },
    loaderTimings: async (file) => {
      const lookup = await deps.timings.loaderTimings(file);
      return (site, hash) => lookup({ name: site.name, hash });
    },
    splitArgs: (site) => deps.splits.prefillFromCall(site),
    exists: (p) => fs.existsSync(p),
    log,
  });

  const isPython = (doc: vscode.TextDocument) => doc.languageId === 'python';
  context.subscriptions.push(
    provider,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, provider),
    // A timing recorded here or a history changed on disk: the lenses show it at once.
    deps.timings.onDidChange(() => provider.refresh()),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isPython(e.document) && e.contentChanges.length > 0) provider.refreshSoon();
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => provider.forget(doc)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (
        e.affectsConfiguration('jupyter.interactiveWindow.cellMarker') ||
        e.affectsConfiguration('flowbench.timing.cellMarkers')
      ) {
        provider.refresh({ rescan: true });
      } else if (e.affectsConfiguration('flowbench.lenses')) {
        provider.refresh();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => provider.refresh()),
  );

  return {
    commands: {
      /** Flips flowbench.lenses.enabled (args {enabled} sets it); returns the new state. */
      [COMMANDS.lenses.toggle]: async (args) => {
        const enabled = typeof args?.enabled === 'boolean' ? args.enabled : !lensSettings().enabled;
        await setLensesEnabled(enabled);
        provider.refresh();
        log.info(`lenses ${enabled ? 'on' : 'off'}`);
        return { enabled };
      },
    },
    api: {
      list: async (file) => {
        const target = file ?? vscode.window.activeTextEditor?.document.uri.fsPath;
        if (!target) return [];
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(target));
        return provider.specsFor(doc);
      },
    },
  };
}
