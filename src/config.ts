import * as vscode from 'vscode';

/**
 * The one typed place where settings are read. Each feature reads its own section through these functions; the
 * defaults here repeat package.json's so a missing or mistyped value never reaches an engine.
 */
function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('flowbench');
}

function get<T>(key: string, fallback: T, valid: (v: unknown) => boolean = (v) => typeof v === typeof fallback): T {
  const v = section().get<unknown>(key);
  return v !== undefined && v !== null && valid(v) ? (v as T) : fallback;
}

export interface GeneralSettings {
  logLevelVerbose: boolean;
}

export function generalSettings(): GeneralSettings {
  return { logLevelVerbose: get('verboseLog', false) };
}

export const settingsSection = 'flowbench';
export { get as readSetting };
