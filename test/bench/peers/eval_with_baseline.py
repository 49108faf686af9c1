"""Peer of `flowbench eval` in inference.bench.mjs: pandas reads the data and the folds, the features are the numeric
columns other than the target, onnxruntime (CPU) runs the model on fold 0, its classes come from the model's
flowbench.classes metadata, scikit-learn computes the metrics and those of the prior baseline (the training folds'
class frequencies); prints them as JSON with the seconds the script took, imports included.
Usage: python3 eval_with_baseline.py MODEL.onnx DATA.csv FOLDS.csv TARGET
"""
import sys, time, json
t0 = time.perf_counter()
import numpy as np, pandas as pd, onnxruntime as ort
from sklearn import metrics as m
model, data, folds, target = sys.argv[1:5]
df = pd.read_csv(data)
fold = pd.read_csv(folds)["fold"].to_numpy()
valid, train = fold == 0, fold != 0
features = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
X = df.loc[valid, features].to_numpy(dtype=np.float32)
sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
label, proba = sess.run(["label", "probabilities"], {"X": X})
classes = json.loads(sess.get_modelmeta().custom_metadata_map["flowbench.classes"])
index = {c: i for i, c in enumerate(classes)}
y = df.loc[valid, target].map(index).to_numpy()
ytr = df.loc[train, target].map(index).to_numpy()
out = {"accuracy": m.accuracy_score(y, label), "balancedAccuracy": m.balanced_accuracy_score(y, label),
       "logLoss": m.log_loss(y, proba, labels=list(range(len(classes)))),
       "rocAuc": m.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=list(range(len(classes)))),
       "f1Macro": m.f1_score(y, label, average="macro")}
prior = np.bincount(ytr, minlength=len(classes)) / len(ytr)
base = np.full(len(y), prior.argmax())
out["baselineAccuracy"] = m.accuracy_score(y, base)
out["baselineLogLoss"] = m.log_loss(y, np.tile(prior, (len(y), 1)), labels=list(range(len(classes))))
out["seconds"] = time.perf_counter() - t0
print(json.dumps(out))
