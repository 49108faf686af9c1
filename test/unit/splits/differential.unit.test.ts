import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createSplit, type SplitRequest } from '../../../src/splits/engine';

/**
 * Beyond the oracle file: fresh random datasets, larger and with more classes (9, 12, 20: numpy's pairwise summation
 * with 8 accumulators matters for StratifiedGroupKFold's tie-breaking), split by the installed scikit-learn and by
 * Flowbench, compared row by row.
 */
const PY = String.raw`
import json, sys, warnings
import numpy as np, pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, GroupKFold, StratifiedKFold, train_test_split, TimeSeriesSplit
warnings.simplefilter("ignore")
out_dir = sys.argv[1]
rs = np.random.RandomState(7)
cases = []
def folds(cv, n, *args, **kw):
    f = np.full(n, -1)
    for i, (_, v) in enumerate(cv.split(*args, **kw)): f[v] = i
    return f.tolist()
for c in range(24):
    n = int(rs.randint(60, 500)); k = int(rs.randint(2, 7)); ncls = int(rs.choice([2, 3, 9, 12, 20])); ngrp = int(rs.randint(k, 80))
    y = rs.randint(0, ncls, size=n); g = rs.randint(0, ngrp, size=n)
    days = rs.randint(1, 29, size=n)
    df = pd.DataFrame({"x": rs.randn(n).round(3), "label": ["c%d" % v for v in y], "grp": g, "when": ["2024-03-%02d" % d for d in days]})
    path = "%s/c%d.csv" % (out_dir, c); df.to_csv(path, index=False)
    shuffle = bool(c % 2); seed = int(rs.randint(0, 2**31))
    res = {}
    def attempt(name, fn):
        try: res[name] = fn()
        except ValueError: res[name] = "error"
    X = np.zeros((n, 1))
    attempt("sgkf", lambda: folds(StratifiedGroupKFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None), n, X, df["label"].values, g))
    attempt("gkf", lambda: folds(GroupKFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None), n, X, groups=g))
    attempt("skf", lambda: folds(StratifiedKFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None), n, X, df["label"].values))
    def holdout():
        tr, te = train_test_split(np.arange(n), test_size=0.3, random_state=seed, stratify=df["label"].values)
        s = np.array(["unused"] * n, dtype=object); s[tr] = "train"; s[te] = "valid"; return s.tolist()
    attempt("holdout", holdout)
    def ts():
        order = np.argsort(pd.to_datetime(df["when"]).values, kind="stable")
        f = np.full(n, -1)
        for i, (_, v) in enumerate(TimeSeriesSplit(n_splits=k, gap=2).split(order)): f[order[v]] = i
        return f.tolist()
    attempt("ts", ts)
    cases.append(dict(path=path, k=k, shuffle=shuffle, seed=seed, out=res))
print(json.dumps(cases))
`;

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
    const r = spawnSync('python3', ['-c', PY, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
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
