import * as path from 'node:path';
import * as vscode from 'vscode';
import { pageAssets, webviewOptions } from '../../editor/webviewAssets';
import type { SplitManifest } from '../../data/splitFile';

let panel: vscode.WebviewPanel | undefined;
let current: SplitManifest | undefined;
let currentRoot: string | undefined;

/**
 * Opens (or refreshes) the split report; its buttons copy the Python snippet or open the folds file. `manifest` has
 * absolute paths; the page and the snippet show them relative to `root` (the workspace folder).
 */
export async function showSplitReport(
  manifest: SplitManifest,
  context: Pick<vscode.ExtensionContext, 'subscriptions' | 'extensionUri'>,
  root?: string,
): Promise<void> {
  const { subscriptions, extensionUri } = context;
  const { splitReportHtml } = await import('../reportHtml');
  const { pythonSnippet } = await import('../pythonSnippet');
  current = manifest;
  currentRoot = root;
  if (!panel) {
    panel = vscode.window.createWebviewPanel(
      'flowbench.splitReport',
      'Flowbench Split',
      vscode.ViewColumn.Beside,
      webviewOptions(extensionUri, 'splitReport'),
    );
    panel.onDidDispose(
      () => {
        panel = undefined;
      },
      null,
      subscriptions,
    );
    panel.webview.onDidReceiveMessage(
      async (msg: { type?: string }) => {
        if (!current) return;
        if (msg.type === 'copyPython') {
          await vscode.env.clipboard.writeText(
            currentRoot ? pythonSnippet(current, { root: currentRoot }) : current.python,
          );
          void vscode.window.showInformationMessage(
            'Flowbench: Python snippet copied (pandas + scikit-learn, same indices).',
          );
        } else if (msg.type === 'openOutput') {
          await vscode.window.showTextDocument(vscode.Uri.file(current.output.file), { preview: true });
        }
      },
      null,
      subscriptions,
    );
  } else {
    panel.reveal(vscode.ViewColumn.Beside, true);
  }
  panel.title = `Split: ${path.basename(manifest.output.file)}`;
  panel.webview.html = splitReportHtml(manifest, {
    assets: pageAssets(panel.webview, extensionUri, 'splitReport'),
    root,
  });
}
