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

/** HEAD and dirtiness. Null outside a repository. */
export async function readGitState(dir: string): Promise<GitState | null> {
  const root = findGitRoot(dir);
  if (!root) return null;
  const git = await simpleGitAt(root);
  try {
    const head = (await git.revparse(['HEAD'])).trim();
    const status = await git.status();
    return { head, dirty: !status.isClean() };
  } catch {
    // A repository without commits has no HEAD yet.
    return { head: null, dirty: true };
  }
}
