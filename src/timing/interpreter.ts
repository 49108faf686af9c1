import * as vscode from 'vscode';

/** Just the parts of ms-python.python's API (@vscode/python-extension) we use, so it stays a soft dependency. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

/**
 * The interpreter chosen in the Python extension for this file, when that extension is installed; undefined
 * otherwise or when it cannot tell within a few seconds (a slow environment discovery must not block timing).
 */
export async function pythonExtensionInterpreter(resource: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return undefined;
  const lookup = async () => {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const envs = api?.environments;
    if (!envs) return undefined;
    const active = envs.getActiveEnvironmentPath(resource);
    const resolved = await envs.resolveEnvironment(active);
    // A conda env without python has no executable; its folder path is then tried as a virtual environment.
    return resolved?.executable?.uri?.fsPath ?? active.path;
  };
  try {
    return await Promise.race([lookup(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
  } catch (err) {
    log.warn(`timing: could not ask the Python extension for its interpreter: ${String(err)}`);
    return undefined;
  }
}
