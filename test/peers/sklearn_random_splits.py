"""Reference for test/unit/splits/differential.unit.test.ts: fresh random datasets, larger and with more classes (9,
12, 20: numpy's pairwise summation with 8 accumulators matters for StratifiedGroupKFold's tie-breaking), each written
as a CSV to OUT_DIR and split by the installed scikit-learn (StratifiedGroupKFold, GroupKFold, StratifiedKFold,
train_test_split, TimeSeriesSplit). Prints JSON: per case the CSV, k, shuffle, seed and each strategy's fold (or
split) per row, or "error" where scikit-learn refuses.
Usage: python3 sklearn_random_splits.py OUT_DIR
"""
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
    n = int(rs.randint(60, 500)); k = int(rs.randint(2, 7)); ncls = int(rs.choice([2, 3, 9, 12, 20]))
    ngrp = int(rs.randint(k, 80))
    y = rs.randint(0, ncls, size=n); g = rs.randint(0, ngrp, size=n)
    days = rs.randint(1, 29, size=n)
    df = pd.DataFrame({"x": rs.randn(n).round(3), "label": ["c%d" % v for v in y], "grp": g,
                       "when": ["2024-03-%02d" % d for d in days]})
    path = "%s/c%d.csv" % (out_dir, c); df.to_csv(path, index=False)
    shuffle = bool(c % 2); seed = int(rs.randint(0, 2**31))
    state = seed if shuffle else None
    res = {}
    def attempt(name, fn):
        try: res[name] = fn()
        except ValueError: res[name] = "error"
    X = np.zeros((n, 1))
    labels = df["label"].values
    attempt("sgkf", lambda: folds(StratifiedGroupKFold(n_splits=k, shuffle=shuffle, random_state=state), n, X,
                                  labels, g))
    attempt("gkf", lambda: folds(GroupKFold(n_splits=k, shuffle=shuffle, random_state=state), n, X, groups=g))
    attempt("skf", lambda: folds(StratifiedKFold(n_splits=k, shuffle=shuffle, random_state=state), n, X, labels))
    def holdout():
        tr, te = train_test_split(np.arange(n), test_size=0.3, random_state=seed, stratify=labels)
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
