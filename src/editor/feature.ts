import type * as vscode from 'vscode';
import type { CommandId } from './commandIds';

/** Handlers take one optional argument object that skips every prompt (keybinding args, other extensions, tests). */
export type CommandHandler = (args?: Record<string, unknown>) => unknown;

export type CommandHandlers = Partial<Record<CommandId, CommandHandler>>;

export interface FeatureServices {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
}

/**
 * What a feature's thin VS Code layer hands to extension.ts: its command handlers, and the small interface other
 * features (or scripts and tests, through the extension's exports) may use. Disposables go to context.subscriptions.
 */
export interface Feature<Api = undefined> {
  commands: CommandHandlers;
  api: Api;
}
