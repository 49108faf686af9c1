import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimpleGit } from 'simple-git';

export interface GitState {
  head: string | null;
  dirty: boolean;
}

/** Finds the repository root above `dir`, or null when `dir` is not in a git work tree. */
export function findGitRoot(dir: string): string | null {
  let cur = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(cur, '.git'))) return cur;
    const up = path.dirname(cur);
    if (up === cur) return null;
    cur = up;
  }
}

/** simple-git at `root`, loaded on first use so activation never pays for it. */
export async function simpleGitAt(root: string): Promise<SimpleGit> {
  const { simpleGit } = await import('simple-git');
  return simpleGit({ baseDir: root });
}

/** HEAD of the repository containing `dir`; null outside a repository, head null before the first commit. */
export async function readHead(dir: string): Promise<{ root: string; head: string | null } | null> {
  const root = findGitRoot(dir);
  if (!root) return null;
  const git = await simpleGitAt(root);
  try {
    return { root, head: (await git.revparse(['HEAD'])).trim() };
  } catch {
    return { root, head: null };
  }
}

/**
 * Whether a changed or untracked path (relative to the repository root, '/'-separated) is something Flowbench itself
 * writes: its .flowbench/ records, and the split files and manifests the split wizard writes beside the data
 * (*.folds.csv, *.folds.csv.json). The experiment ledger records a split by its manifest's hash, so a new split does
 * not make the code the run used differ from HEAD.
 */
export function isFlowbenchOutput(rel: string): boolean {
  const p = rel.replace(/\\/g, '/').replace(/^"|"$/g, '');
  return p.split('/').includes('.flowbench') || /\.folds\.csv(\.json)?$/i.test(p);
}

/** The changed and untracked paths of `git status --porcelain` that are not Flowbench's own outputs. */
export function userChanges(paths: string[]): string[] {
  return paths.filter((p) => !isFlowbenchOutput(p));
}

/**
 * HEAD and dirtiness. Null outside a repository. Dirty means the user's files differ from HEAD: Flowbench's own
 * outputs (isFlowbenchOutput) do not count, or every record written after the first would say "+dirty".
 */
export async function readGitState(dir: string): Promise<GitState | null> {
  const root = findGitRoot(dir);
  if (!root) return null;
  const git = await simpleGitAt(root);
  try {
    const head = (await git.revparse(['HEAD'])).trim();
    // Every untracked file by name (not its folder), so a new folder of split files is recognised as such.
    const status = await git.status(['--untracked-files=all']);
    return { head, dirty: userChanges(status.files.map((f) => f.path)).length > 0 };
  } catch {
    // A repository without commits has no HEAD yet.
    return { head: null, dirty: true };
  }
}
