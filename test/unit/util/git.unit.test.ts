import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isFlowbenchOutput, readGitState } from '../../../src/util/git';
import { appendJsonl } from '../../../src/util/jsonl';
import { writeFileAtomic } from '../../../src/util/atomicWrite';
import { FLOWBENCH_GITIGNORE } from '../../../src/util/flowbenchDir';

describe('util/git: dirty means the user changed something, not that Flowbench wrote its records', function () {
  this.timeout(30_000);
  let root: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t.invalid',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t.invalid',
      },
    });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-git-'));
    git('init', '-q', '-b', 'main');
    fs.mkdirSync(path.join(root, 'data'));
    fs.writeFileSync(path.join(root, 'data', 'x.csv'), 'a,b\n1,2\n');
    fs.writeFileSync(path.join(root, 'train.py'), 'print(1)\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'init');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('names Flowbench outputs: its folder and the split files', () => {
    assert.ok(isFlowbenchOutput('.flowbench/timings.jsonl'));
    assert.ok(isFlowbenchOutput('sub/.flowbench/experiments.jsonl'));
    assert.ok(isFlowbenchOutput('data/flowers.skfold5-s42.folds.csv'));
    assert.ok(isFlowbenchOutput('data/flowers.skfold5-s42.folds.csv.json'));
    assert.ok(!isFlowbenchOutput('data/flowers.csv'));
    assert.ok(!isFlowbenchOutput('train.py'));
    assert.ok(!isFlowbenchOutput('flowbench/notes.md'));
  });

  it('records, predictions and split files leave the tree clean; `git status` shows none of .flowbench/', async () => {
    await appendJsonl(path.join(root, '.flowbench', 'timings.jsonl'), { v: 1 });
    await writeFileAtomic(path.join(root, '.flowbench', 'predictions', 'p.csv'), 'label\n1\n');
    fs.writeFileSync(path.join(root, 'data', 'x.kfold5.folds.csv'), 'fold\n0\n');
    fs.writeFileSync(path.join(root, 'data', 'x.kfold5.folds.csv.json'), '{}');
    assert.equal(fs.readFileSync(path.join(root, '.flowbench', '.gitignore'), 'utf8'), FLOWBENCH_GITIGNORE);
    // .flowbench/ ignores itself: only the split files the user may commit show in git status.
    assert.deepEqual(git('status', '--porcelain', '--untracked-files=all').trim().split('\n').sort(), [
      '?? data/x.kfold5.folds.csv',
      '?? data/x.kfold5.folds.csv.json',
    ]);
    const st = await readGitState(root);
    assert.equal(st?.dirty, false);
    assert.match(st?.head ?? '', /^[0-9a-f]{40}$/);
  });

  it("a user's edit, or a new file of theirs, is dirty", async () => {
    fs.appendFileSync(path.join(root, 'train.py'), 'print(2)\n');
    assert.equal((await readGitState(root))?.dirty, true);
    git('checkout', '--', 'train.py');
    fs.writeFileSync(path.join(root, 'data', 'new.csv'), 'a\n1\n');
    assert.equal((await readGitState(root))?.dirty, true);
  });

  it('never replaces a .gitignore the user put in .flowbench/', async () => {
    fs.mkdirSync(path.join(root, '.flowbench'));
    fs.writeFileSync(path.join(root, '.flowbench', '.gitignore'), '# mine: commit the focus log\n!focus.jsonl\n');
    await appendJsonl(path.join(root, '.flowbench', 'focus.jsonl'), { v: 1 });
    assert.equal(
      fs.readFileSync(path.join(root, '.flowbench', '.gitignore'), 'utf8'),
      '# mine: commit the focus log\n!focus.jsonl\n',
    );
  });
});
