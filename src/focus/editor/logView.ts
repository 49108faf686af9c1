import * as vscode from 'vscode';
import { pageAssets, webviewOptions } from '../../editor/webviewAssets';
import { readFocusLog } from '../focusLog';
import { focusLogHtml } from '../logHtml';
import { type FocusStats, focusStats } from '../stats';

export interface LogViewResult {
  logFile: string;
  sessions: number;
  skipped: number[];
  warnings: string[];
  stats: FocusStats;
}

let panel: vscode.WebviewPanel | undefined;

/** Opens (or refreshes) the focus-log page: a script-free webview whose CSP admits only its stylesheets. */
export async function showFocusLog(
  logFile: string,
  now: number,
  log: vscode.LogOutputChannel,
  extensionUri: vscode.Uri,
): Promise<LogViewResult> {
  const read = await readFocusLog(logFile);
  for (const w of read.warnings) log.warn(`focus log: ${w}`);
  const stats = focusStats(read.sessions, now);
  if (!panel) {
    panel = vscode.window.createWebviewPanel(
      'flowbench.focusLog',
      'Flowbench Focus Log',
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri, 'focusLog'),
    );
    panel.onDidDispose(() => {
      panel = undefined;
    });
  } else {
    panel.reveal();
  }
  panel.webview.html = focusLogHtml({
    stats,
    sessions: read.sessions,
    assets: pageAssets(panel.webview, extensionUri, 'focusLog'),
    // Shown relative to the workspace folder when it is inside it: the page stays narrow.
    logFile: vscode.workspace.asRelativePath(logFile),
    warnings: read.warnings,
  });
  return { logFile, sessions: read.sessions.length, skipped: read.skipped, warnings: read.warnings, stats };
}

export function disposeFocusLogView(): void {
  panel?.dispose();
}
