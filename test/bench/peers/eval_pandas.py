"""Peer of `flowbench eval` in bigdata.bench.mjs: pandas reads the data and the folds, onnxruntime (CPU) runs the
model on fold 0, scikit-learn computes the metrics; prints them as JSON.
Usage: python3 eval_pandas.py MODEL.onnx DATA.csv FOLDS.csv FEATURE,FEATURE,... CLASS,CLASS,...
"""
import sys, json, numpy as np, pandas as pd, onnxruntime as ort
from sklearn import metrics
model, data, folds = sys.argv[1:4]
features, classes = sys.argv[4].split(","), sys.argv[5].split(",")
labels = list(range(len(classes)))
df = pd.read_csv(data)
valid = pd.read_csv(folds)["fold"].values == 0
X = df.loc[valid, features].values.astype(np.float32)
y = df.loc[valid, "label"].map({c: i for i, c in enumerate(classes)}).values
s = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
label, proba = s.run(None, {"X": X})
print(json.dumps({
    "accuracy": metrics.accuracy_score(y, label),
    "balancedAccuracy": metrics.balanced_accuracy_score(y, label),
    "logLoss": metrics.log_loss(y, proba, labels=labels),
    "f1Macro": metrics.f1_score(y, label, average="macro"),
    "rocAuc": metrics.roc_auc_score(y, proba, multi_class="ovr", labels=labels),
}))
