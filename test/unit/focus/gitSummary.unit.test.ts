import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitSummary } from '../../../src/focus/gitSummary';
import { readHead } from '../../../src/util/git';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@e',
    },
  }).trim();
}

describe('focus git summary', function () {
  this.timeout(20_000);
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-git-'));
    git(repo, 'init', '-q', '-b', 'main');
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('lists commits made during the session with files and lines changed', async () => {
    fs.writeFileSync(path.join(repo, 'train.py'), 'a\nb\nc\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'baseline');
    const start = await readHead(path.join(repo));
    assert.ok(start?.head);
    fs.writeFileSync(path.join(repo, 'train.py'), 'a\nB\nc\nd\n');
    git(repo, 'commit', '-q', '-am', 'tune learning rate');
    fs.writeFileSync(path.join(repo, 'eval.py'), 'x\ny\n');
    fs.writeFileSync(path.join(repo, 'blob.bin'), Buffer.from([0, 1, 2, 0]));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'add eval');
    // Uncommitted work is not part of the summary.
    fs.writeFileSync(path.join(repo, 'scratch.py'), 'z\n');
    const sum = await gitSummary(start.root, start.head);
    assert.equal(sum.headStart, start.head);
    assert.equal(sum.headEnd, git(repo, 'rev-parse', 'HEAD'));
    assert.deepEqual(
      sum.commits.map((c) => c.subject),
      ['add eval', 'tune learning rate'],
    );
    assert.equal(sum.commits[0].hash, sum.headEnd);
    assert.equal(sum.filesChanged, 3);
    assert.equal(sum.insertions, 4, '2 in train.py (B, d) + 2 in eval.py; binary has no line counts');
    assert.equal(sum.deletions, 1);
  });

  it('reports no commits when HEAD did not move', async () => {
    fs.writeFileSync(path.join(repo, 'f'), '1\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'one');
    const head = git(repo, 'rev-parse', 'HEAD');
    const sum = await gitSummary(repo, head);
    assert.deepEqual([sum.commits.length, sum.filesChanged, sum.insertions], [0, 0, 0]);
  });

  it('handles a repository that had no commit at the start', async () => {
    const start = await readHead(repo);
    assert.equal(start?.head, null);
    fs.writeFileSync(path.join(repo, 'f'), '1\n2\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'first');
    const sum = await gitSummary(repo, null);
    assert.deepEqual(
      sum.commits.map((c) => c.subject),
      ['first'],
    );
    assert.equal(sum.insertions, 2);
  });

  it('after a reset below the start HEAD, counts from the merge base', async () => {
    fs.writeFileSync(path.join(repo, 'f'), '1\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'one');
    fs.writeFileSync(path.join(repo, 'f'), '1\n2\n');
    git(repo, 'commit', '-q', '-am', 'two');
    const startHead = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    fs.writeFileSync(path.join(repo, 'g'), 'new\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'three');
    const sum = await gitSummary(repo, startHead);
    assert.deepEqual(
      sum.commits.map((c) => c.subject),
      ['three'],
    );
  });

  it('is null outside a repository', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-nogit-'));
    try {
      assert.equal(await readHead(plain), null);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });
});

describe('focus session end record with git activity', function () {
  this.timeout(20_000);
  it('logs the commits made between start and stop', async () => {
    const { FocusController } = await import('../../../src/focus/controller');
    const { FocusStateStore } = await import('../../../src/focus/store');
    const { readFocusLog } = await import('../../../src/focus/focusLog');
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-e2e-'));
    try {
      git(repo, 'init', '-q', '-b', 'main');
      fs.writeFileSync(path.join(repo, 'train.py'), 'print(1)\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'start');
      const clock = { now: Date.UTC(2026, 10, 26, 9) };
      const logFile = path.join(repo, '.flowbench', 'focus.jsonl');
      const c = new FocusController(
        new FocusStateStore(path.join(repo, '.state'), { windowId: 'w' }),
        'w',
        () => clock.now,
        {
          toggleDnd: async () => undefined,
          readHead,
          gitSummary,
          warn: () => undefined,
          info: () => undefined,
        },
      );
      await c.start({ kind: 'work', minutes: 25, intent: 'lr sweep', suppress: false, logFile, workspaceDir: repo });
      fs.writeFileSync(path.join(repo, 'train.py'), 'print(2)\nprint(3)\n');
      git(repo, 'commit', '-q', '-am', 'sweep lr');
      clock.now += 20 * 60_000;
      await c.stop('lr=3e-4 wins');
      const { sessions } = await readFocusLog(logFile);
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0].outcome, 'lr=3e-4 wins');
      assert.equal(sessions[0].focusedMin, 20);
      assert.deepEqual(
        sessions[0].git?.commits.map((x) => x.subject),
        ['sweep lr'],
      );
      assert.deepEqual(
        [sessions[0].git?.filesChanged, sessions[0].git?.insertions, sessions[0].git?.deletions],
        [1, 2, 1],
      );
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
