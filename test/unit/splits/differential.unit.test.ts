import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createSplit, type SplitRequest } from '../../../src/splits/engine';
import { peer } from '../peers';

/**
 * Beyond the oracle file: fresh random datasets, larger and with more classes, split by the installed scikit-learn
 * (test/peers/sklearn_random_splits.py) and by Flowbench, compared row by row.
 */
describe('splits: differential test against the installed scikit-learn on fresh random data', function () {
  this.timeout(120_000);
  let dir: string;
  let cases: Array<{
    path: string;
    k: number;
    shuffle: boolean;
    seed: number;
    out: Record<string, Array<string | number> | 'error'>;
  }>;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-diff-'));
    const r = spawnSync('python3', [peer('sklearn_random_splits.py'), dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0)
      throw new Error(
        `this test needs numpy, pandas and scikit-learn (python3 -m pip install pandas scikit-learn): ${r.stderr}`,
      );
    cases = JSON.parse(r.stdout);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('every strategy and case gives the same rows (or the same refusal)', async () => {
    const sk = spawnSync('python3', ['-c', 'import sklearn; print(sklearn.__version__)'], {
      encoding: 'utf8',
    }).stdout.trim();
    assert.equal(sk, '1.9.1', 'the reference must be the version Flowbench matches');
    const diffs: string[] = [];
    let compared = 0;
    for (const c of cases) {
      const requests: Record<string, Omit<SplitRequest, 'input' | 'out'>> = {
        sgkf: {
          strategy: 'stratified-group-kfold',
          target: 'label',
          group: 'grp',
          folds: c.k,
          shuffle: c.shuffle,
          seed: c.seed,
        },
        gkf: { strategy: 'group-kfold', group: 'grp', folds: c.k, shuffle: c.shuffle, seed: c.seed },
        skf: { strategy: 'stratified-kfold', target: 'label', folds: c.k, shuffle: c.shuffle, seed: c.seed },
        holdout: { strategy: 'holdout', target: 'label', testSize: { fraction: 0.3 }, seed: c.seed },
        ts: { strategy: 'time-series', time: 'when', folds: c.k, gap: 2 },
      };
      for (const [name, req] of Object.entries(requests)) {
        compared++;
        const out = path.join(dir, 'out.csv');
        let got: string[] | 'error';
        try {
          await createSplit({ ...req, input: c.path, out });
          got = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1);
        } catch {
          got = 'error';
        }
        const want = c.out[name];
        const same = want === 'error' ? got === 'error' : got !== 'error' && got.join() === want.map(String).join();
        if (!same) diffs.push(`${name} on ${path.basename(c.path)} (k=${c.k}, shuffle=${c.shuffle}, seed=${c.seed})`);
      }
    }
    assert.equal(compared, cases.length * 5);
    assert.deepEqual(diffs, []);
  });
});
