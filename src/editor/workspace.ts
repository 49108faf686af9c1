import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../util/errors';
import { projectRootFor } from '../util/flowbenchDir';

/**
 * The first workspace folder's path: where command arguments' relative paths and workspace-wide outputs are anchored.
 */
export function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/**
 * The project root a file's records (timings, experiments) go to in the editor: its workspace folder, or for a file
 * outside every folder, the root the CLI would choose for it (the same rule, so both write to one history).
 */
export function projectRootOf(file: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
  return folder ?? projectRootFor(file, { cwd: path.dirname(file) });
}

/** A path given in a command's arguments: absolute as is, relative to the first workspace folder otherwise. */
export function resolveInWorkspace(p: string): string {
  if (path.isAbsolute(p)) return p;
  const root = workspaceRoot();
  if (!root) throw new UserError(`a relative path (${p}) needs an open workspace folder`);
  return path.join(root, p);
}

/** An optional whole number in a command's arguments; anything else is a UserError naming the argument. */
export function intArg(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new UserError(`${name} must be a whole number, got ${JSON.stringify(v)}`);
  return v;
}
