// A fresh copy of the demo workspace (test/fixtures/demo) for each run, made a git repository with one commit so the
// features that read git activity (focus log, timing history, experiment ledger) see a real HEAD.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './codeServer.mjs';

export const DEMO_SOURCE = path.join(ROOT, 'test', 'fixtures', 'demo');

export function prepareDemoWorkspace(target, { fresh = true } = {}) {
  if (fresh) fs.rmSync(target, { recursive: true, force: true });
  if (fs.existsSync(target)) return target;
  fs.cpSync(DEMO_SOURCE, target, { recursive: true });
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Flowbench Demo',
    GIT_AUTHOR_EMAIL: 'demo@flowbench.invalid',
    GIT_COMMITTER_NAME: 'Flowbench Demo',
    GIT_COMMITTER_EMAIL: 'demo@flowbench.invalid',
  };
  const git = (...args) => execFileSync('git', args, { cwd: target, env, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  // No .gitignore for .flowbench/: Flowbench keeps its own folder out of git, which the UI tests check.
  git('add', '-A');
  git('commit', '-q', '-m', 'Demo workspace');
  return target;
}
