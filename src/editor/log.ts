import * as vscode from 'vscode';

export function createLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  const log = vscode.window.createOutputChannel('Flowbench', { log: true });
  context.subscriptions.push(log);
  return log;
}
