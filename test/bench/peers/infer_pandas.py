"""Peer of `flowbench infer` in bigdata.bench.mjs: pandas reads the data, onnxruntime (CPU) runs the model on every
row, pandas writes the label and the probabilities.
Usage: python3 infer_pandas.py MODEL.onnx DATA.csv PREDICTIONS_OUT.csv FEATURE,FEATURE,...
"""
import sys, numpy as np, pandas as pd, onnxruntime as ort
model, data, out = sys.argv[1:4]
features = sys.argv[4].split(",")
df = pd.read_csv(data)
X = df[features].values.astype(np.float32)
s = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
label, proba = s.run(None, {"X": X})
pred = pd.DataFrame(proba, columns=[f"probabilities_{k}" for k in range(proba.shape[1])])
pred.insert(0, "label", label)
pred.to_csv(out, index=False)
