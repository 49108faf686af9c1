"""Peer of `flowbench split` in splits.bench.mjs and bigdata.bench.mjs: pandas reads the whole file, scikit-learn's
StratifiedKFold (5 folds, shuffled, seed 42) on the label column makes the folds, pandas writes the fold column.
Usage: python3 split_pandas.py DATA.csv FOLDS_OUT.csv
"""
import sys
import numpy as np, pandas as pd
from sklearn.model_selection import StratifiedKFold
df = pd.read_csv(sys.argv[1])
fold = np.full(len(df), -1)
labels = df["label"].values
for f, (_, v) in enumerate(StratifiedKFold(n_splits=5, shuffle=True, random_state=42).split(np.zeros(len(df)), labels)):
    fold[v] = f
pd.DataFrame({"fold": fold}).to_csv(sys.argv[2], index=False)
