import * as vscode from 'vscode';
import { pageAssets, webviewOptions } from '../../editor/webviewAssets';

/** A results panel beside the editor; each run gets its own so results can be compared side by side. */
export function showResults(context: vscode.ExtensionContext, title: string, body: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(
    'flowbench.onnxResults',
    title,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    webviewOptions(context.extensionUri, 'inference'),
  );
  context.subscriptions.push(panel);
  void import('../html').then(({ page }) => {
    panel.webview.html = page({ title, assets: pageAssets(panel.webview, context.extensionUri, 'inference') }, body);
  });
  return panel;
}

/** The one experiments panel: re-rendered when an eval or bench appends to the ledger. */
class ExperimentsPanel {
  private panel: vscode.WebviewPanel | undefined;
  private root = '';
  private extensionUri: vscode.Uri | undefined;

  async show(context: vscode.ExtensionContext, root: string): Promise<void> {
    this.root = root;
    this.extensionUri = context.extensionUri;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'flowbench.experiments',
        'Flowbench: Experiments',
        vscode.ViewColumn.Beside,
        webviewOptions(context.extensionUri, 'inference'),
      );
      this.panel.onDidDispose(
        () => {
          this.panel = undefined;
        },
        null,
        context.subscriptions,
      );
      context.subscriptions.push(this.panel);
    } else this.panel.reveal(undefined, true);
    await this.render();
  }

  refresh(): void {
    if (this.panel) void this.render();
  }

  private async render(): Promise<void> {
    const { readLedger, summarizeLedger } = await import('../ledger');
    const { page, ledgerBody } = await import('../html');
    const { records, skipped } = await readLedger(this.root);
    if (this.panel && this.extensionUri)
      this.panel.webview.html = page(
        { title: 'Experiments', assets: pageAssets(this.panel.webview, this.extensionUri, 'inference') },
        ledgerBody(summarizeLedger(records), skipped.length),
      );
  }
}

export const experimentsPanel = new ExperimentsPanel();
