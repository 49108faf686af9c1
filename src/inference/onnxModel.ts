import { ProtoError, ProtoReader, type ProtoField } from './protobuf';
import { UserError } from '../util/errors';

/** ONNX TensorProto.DataType numbers → names as ONNX Runtime prints them (tensor(float) etc.). */
export const ELEM_TYPES: Record<number, string> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};
const ELEM_BYTES: Record<number, number> = {
  1: 4,
  2: 1,
  3: 1,
  4: 2,
  5: 2,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
  11: 8,
  12: 4,
  13: 8,
  14: 8,
  15: 16,
  16: 2,
  17: 1,
  18: 1,
  19: 1,
  20: 1,
  21: 0.5,
  22: 0.5,
  23: 0.5,
};

/** A dimension: a fixed size, a symbolic name (dim_param, e.g. "N"), or unknown (neither set). */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  /** 'tensor', 'sequence', 'map', 'optional', 'sparse_tensor' or 'unknown'. */
  kind: string;
  /** Element type name for tensors (float, int64, ...); for others a readable type like seq(map(int64,float)). */
  elemType: string;
  elemTypeId: number;
  /** null when the model declares no shape (rank unknown). */
  shape: Dim[] | null;
}

export interface ModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graphName: string;
  opsets: { domain: string; version: number }[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  metadata: Record<string, string>;
  initializerCount: number;
  parameterCount: number;
  parameterBytes: number;
  /** Initializers stored in separate files (data_location = EXTERNAL), counted by their declared size. */
  externalInitializers: number;
  nodeCount: number;
  /** op_type (with its domain when not the default one) → count, sorted by count then name. */
  operators: { op: string; count: number }[];
  /** Multiply-adds counted twice, for one batch row (symbolic dims = 1); null when shapes do not allow an estimate. */
  flopsPerRow: number | null;
  /** Nodes whose FLOPs could not be estimated (unknown shapes), so the figure is a lower bound when > 0. */
  flopsUnestimatedNodes: number;
  /** The main graph's nodes in file order (name '' when unnamed); subgraph nodes are only in the histogram. */
  nodes: GraphNode[];
}

export interface GraphNode {
  name: string;
  op: string;
  /** '' for the default domain (ai.onnx). */
  domain: string;
}

interface NodeInfo {
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, { i?: number; ints?: number[]; f?: number; s?: string }>;
}

interface GraphParse {
  name: string;
  nodes: NodeInfo[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  initShapes: Map<string, number[]>;
  initCount: number;
  params: number;
  bytes: number;
  external: number;
  subgraphOps: NodeInfo[];
}

/**
 * How deep types (seq(map(...))) and subgraphs (If/Loop/Scan bodies) may nest. Real models nest a few levels; a
 * hostile file nests thousands to exhaust the stack, so the readers count and stop with a clear error.
 */
export const MAX_NESTING = 100;

/** Thrown (and turned into a UserError naming the file) when a model nests deeper than MAX_NESTING. */
class NestingError extends Error {}

function deeper(depth: number, what: string): number {
  if (depth >= MAX_NESTING) throw new NestingError(`${what} nested more than ${MAX_NESTING} levels deep`);
  return depth + 1;
}

function parseType(
  r: ProtoReader,
  f: ProtoField,
  depth = 0,
): { kind: string; elemType: string; elemTypeId: number; shape: Dim[] | null } {
  depth = deeper(depth, 'types');
  const t = r.sub(f);
  for (let g = t.next(); g; g = t.next()) {
    if ((g.field === 1 || g.field === 8) && g.wire === 2) {
      const tt = t.sub(g);
      let elem = 0;
      let shape: Dim[] | null = null;
      for (let h = tt.next(); h; h = tt.next()) {
        if (h.field === 1 && h.wire === 0) elem = h.value;
        else if (h.field === 2 && h.wire === 2) {
          shape = [];
          const s = tt.sub(h);
          for (let d = s.next(); d; d = s.next()) {
            if (d.field !== 1 || d.wire !== 2) continue;
            const dr = s.sub(d);
            let dim: Dim = null;
            for (let e = dr.next(); e; e = dr.next()) {
              if (e.field === 1 && e.wire === 0) dim = e.value;
              else if (e.field === 2 && e.wire === 2) dim = dr.string(e);
            }
            shape.push(dim);
          }
        }
      }
      const kind = g.field === 1 ? 'tensor' : 'sparse_tensor';
      return { kind, elemType: ELEM_TYPES[elem] ?? `type${elem}`, elemTypeId: elem, shape };
    }
    if (g.field === 4 && g.wire === 2) {
      const inner = firstType(t, g, 1, depth);
      return { kind: 'sequence', elemType: `seq(${inner})`, elemTypeId: 0, shape: null };
    }
    if (g.field === 5 && g.wire === 2) {
      const m = t.sub(g);
      let key = 0;
      let value = '?';
      for (let h = m.next(); h; h = m.next()) {
        if (h.field === 1 && h.wire === 0) key = h.value;
        else if (h.field === 2 && h.wire === 2) value = describeType(m, h, depth);
      }
      return { kind: 'map', elemType: `map(${ELEM_TYPES[key] ?? key},${value})`, elemTypeId: 0, shape: null };
    }
    if (g.field === 9 && g.wire === 2) {
      return { kind: 'optional', elemType: `optional(${firstType(t, g, 1, depth)})`, elemTypeId: 0, shape: null };
    }
  }
  return { kind: 'unknown', elemType: 'unknown', elemTypeId: 0, shape: null };
}

function firstType(r: ProtoReader, f: ProtoField, field: number, depth: number): string {
  const s = r.sub(f);
  for (let h = s.next(); h; h = s.next()) if (h.field === field && h.wire === 2) return describeType(s, h, depth);
  return '?';
}

function describeType(r: ProtoReader, f: ProtoField, depth: number): string {
  const t = parseType(r, f, depth);
  return t.kind === 'tensor' ? `tensor(${t.elemType})` : t.elemType;
}

function parseValueInfo(r: ProtoReader, f: ProtoField): ValueInfo {
  const v = r.sub(f);
  let name = '';
  let type: ReturnType<typeof parseType> = { kind: 'unknown', elemType: 'unknown', elemTypeId: 0, shape: null };
  for (let g = v.next(); g; g = v.next()) {
    if (g.field === 1 && g.wire === 2) name = v.string(g);
    else if (g.field === 2 && g.wire === 2) type = parseType(v, g);
  }
  return { name, ...type };
}

function parseTensorSummary(
  r: ProtoReader,
  f: ProtoField,
): { name: string; dims: number[]; count: number; bytes: number; external: boolean } {
  const t = r.sub(f);
  let name = '';
  const dims: number[] = [];
  let dataType = 0;
  let rawBytes = -1;
  let external = false;
  for (let g = t.next(); g; g = t.next()) {
    if (g.field === 1) for (const d of t.varints(g)) dims.push(d);
    else if (g.field === 2 && g.wire === 0) dataType = g.value;
    else if (g.field === 8 && g.wire === 2) name = t.string(g);
    else if (g.field === 9 && g.wire === 2) rawBytes = g.end - g.start;
    else if (g.field === 14 && g.wire === 0) external = g.value === 1;
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = rawBytes >= 0 ? rawBytes : Math.ceil(count * (ELEM_BYTES[dataType] ?? 0));
  return { name, dims, count, bytes, external };
}

function parseNode(r: ProtoReader, f: ProtoField, into: GraphParse, depth: number): NodeInfo {
  const n = r.sub(f);
  const node: NodeInfo = { name: '', op: '', domain: '', inputs: [], outputs: [], attrs: new Map() };
  for (let g = n.next(); g; g = n.next()) {
    if (g.wire !== 2) continue;
    if (g.field === 1) node.inputs.push(n.string(g));
    else if (g.field === 2) node.outputs.push(n.string(g));
    else if (g.field === 3) node.name = n.string(g);
    else if (g.field === 4) node.op = n.string(g);
    else if (g.field === 7) node.domain = n.string(g);
    else if (g.field === 5) {
      const a = n.sub(g);
      let aname = '';
      const val: { i?: number; ints?: number[]; f?: number; s?: string } = {};
      for (let h = a.next(); h; h = a.next()) {
        if (h.field === 1 && h.wire === 2) aname = a.string(h);
        else if (h.field === 2 && h.wire === 5) val.f = a.float32(h);
        else if (h.field === 3 && h.wire === 0) val.i = h.value;
        else if (h.field === 4 && h.wire === 2) val.s = a.string(h);
        else if (h.field === 8) {
          const ints = (val.ints ??= []);
          for (const v of a.varints(h)) ints.push(v);
        } else if (h.field === 6 && h.wire === 2) {
          // Subgraphs of If/Loop/Scan: their operators count in the histogram, their weights in the parameters.
          const sub = parseGraph(a, h, depth);
          for (const op of sub.nodes) into.subgraphOps.push(op);
          for (const op of sub.subgraphOps) into.subgraphOps.push(op);
          into.params += sub.params;
          into.bytes += sub.bytes;
          into.initCount += sub.initCount;
        }
      }
      node.attrs.set(aname, val);
    }
  }
  return node;
}

function parseGraph(r: ProtoReader, f: ProtoField, depth = 0): GraphParse {
  depth = deeper(depth, 'subgraphs');
  const g = r.sub(f);
  const out: GraphParse = {
    name: '',
    nodes: [],
    inputs: [],
    outputs: [],
    valueInfo: [],
    initShapes: new Map(),
    initCount: 0,
    params: 0,
    bytes: 0,
    external: 0,
    subgraphOps: [],
  };
  for (let h = g.next(); h; h = g.next()) {
    if (h.wire !== 2) continue;
    switch (h.field) {
      case 1:
        out.nodes.push(parseNode(g, h, out, depth));
        break;
      case 2:
        out.name = g.string(h);
        break;
      case 5: {
        const t = parseTensorSummary(g, h);
        out.initShapes.set(t.name, t.dims);
        out.initCount++;
        out.params += t.count;
        out.bytes += t.bytes;
        if (t.external) out.external++;
        break;
      }
      case 11:
        out.inputs.push(parseValueInfo(g, h));
        break;
      case 12:
        out.outputs.push(parseValueInfo(g, h));
        break;
      case 13:
        out.valueInfo.push(parseValueInfo(g, h));
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Parses ONNX ModelProto bytes. Throws UserError naming `label` when the bytes are truncated or not an ONNX model,
 * since both come from the user's files.
 */
export function parseModel(bytes: Uint8Array, label = 'model'): ModelInfo {
  if (bytes.length === 0) throw new UserError(`${label} is empty (0 bytes), not an ONNX model`);
  const r = new ProtoReader(bytes);
  const info: Partial<ModelInfo> & { opsets: ModelInfo['opsets']; metadata: Record<string, string> } = {
    opsets: [],
    metadata: {},
  };
  let graph: GraphParse | null = null;
  let irSeen = false;
  try {
    for (let f = r.next(); f; f = r.next()) {
      if (f.wire === 0 && f.field === 1) {
        info.irVersion = f.value;
        irSeen = true;
      } else if (f.wire === 0 && f.field === 5) info.modelVersion = f.value;
      else if (f.wire !== 2) continue;
      else if (f.field === 2) info.producerName = r.string(f);
      else if (f.field === 3) info.producerVersion = r.string(f);
      else if (f.field === 4) info.domain = r.string(f);
      else if (f.field === 6) info.docString = r.string(f);
      else if (f.field === 7) graph = parseGraph(r, f);
      else if (f.field === 8) {
        const o = r.sub(f);
        let domain = '';
        let version = 0;
        for (let g = o.next(); g; g = o.next()) {
          if (g.field === 1 && g.wire === 2) domain = o.string(g);
          else if (g.field === 2 && g.wire === 0) version = g.value;
        }
        info.opsets.push({ domain, version });
      } else if (f.field === 14) {
        const e = r.sub(f);
        let key = '';
        let value = '';
        for (let g = e.next(); g; g = e.next()) {
          if (g.field === 1 && g.wire === 2) key = e.string(g);
          else if (g.field === 2 && g.wire === 2) value = e.string(g);
        }
        info.metadata[key] = value;
      }
    }
  } catch (err) {
    if (err instanceof NestingError) throw new UserError(`${label} has ${err.message}; not a model Flowbench can read`);
    if (err instanceof RangeError) {
      // A structure this reader did not expect to be so large (the nesting cap covers the known ones).
      throw new UserError(`${label} is too large or deeply nested to read (${err.message})`);
    }
    if (err instanceof ProtoError) {
      throw new UserError(
        err.truncated
          ? `${label} is truncated or corrupt (${err.message}); re-export or re-download it`
          : `${label} is not an ONNX model (${err.message})`,
      );
    }
    throw err;
  }
  if (!irSeen || !graph) {
    throw new UserError(
      `${label} is not an ONNX model ` +
        `(no ${!irSeen ? 'ir_version' : 'graph'} field${bytes.length < 64 ? '; the file may be truncated' : ''})`,
    );
  }
  if (info.opsets.length === 0)
    throw new UserError(`${label} has no opset_import; the file is truncated or not an ONNX model`);
  if (graph.inputs.length === 0 && graph.nodes.length === 0)
    throw new UserError(`${label} has an empty graph; not a usable ONNX model`);

  const initNames = new Set(graph.initShapes.keys());
  // IR < 4 models list initializers among the inputs too; they are not something a user feeds.
  const inputs = graph.inputs.filter((i) => !initNames.has(i.name));
  const hist = new Map<string, number>();
  for (const n of [...graph.nodes, ...graph.subgraphOps]) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.op}` : n.op;
    hist.set(key, (hist.get(key) ?? 0) + 1);
  }
  const flops = estimateFlops(graph, inputs);
  return {
    irVersion: info.irVersion ?? 0,
    producerName: info.producerName ?? '',
    producerVersion: info.producerVersion ?? '',
    domain: info.domain ?? '',
    modelVersion: info.modelVersion ?? 0,
    docString: info.docString ?? '',
    graphName: graph.name,
    opsets: info.opsets,
    inputs,
    outputs: graph.outputs,
    metadata: info.metadata,
    initializerCount: graph.initCount,
    parameterCount: graph.params,
    parameterBytes: graph.bytes,
    externalInitializers: graph.external,
    nodeCount: graph.nodes.length + graph.subgraphOps.length,
    operators: [...hist]
      .map(([op, count]) => ({ op, count }))
      .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op)),
    flopsPerRow: flops.flops,
    flopsUnestimatedNodes: flops.unknown,
    nodes: graph.nodes.map((n) => ({ name: n.name, op: n.op, domain: n.domain })),
  };
}

const ELEMENTWISE = new Set([
  'Relu',
  'Sigmoid',
  'Tanh',
  'Softmax',
  'LogSoftmax',
  'Exp',
  'Log',
  'Abs',
  'Neg',
  'Sqrt',
  'Identity',
  'Cast',
  'Dropout',
  'LeakyRelu',
  'Elu',
  'Gelu',
  'HardSigmoid',
  'Clip',
  'Erf',
  'BatchNormalization',
  'LayerNormalization',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Softplus',
  'Selu',
  'Reciprocal',
]);

/**
 * FLOPs of MatMul, Gemm and Conv (2 per multiply-add) for one batch row, with a light shape propagation from the
 * inputs (symbolic dims = 1). Other ops are cheap for the models this targets and are not counted.
 */
function estimateFlops(graph: GraphParse, inputs: ValueInfo[]): { flops: number | null; unknown: number } {
  const shapes = new Map<string, number[]>();
  const concrete = (s: Dim[] | null): number[] | null =>
    s ? s.map((d) => (typeof d === 'number' && d > 0 ? d : 1)) : null;
  for (const v of [...inputs, ...graph.valueInfo, ...graph.outputs]) {
    const c = concrete(v.shape);
    if (c && v.kind === 'tensor') shapes.set(v.name, c);
  }
  for (const [n, d] of graph.initShapes) shapes.set(n, d);
  let flops = 0;
  let counted = 0;
  let unknown = 0;
  for (const n of graph.nodes) {
    const a = shapes.get(n.inputs[0] ?? '');
    const b = shapes.get(n.inputs[1] ?? '');
    let out: number[] | null = null;
    if (n.op === 'MatMul' && a && b && a.length >= 1 && b.length >= 1) {
      const A = a.length === 1 ? [1, a[0]] : a;
      const B = b.length === 1 ? [b[0], 1] : b;
      const m = A[A.length - 2],
        k = A[A.length - 1],
        nn = B[B.length - 1];
      const batch = [...(A.length > B.length ? A : B).slice(0, -2)];
      flops += 2 * m * k * nn * batch.reduce((x, y) => x * y, 1);
      counted++;
      out = [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [nn])];
    } else if (n.op === 'Gemm' && a && b && a.length === 2 && b.length === 2) {
      const ta = n.attrs.get('transA')?.i ?? 0;
      const tb = n.attrs.get('transB')?.i ?? 0;
      const m = ta ? a[1] : a[0],
        k = ta ? a[0] : a[1],
        nn = tb ? b[0] : b[1];
      flops += 2 * m * k * nn;
      counted++;
      out = [m, nn];
    } else if (n.op === 'Conv' && a && b && a.length >= 3 && b.length === a.length) {
      const spatial = a.length - 2;
      const strides = n.attrs.get('strides')?.ints ?? new Array(spatial).fill(1);
      const dil = n.attrs.get('dilations')?.ints ?? new Array(spatial).fill(1);
      const pads = n.attrs.get('pads')?.ints ?? new Array(spatial * 2).fill(0);
      const autoPad = n.attrs.get('auto_pad')?.s ?? 'NOTSET';
      const outSpatial: number[] = [];
      for (let i = 0; i < spatial; i++) {
        const inp = a[2 + i],
          k = b[2 + i];
        if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') outSpatial.push(Math.ceil(inp / strides[i]));
        else outSpatial.push(Math.floor((inp + pads[i] + pads[i + spatial] - dil[i] * (k - 1) - 1) / strides[i]) + 1);
      }
      const kernel = b.slice(1).reduce((x, y) => x * y, 1); // Cin/group × kernel spatial
      flops += 2 * a[0] * b[0] * outSpatial.reduce((x, y) => x * y, 1) * kernel;
      counted++;
      out = [a[0], b[0], ...outSpatial];
    } else if (n.op === 'MatMul' || n.op === 'Gemm' || n.op === 'Conv') {
      unknown++;
    } else if (ELEMENTWISE.has(n.op) && (a || b)) {
      out = a && b ? (a.length >= b.length ? a : b) : (a ?? b)!;
    } else if (n.op === 'Flatten' && a) {
      const axis = n.attrs.get('axis')?.i ?? 1;
      const ax = axis < 0 ? a.length + axis : axis;
      out = [a.slice(0, ax).reduce((x, y) => x * y, 1), a.slice(ax).reduce((x, y) => x * y, 1)];
    } else if ((n.op === 'GlobalAveragePool' || n.op === 'GlobalMaxPool') && a) {
      out = [a[0], a[1], ...a.slice(2).map(() => 1)];
    }
    if (out && n.outputs[0] && !shapes.has(n.outputs[0])) shapes.set(n.outputs[0], out);
  }
  return { flops: counted > 0 || unknown === 0 ? flops : null, unknown };
}

/** Human-readable shape: [N,4] with symbolic names kept, '?' for unknown dims, 'unranked' when absent. */
export function formatShape(shape: Dim[] | null): string {
  if (!shape) return 'unranked';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
