import * as fs from 'node:fs';
import * as path from 'node:path';

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

/** HEAD and dirtiness via simple-git, loaded on first use so activation never pays for it. Null outside a repository. */
export async function readGitState(dir: string): Promise<GitState | null> {
  const root = findGitRoot(dir);
  if (!root) return null;
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: root });
  try {
    const head = (await git.revparse(['HEAD'])).trim();
    const status = await git.status();
    return { head, dirty: !status.isClean() };
  } catch {
    // A repository without commits has no HEAD yet.
    return { head: null, dirty: true };
  }
}
