import * as vscode from 'vscode';
import { newNonce } from '../../util/html';
import type { SplitManifest } from '../../data/splitFile';

let panel: vscode.WebviewPanel | undefined;
let current: SplitManifest | undefined;

/** Opens (or refreshes) the split report; its buttons copy the Python snippet or open the folds file. */
export async function showSplitReport(manifest: SplitManifest, subscriptions: vscode.Disposable[]): Promise<void> {
  const { splitReportHtml } = await import('../reportHtml');
  current = manifest;
  if (!panel) {
    panel = vscode.window.createWebviewPanel('flowbench.splitReport', 'Flowbench Split', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [],
    });
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
          await vscode.env.clipboard.writeText(current.python);
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
  panel.title = `Split: ${manifest.strategy}`;
  panel.webview.html = splitReportHtml(manifest, { nonce: newNonce(), cspSource: panel.webview.cspSource });
}
