"""Peer of `flowbench split` in bigdata.bench.mjs: polars reads the label column, scikit-learn's StratifiedKFold
(5 folds, shuffled, seed 42) makes the folds, polars writes the fold column.
Usage: python3 split_polars.py DATA.csv FOLDS_OUT.csv
"""
import sys, numpy as np, polars as pl
from sklearn.model_selection import StratifiedKFold
y = pl.read_csv(sys.argv[1], columns=["label"])["label"].to_numpy()
fold = np.full(len(y), -1)
for f, (_, v) in enumerate(StratifiedKFold(n_splits=5, shuffle=True, random_state=42).split(np.zeros(len(y)), y)):
    fold[v] = f
pl.DataFrame({"fold": fold}).write_csv(sys.argv[2])
