import * as vscode from 'vscode';

/** A results panel beside the editor; each run gets its own so results can be compared side by side. */
export function showResults(context: vscode.ExtensionContext, title: string, body: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(
    'flowbench.onnxResults',
    title,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: false },
  );
  context.subscriptions.push(panel);
  void import('../html').then(({ page }) => {
    panel.webview.html = page({ title, cspSource: panel.webview.cspSource }, body);
  });
  return panel;
}

/** The one experiments panel: re-rendered when an eval or bench appends to the ledger. */
class ExperimentsPanel {
  private panel: vscode.WebviewPanel | undefined;
  private root = '';

  async show(context: vscode.ExtensionContext, root: string): Promise<void> {
    this.root = root;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'flowbench.experiments',
        'Flowbench: Experiments',
        vscode.ViewColumn.Beside,
        { enableScripts: false },
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
    if (this.panel)
      this.panel.webview.html = page(
        { title: 'Experiments', cspSource: this.panel.webview.cspSource },
        ledgerBody(summarizeLedger(records), skipped.length),
      );
  }
}

export const experimentsPanel = new ExperimentsPanel();
