import * as vscode from 'vscode';
import type { CommandId } from './commandIds';
import type { CommandHandlers, FeatureServices } from './feature';
import { CancelledError, UserError, errorMessage } from '../util/errors';
import { fsUserError } from '../util/fsErrors';

/**
 * The one place where commands are registered. Every handler is wrapped so that a bad input shows as a plain error
 * message, a cancellation is quiet, and an unexpected failure is logged with its stack instead of vanishing.
 */
export function registerCommands(services: FeatureServices, handlers: CommandHandlers): void {
  for (const [id, handler] of Object.entries(handlers) as [CommandId, NonNullable<CommandHandlers[CommandId]>][]) {
    services.context.subscriptions.push(
      vscode.commands.registerCommand(id, async (args?: unknown) => {
        // Explorer context menus pass a Uri as the first argument; wrap it so every handler sees an object.
        const argObject = args instanceof vscode.Uri ? { uri: args } : (args as Record<string, unknown> | undefined);
        try {
          return await handler(argObject);
        } catch (caught) {
          // A filesystem error on a path the user gave (a folder as a file, a read-only folder) is bad input too.
          const err = fsUserError(caught);
          if (err instanceof CancelledError) {
            services.log.info(`${id}: cancelled`);
            return undefined;
          }
          if (err instanceof UserError) {
            // A flag like --target means nothing here, where options come from prompts and arguments.
            const text = err.textFor('editor');
            services.log.warn(`${id}: ${text}`);
            void vscode.window.showErrorMessage(`Flowbench: ${text}`);
          } else {
            services.log.error(`${id} failed: ${(err as Error)?.stack ?? errorMessage(err)}`);
            void vscode.window.showErrorMessage(
              `Flowbench: ${errorMessage(err)} (see the Flowbench output for details)`,
            );
          }
          // Callers passing args (tests, other extensions) get the failure too.
          if (argObject !== undefined) throw err;
          return undefined;
        }
      }),
    );
  }
}

/** Runs one of Flowbench's own commands by its typed id (a command that calls another goes through its wrapper). */
export function runCommand<T = unknown>(id: CommandId, args?: Record<string, unknown>): Thenable<T> {
  return vscode.commands.executeCommand<T>(id, args);
}
