import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { lensSettings, timingSettings } from '../editor/config';
import type { Feature, FeatureServices } from '../editor/feature';
import { defaultSplitPath } from '../data/splitFile';
import { onTimingRecorded } from '../timing/events';
import { HISTORY_DIR, HISTORY_FILE, historyFile, readHistory, relativeKey, summarizeCell, type TimingRecord } from '../timing/history';
import { historyRootOf } from '../timing/notebook';
import { TrainingScriptLensProvider } from './codeLensProvider';
import { splitPrefill } from '../splits/prefill';

export const WALKTHROUGH_ID = 'flowbench.flowbench#flowbench.firstRun';

/**
 * Timing records per history root. Each use checks the file's size and mtime (one stat), so the lenses are right
 * even when a file-watcher event is late or lost; the watcher and the timing feature's notice only trigger a refresh.
 */
class HistoryCache {
  private readonly byRoot = new Map<string, { stamp: string; records: Promise<TimingRecord[]> }>();

  async records(root: string): Promise<TimingRecord[]> {
    let stamp: string;
    try {
      const st = await fs.promises.stat(historyFile(root));
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      return []; // no timings yet
    }
    const cached = this.byRoot.get(root);
    if (cached && cached.stamp === stamp) return cached.records;
    const records = readHistory(root).then((h) => h.records);
    this.byRoot.set(root, { stamp, records });
    // A failed read is retried next time rather than cached.
    records.catch(() => this.byRoot.delete(root));
    return records;
  }

  clear(): void {
    this.byRoot.clear();
  }
}

export function lensesFeature(services: FeatureServices): Feature {
  const { context, log } = services;
  const history = new HistoryCache();
  const provider = new TrainingScriptLensProvider({
    settings: lensSettings,
    // The timing feature's markers (its setting, then the Jupyter extension's): our cells are the ones it times.
    cellMarkers: () => timingSettings().cellMarkers,
    cellTimings: async (file) => {
      // The same root the timing feature records into.
      const root = historyRootOf(vscode.Uri.file(file));
      const key = relativeKey(root, file);
      // This file's timings only: a long history of many files is then filtered once per refresh, not per cell.
      const records = (await history.records(root)).filter((r) => r.file === key);
      return (site) => {
        const summary = summarizeCell(records, { file: key, hash: site.hash, cell: site.cell });
        return summary ? { text: summary.lensText, tooltip: summary.tooltip } : undefined;
      };
    },
    splitArgs: (site) => splitPrefill(site),
    exists: (p) => fs.existsSync(p),
    defaultSplitFile: defaultSplitPath,
    log,
  });

  const isPython = (doc: vscode.TextDocument) => doc.languageId === 'python';
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${HISTORY_DIR}/${HISTORY_FILE}`);
  const onHistory = () => {
    history.clear();
    provider.refresh();
  };
  context.subscriptions.push(
    provider,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, provider),
    watcher,
    watcher.onDidChange(onHistory),
    watcher.onDidCreate(onHistory),
    watcher.onDidDelete(onHistory),
    // In-process notice from the timing feature: the lens updates at once, before the file watcher catches up.
    onTimingRecorded(onHistory),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isPython(e.document) && e.contentChanges.length > 0) provider.refreshSoon();
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => provider.forget(doc)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('jupyter.interactiveWindow.cellMarker') || e.affectsConfiguration('flowbench.timing.cellMarkers')) {
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
      'flowbench.lenses.toggle': async (args) => {
        const enabled = typeof args?.enabled === 'boolean' ? args.enabled : !lensSettings().enabled;
        const config = vscode.workspace.getConfiguration('flowbench');
        const target = config.inspect('lenses.enabled')?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
        await config.update('lenses.enabled', enabled, target);
        provider.refresh();
        log.info(`lenses ${enabled ? 'on' : 'off'}`);
        return { enabled };
      },
      /** The lenses of a Python file (args {file}, else the active editor's): what the editor shows, for tests and scripts. */
      'flowbench.lenses.list': async (args) => {
        const file = typeof args?.file === 'string' ? args.file : vscode.window.activeTextEditor?.document.uri.fsPath;
        if (!file) return [];
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
        return provider.specsFor(doc);
      },
      'flowbench.openWalkthrough': async () => {
        await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
        return { walkthrough: WALKTHROUGH_ID };
      },
    },
  };
}
