// Entry of the child process that hosts onnxruntime-node (see src/inference/). Replaced by the inference feature.
export {};
