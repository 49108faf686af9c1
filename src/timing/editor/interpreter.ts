import * as vscode from 'vscode';

/** Just the parts of ms-python.python's API (@vscode/python-extension) we use, so it stays a soft dependency. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(
      env: { id: string; path: string } | string,
    ): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

/** Just the parts of ms-python.vscode-python-envs' API (@vscode/python-environments) we use. */
interface PythonEnvironmentsApi {
  getEnvironment(scope: vscode.Uri | undefined): Promise<{ execInfo?: { run?: { executable?: string } } } | undefined>;
}

async function withinSeconds<T>(seconds: number, work: () => Promise<T | undefined>): Promise<T | undefined> {
  return Promise.race([work(), new Promise<undefined>((r) => setTimeout(() => r(undefined), seconds * 1000))]);
}

/**
 * The interpreter chosen for this file in the Python Environments extension, else in the Python extension, when
 * installed; undefined otherwise or when neither tells within a few seconds (slow discovery must not block timing).
 */
export async function pythonExtensionInterpreter(
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  const envsExt = vscode.extensions.getExtension<PythonEnvironmentsApi>('ms-python.vscode-python-envs');
  if (envsExt) {
    try {
      const fromEnvs = await withinSeconds(5, async () => {
        const api = envsExt.isActive ? envsExt.exports : await envsExt.activate();
        return (await api?.getEnvironment?.(resource))?.execInfo?.run?.executable;
      });
      if (fromEnvs) return fromEnvs;
    } catch (err) {
      log.warn(`timing: could not ask the Python Environments extension for its interpreter: ${String(err)}`);
    }
  }
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
    return await withinSeconds(5, lookup);
  } catch (err) {
    log.warn(`timing: could not ask the Python extension for its interpreter: ${String(err)}`);
    return undefined;
  }
}
