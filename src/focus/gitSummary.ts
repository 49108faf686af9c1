import { simpleGitAt } from '../util/git';

/**
 * What the repository gained during a session, read with simple-git (loaded on first use): HEAD at start and end,
 * the commits between them with their subjects, and the files/lines changed from start to end HEAD. Uncommitted
 * work is not counted: the log describes what the session committed.
 */
export interface GitCommit {
  hash: string;
  subject: string;
}

export interface GitSummary {
  root: string;
  headStart: string | null;
  headEnd: string | null;
  commits: GitCommit[];
  filesChanged: number;
  insertions: number;
  deletions: number;
}

/** The well-known id of git's empty tree: a diff base for a repository that had no commit at the start. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export async function gitSummary(root: string, headStart: string | null): Promise<GitSummary> {
  const g = await simpleGitAt(root);
  let headEnd: string | null;
  try {
    headEnd = (await g.revparse(['HEAD'])).trim();
  } catch {
    headEnd = null;
  }
  const summary: GitSummary = { root, headStart, headEnd, commits: [], filesChanged: 0, insertions: 0, deletions: 0 };
  if (!headEnd || headEnd === headStart) return summary;
  let base = headStart;
  if (base) {
    // After a reset or rebase the start HEAD may not be an ancestor: count from the merge base then.
    try {
      base = (await g.raw(['merge-base', base, headEnd])).trim() || null;
    } catch {
      base = null;
    }
  }
  const range = base ? `${base}..${headEnd}` : headEnd;
  const log = await g.raw(['log', '--format=%H%x09%s', range]);
  summary.commits = log
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const tab = l.indexOf('\t');
      return { hash: l.slice(0, tab), subject: l.slice(tab + 1) };
    });
  const numstat = await g.raw(['diff', '--numstat', base ?? EMPTY_TREE, headEnd]);
  for (const line of numstat.split('\n')) {
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(line);
    if (!m) continue;
    summary.filesChanged++;
    // Binary files show '-' for both counts: they count as changed files without lines.
    if (m[1] !== '-') summary.insertions += Number(m[1]);
    if (m[2] !== '-') summary.deletions += Number(m[2]);
  }
  return summary;
}
