import { COMMANDS } from '../../editor/commandIds';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pageAssets, webviewOptions } from '../../editor/webviewAssets';
import type { ProfileReport } from '../profile';

export const ONNX_VIEW_TYPE = 'flowbench.onnxInspector';

/** The latest profile of each model (this window's session), for the inspector to show beside its tables. */
export class ProfileResults implements vscode.Disposable {
  private readonly byModel = new Map<string, ProfileReport>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the model's path when it has a new profile. */
  readonly onDidChange = this.changed.event;

  get(model: string): ProfileReport | undefined {
    return this.byModel.get(path.resolve(model));
  }

  set(model: string, report: ProfileReport): void {
    this.byModel.set(path.resolve(model), report);
    this.changed.fire(path.resolve(model));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Read-only custom editor for *.onnx: the model is parsed from its protobuf in the extension host (no runtime, so it
 * also works in untrusted workspaces). A file that is not ONNX shows the error in the editor instead of failing.
 */
export class OnnxInspectorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionUri: vscode.Uri,
    private readonly profiles?: ProfileResults,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    // Its script (run buttons, sortable tables) only in a trusted workspace.
    const trusted = vscode.workspace.isTrusted;
    panel.webview.options = webviewOptions(this.extensionUri, 'inspector', { scripts: trusted });
    const { page, inspectBody, errorBody } = await import('../html');
    const name = vscode.workspace.asRelativePath(document.uri);
    const render = async (): Promise<void> => {
      try {
        const { parseModel } = await import('../onnxModel');
        // A local file is opened once and checked (a FIFO named x.onnx would block the read; the size is capped).
        const bytes =
          document.uri.scheme === 'file'
            ? await (await import('../modelFile')).readModelBytes(document.uri.fsPath)
            : await vscode.workspace.fs.readFile(document.uri);
        const info = parseModel(bytes, path.basename(document.uri.fsPath));
        panel.webview.html = page(
          { title: name, assets: pageAssets(panel.webview, this.extensionUri, 'inspector', { scripts: trusted }) },
          inspectBody(name, info, trusted, this.profiles?.get(document.uri.fsPath)),
        );
      } catch (err) {
        this.log.warn(`inspect ${name}: ${(err as Error).message}`);
        panel.webview.html = page(
          { title: name, assets: pageAssets(panel.webview, this.extensionUri, 'inspector', { scripts: false }) },
          errorBody(name, (err as Error).message),
        );
      }
    };
    await render();
    const commands: Record<string, string> = {
      run: COMMANDS.onnx.run,
      bench: COMMANDS.onnx.bench,
      eval: COMMANDS.onnx.eval,
      profile: COMMANDS.onnx.profile,
    };
    const subs: vscode.Disposable[] = [
      panel.webview.onDidReceiveMessage((m: { cmd?: string }) => {
        const id = m.cmd ? commands[m.cmd] : undefined;
        // Without args the command may prompt (data, split, target); the model is this file.
        if (id) vscode.commands.executeCommand(id, { uri: document.uri }).then(undefined, () => undefined);
      }),
    ];
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(
        vscode.Uri.file(path.dirname(document.uri.fsPath)),
        path.basename(document.uri.fsPath),
      ),
    );
    subs.push(
      watcher,
      watcher.onDidChange(() => void render()),
      ...(this.profiles
        ? [
            this.profiles.onDidChange((model) => {
              if (model === path.resolve(document.uri.fsPath)) void render();
            }),
          ]
        : []),
    );
    panel.onDidDispose(() => subs.forEach((d) => d.dispose()));
  }
}
