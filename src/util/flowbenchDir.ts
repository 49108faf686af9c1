import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder Flowbench keeps a project's history in (timings, experiments, focus log, predictions). */
export const FLOWBENCH_DIR = '.flowbench';

/** What Flowbench writes into a .flowbench/ folder it creates, so its records stay out of `git status`. */
export const FLOWBENCH_GITIGNORE =
  "# Flowbench's own records (timings, experiments, focus log, predictions) stay out of git.\n" +
  '# Delete this file to commit them.\n*\n';

/** The .flowbench folder `dir` is in (or is), if any. */
export function flowbenchDirOf(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (path.basename(d) === FLOWBENCH_DIR) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Gives the .flowbench folder that `dir` lies in a .gitignore of its own (as pytest and ruff do for their caches),
 * unless it has one: Flowbench's records then never make a repository dirty. The user's own file is never replaced.
 */
export async function keepOutOfGit(dir: string): Promise<void> {
  const fb = flowbenchDirOf(dir);
  if (!fb) return;
  try {
    await fs.promises.writeFile(path.join(fb, '.gitignore'), FLOWBENCH_GITIGNORE, { flag: 'wx' });
  } catch {
    /* already there (or the folder is read-only): nothing to do */
  }
}

/** keepOutOfGit for the output layer's synchronous commit. */
export function keepOutOfGitSync(dir: string): void {
  const fb = flowbenchDirOf(dir);
  if (!fb) return;
  try {
    fs.writeFileSync(path.join(fb, '.gitignore'), FLOWBENCH_GITIGNORE, { flag: 'wx' });
  } catch {
    /* already there (or the folder is read-only): nothing to do */
  }
}

/** A file inside a project's .flowbench/ folder. */
export function flowbenchPath(root: string, ...parts: string[]): string {
  return path.join(root, FLOWBENCH_DIR, ...parts);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest folder at or above `dir` that holds `.git` (a folder, or a file in worktrees and submodules). */
export function gitRootOf(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The project a file belongs to when no editor workspace folder says so (the CLI): the nearest folder above the file
 * that already has .flowbench/, searched no higher than the boundary, else the boundary itself. The boundary is the
 * workspace folder when given, else the file's git root, else the working directory when the file is inside it, else
 * the file's own folder. The search never climbs past the boundary, so a stray .flowbench/ in the home folder or /tmp
 * cannot capture the history of every file below it.
 */
export function projectRootFor(file: string, options: { cwd: string; workspaceFolder?: string }): string {
  const start = path.dirname(path.resolve(file));
  const cwd = path.resolve(options.cwd);
  const boundary =
    (options.workspaceFolder && inside(options.workspaceFolder, start)
      ? path.resolve(options.workspaceFolder)
      : undefined) ??
    gitRootOf(start) ??
    (inside(cwd, start) ? cwd : start);
  for (let d = start; inside(boundary, d); d = path.dirname(d)) {
    if (isDirectory(path.join(d, FLOWBENCH_DIR))) return d;
    if (d === boundary || path.dirname(d) === d) break;
  }
  return boundary;
}

/**
 * A path as records store it: relative to the project root and '/'-separated when inside it (records survive moving
 * the project), else absolute. A relative `p` is taken from the process's working directory, as the CLI got it.
 */
export function portablePath(root: string, p: string): string {
  const abs = path.resolve(p);
  return inside(root, abs) && abs !== path.resolve(root) ? path.relative(root, abs).split(path.sep).join('/') : abs;
}
