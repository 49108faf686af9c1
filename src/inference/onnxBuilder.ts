import { ProtoWriter } from './protobuf';

/**
 * A hand-written ONNX model writer: tests, benchmarks and the demo model build small models from JavaScript, so no
 * binary fixture or Python toolchain is needed and every weight is known to the test that checks the outputs.
 */

export type ElemType = 'float' | 'double' | 'int64' | 'int32' | 'string' | 'bool';
const ELEM_ID: Record<ElemType, number> = { float: 1, int32: 6, int64: 7, string: 8, bool: 9, double: 11 };

export interface IoSpec {
  name: string;
  type: ElemType;
  /** Numbers are fixed sizes, strings symbolic names, null an unknown dimension. Omit for an unranked output. */
  shape?: (number | string | null)[];
}

export type AttrValue = number | number[] | string | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  name?: string;
}

export interface InitSpec {
  name: string;
  dims: number[];
  type?: 'float' | 'int64';
  data: ArrayLike<number>;
}

export interface ModelSpec {
  inputs: IoSpec[];
  outputs: IoSpec[];
  nodes: NodeSpec[];
  initializers?: InitSpec[];
  producer?: string;
  producerVersion?: string;
  irVersion?: number;
  opset?: number;
  graphName?: string;
  metadata?: Record<string, string>;
}

function valueInfo(v: IoSpec): ProtoWriter {
  const tensor = new ProtoWriter().int(1, ELEM_ID[v.type]);
  if (v.shape) {
    const shape = new ProtoWriter();
    for (const d of v.shape) {
      const dim = new ProtoWriter();
      if (typeof d === 'number') dim.int(1, d);
      else if (typeof d === 'string') dim.string(2, d);
      shape.message(1, dim);
    }
    tensor.message(2, shape);
  }
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor));
}

function attribute(name: string, v: AttrValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  // AttributeProto.type: FLOAT=1, INT=2, STRING=3, INTS=7.
  if (typeof v === 'number') return a.int(3, v).int(20, 2);
  if (typeof v === 'string') return a.string(4, v).int(20, 3);
  if (Array.isArray(v)) return a.packedInts(8, v).int(20, 7);
  return a.float(2, v.float).int(20, 1);
}

function tensor(t: InitSpec): ProtoWriter {
  const w = new ProtoWriter()
    .packedInts(1, t.dims)
    .int(2, t.type === 'int64' ? 7 : 1)
    .string(8, t.name);
  const raw =
    t.type === 'int64'
      ? new Uint8Array(BigInt64Array.from(Array.from(t.data, (x) => BigInt(Math.trunc(x)))).buffer)
      : new Uint8Array(Float32Array.from(t.data).buffer);
  return w.bytes(9, raw);
}

/** Serialises a ModelProto. Field numbers follow onnx.proto; deterministic output for identical specs. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  spec.nodes.forEach((n, i) => {
    const node = new ProtoWriter();
    for (const x of n.inputs) node.string(1, x);
    for (const x of n.outputs) node.string(2, x);
    node.string(3, n.name ?? `${n.op}_${i}`).string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, attribute(k, v));
    graph.message(1, node);
  });
  graph.string(2, spec.graphName ?? 'flowbench');
  for (const t of spec.initializers ?? []) graph.message(5, tensor(t));
  for (const v of spec.inputs) graph.message(11, valueInfo(v));
  for (const v of spec.outputs) graph.message(12, valueInfo(v));
  const model = new ProtoWriter()
    .int(1, spec.irVersion ?? 8)
    .string(2, spec.producer ?? 'flowbench-onnx-builder')
    .string(3, spec.producerVersion ?? '1')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, spec.opset ?? 17));
  for (const [k, v] of Object.entries(spec.metadata ?? {}))
    model.message(14, new ProtoWriter().string(1, k).string(2, v));
  return model.finish();
}

// ---- Ready-made models -----------------------------------------------------------------------------------------

/** Y = Sigmoid(X·w + b), X float[N,F], Y float[N,1] named 'probability'. */
export function logisticRegressionModel(w: number[], b: number): Uint8Array {
  return buildModel({
    inputs: [{ name: 'X', type: 'float', shape: ['N', w.length] }],
    outputs: [{ name: 'probability', type: 'float', shape: ['N', 1] }],
    initializers: [
      { name: 'W', dims: [w.length, 1], data: w },
      { name: 'B', dims: [1], data: [b] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['X', 'W'], outputs: ['XW'] },
      { op: 'Add', inputs: ['XW', 'B'], outputs: ['Z'] },
      { op: 'Sigmoid', inputs: ['Z'], outputs: ['probability'] },
    ],
  });
}

/** Linear regressor Y = X·w + b, output float[N,1] named 'variable' as skl2onnx names it. */
export function linearRegressorModel(w: number[], b: number): Uint8Array {
  return buildModel({
    inputs: [{ name: 'X', type: 'float', shape: ['N', w.length] }],
    outputs: [{ name: 'variable', type: 'float', shape: ['N', 1] }],
    initializers: [
      { name: 'W', dims: [w.length, 1], data: w },
      { name: 'B', dims: [1], data: [b] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['X', 'W'], outputs: ['XW'] },
      { op: 'Add', inputs: ['XW', 'B'], outputs: ['variable'] },
    ],
  });
}

export interface Layer {
  /** Row-major [in, out] weights. */
  w: number[][];
  b: number[];
}

/** MLP: Gemm + Relu per hidden layer, Gemm + Softmax at the end; output 'probabilities' float[N,C]. */
export function mlpModel(layers: Layer[]): Uint8Array {
  const nodes: NodeSpec[] = [];
  const inits: InitSpec[] = [];
  let cur = 'X';
  layers.forEach((l, i) => {
    inits.push(
      { name: `W${i}`, dims: [l.w.length, l.b.length], data: l.w.flat() },
      { name: `B${i}`, dims: [l.b.length], data: l.b },
    );
    nodes.push({ op: 'Gemm', inputs: [cur, `W${i}`, `B${i}`], outputs: [`H${i}`] });
    cur = `H${i}`;
    if (i < layers.length - 1) {
      nodes.push({ op: 'Relu', inputs: [cur], outputs: [`R${i}`] });
      cur = `R${i}`;
    }
  });
  nodes.push({ op: 'Softmax', inputs: [cur], outputs: ['probabilities'], attrs: { axis: 1 } });
  return buildModel({
    inputs: [{ name: 'X', type: 'float', shape: ['N', layers[0].w.length] }],
    outputs: [{ name: 'probabilities', type: 'float', shape: ['N', layers[layers.length - 1].b.length] }],
    initializers: inits,
    nodes,
  });
}

/**
 * Softmax-regression classifier with two outputs: 'label' int64[N] (index into `classes`) and 'probabilities'
 * float[N,C]. Class names go to the metadata key `flowbench.classes` (JSON array) so evaluation maps indices back.
 */
export function classifierModel(
  w: number[][],
  b: number[],
  classes?: string[],
  producer?: string,
  metadata: Record<string, string> = {},
): Uint8Array {
  const f = w.length;
  const c = b.length;
  return buildModel({
    producer,
    inputs: [{ name: 'X', type: 'float', shape: ['N', f] }],
    outputs: [
      { name: 'label', type: 'int64', shape: ['N'] },
      { name: 'probabilities', type: 'float', shape: ['N', c] },
    ],
    initializers: [
      { name: 'W', dims: [f, c], data: w.flat() },
      { name: 'B', dims: [c], data: b },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['X', 'W', 'B'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attrs: { axis: 1 } },
      { op: 'ArgMax', inputs: ['logits'], outputs: ['label'], attrs: { axis: 1, keepdims: 0 } },
    ],
    metadata: classes ? { 'flowbench.classes': JSON.stringify(classes), ...metadata } : metadata,
  });
}

/** One float[N,1] input per column (as skl2onnx makes), concatenated, then X·w + b → 'variable'. */
export function perColumnRegressorModel(columns: string[], w: number[], b: number): Uint8Array {
  return buildModel({
    inputs: columns.map((name) => ({ name, type: 'float' as const, shape: ['N', 1] })),
    outputs: [{ name: 'variable', type: 'float', shape: ['N', 1] }],
    initializers: [
      { name: 'W', dims: [w.length, 1], data: w },
      { name: 'B', dims: [1], data: [b] },
    ],
    nodes: [
      { op: 'Concat', inputs: columns, outputs: ['X'], attrs: { axis: 1 } },
      { op: 'MatMul', inputs: ['X', 'W'], outputs: ['XW'] },
      { op: 'Add', inputs: ['XW', 'B'], outputs: ['variable'] },
    ],
  });
}

/** Loads fine but fails at run time: reshapes any [N,F] input to a fixed [7] (N·F ≠ 7 → ORT error). */
export function failingModel(features: number): Uint8Array {
  return buildModel({
    inputs: [{ name: 'X', type: 'float', shape: ['N', features] }],
    outputs: [{ name: 'Y', type: 'float', shape: [7] }],
    initializers: [{ name: 'shape', dims: [1], type: 'int64', data: [7] }],
    nodes: [{ op: 'Reshape', inputs: ['X', 'shape'], outputs: ['Y'] }],
  });
}

/**
 * A stack of square MatMul + Relu layers for throughput benchmarks (and CUDA-vs-CPU checks); weights are a fixed
 * pseudo-random pattern scaled like He initialisation, so activations keep their size through the layers.
 */
export function matmulStackModel(width: number, depth: number): Uint8Array {
  const inits: InitSpec[] = [];
  const nodes: NodeSpec[] = [];
  let cur = 'X';
  for (let i = 0; i < depth; i++) {
    const data = new Float32Array(width * width);
    const scale = Math.sqrt(6 / width);
    for (let j = 0; j < data.length; j++) data[j] = (((((j + i * 7919) * 2654435761) >>> 0) % 2001) / 1000 - 1) * scale;
    inits.push({ name: `W${i}`, dims: [width, width], data });
    nodes.push({ op: 'MatMul', inputs: [cur, `W${i}`], outputs: [`M${i}`] });
    nodes.push({ op: 'Relu', inputs: [`M${i}`], outputs: [i === depth - 1 ? 'Y' : `R${i}`] });
    cur = `R${i}`;
  }
  return buildModel({
    inputs: [{ name: 'X', type: 'float', shape: ['N', width] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['N', width] }],
    initializers: inits,
    nodes,
  });
}
