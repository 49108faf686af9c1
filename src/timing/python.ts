import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, type MessageText } from '../util/errors';

/** Where an interpreter came from, so a wrong one can be traced back to the place that named it. */
export type PythonSource = 'explicit' | 'python-extension' | 'setting' | 'PATH';

export interface PythonCandidate {
  path: string | undefined;
  source: PythonSource;
  /** How to name the source in a message: '--python', 'flowbench.timing.pythonPath', … */
  via?: string;
}

export interface ResolvedPython {
  path: string;
  source: PythonSource;
}

/** The fix for a missing interpreter; the CLI adds its own flag, which the editor has no use for. */
export const NO_PYTHON_FIX: MessageText = (f) =>
  'Fix: install Python 3 and put python3 on PATH, or set flowbench.timing.pythonPath' +
  f.cliOnly(` (CLI: ${f('python', '/path/to/python')})`) +
  ', or pick an interpreter with the Python extension.';

/** Finds a command on PATH the way a shell would (PATHEXT on Windows), without running a shell. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((d) => d !== '');
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const full = path.join(dir, command + ext);
      if (isExecutableFile(full)) return full;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A virtual environment or conda folder given where an executable was expected: its interpreter. */
function interpreterInFolder(dir: string): string | undefined {
  const names =
    process.platform === 'win32'
      ? ['python.exe', path.join('Scripts', 'python.exe')]
      : [path.join('bin', 'python3'), path.join('bin', 'python'), 'python3', 'python'];
  return names.map((n) => path.join(dir, n)).find(isExecutableFile);
}

/**
 * The first candidate that names an interpreter wins (explicit, then the Python extension's choice, then the
 * setting), and it must exist; with none named, python3 (then python) on PATH. Every failure says how to fix it.
 */
export function resolvePython(candidates: PythonCandidate[], env: NodeJS.ProcessEnv = process.env): ResolvedPython {
  for (const c of candidates) {
    const named = c.path?.trim();
    if (!named) continue;
    const via = c.via ?? c.source;
    const looksLikePath = named.includes('/') || named.includes('\\') || path.isAbsolute(named);
    if (!looksLikePath) {
      const found = findOnPath(named, env);
      if (found) return { path: found, source: c.source };
      throw new UserError((f) => `Python interpreter '${named}' (from ${via}) is not on PATH. ${NO_PYTHON_FIX(f)}`);
    }
    const full = path.resolve(named);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(full);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const inside = interpreterInFolder(full);
      if (inside) return { path: inside, source: c.source };
    } else if (stat && isExecutableFile(full)) {
      return { path: full, source: c.source };
    }
    throw new UserError((f) => `Python interpreter not found: ${full} (from ${via}). ${NO_PYTHON_FIX(f)}`);
  }
  for (const name of ['python3', 'python']) {
    const found = findOnPath(name, env);
    if (found) return { path: found, source: 'PATH' };
  }
  throw new UserError((f) => `No Python found: python3 is not on PATH. ${NO_PYTHON_FIX(f)}`);
}
