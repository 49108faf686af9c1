import type * as vscode from 'vscode';

/** Handlers take one optional argument object that skips every prompt (keybinding args, other extensions, tests). */
export type CommandHandler = (args?: Record<string, unknown>) => unknown;

export interface FeatureServices {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
}

/** What a feature's thin VS Code layer hands to extension.ts: its command handlers. Disposables go to context.subscriptions. */
export interface Feature {
  commands: Record<string, CommandHandler>;
}
