/**
 * Hostile ONNX files for the adversarial suite and the protobuf fuzz: models built to exhaust the stack, to declare
 * absurd sizes, or to be cut and corrupted anywhere. Deep nesting is written in one pass (each level only adds bytes
 * in front of the inner message), so a 20,000-level file costs milliseconds to make.
 */
import { buildModel, classifierModel } from '../../../src/inference/onnxBuilder';

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** A length-delimited field key (wire type 2). */
const key = (field: number, wire = 2): number[] => varint(field * 8 + wire);

function modelAround(graph: Uint8Array): Uint8Array {
  const opset = [...key(1), 0, ...key(2, 0), 17];
  return Uint8Array.from([
    ...key(1, 0),
    8, // ir_version 8
    ...key(8),
    ...varint(opset.length),
    ...opset,
    ...key(7),
    ...varint(graph.length),
    ...graph,
  ]);
}

/**
 * A graph whose only node is an If whose then_branch is a graph whose only node is an If ... `depth` levels deep.
 */
export function nestedGraphModel(depth: number): Uint8Array {
  // The innermost graph: one input, so the outer checks see a graph at all.
  const input = [...key(1), 1, ...ascii('x')];
  const inner: number[] = [...key(11), ...varint(input.length), ...input];
  const prefixes: number[][] = [];
  let len = inner.length;
  for (let i = 0; i < depth; i++) {
    const attrPrefix = [...key(1), 1, ...ascii('t'), ...key(20, 0), 5, ...key(6), ...varint(len)];
    const attrLen = attrPrefix.length + len;
    const nodePrefix = [...key(4), 2, ...ascii('If'), ...key(5), ...varint(attrLen)];
    const nodeLen = nodePrefix.length + attrLen;
    const graphPrefix = [...key(1), ...varint(nodeLen)];
    len = graphPrefix.length + nodeLen;
    prefixes.push([...graphPrefix, ...nodePrefix, ...attrPrefix]);
  }
  const parts: number[] = [];
  for (let i = prefixes.length - 1; i >= 0; i--) for (const b of prefixes[i]) parts.push(b);
  for (const b of inner) parts.push(b);
  // The outermost graph also declares an input, so it reads as a real graph before the nesting is found.
  return modelAround(Uint8Array.from([...key(11), ...varint(input.length), ...input, ...parts]));
}

/** An input whose type is seq(seq(seq(... tensor(float) ...))) `depth` levels deep. */
export function nestedTypeModel(depth: number): Uint8Array {
  const tensor = [...key(1, 0), 1];
  let len = tensor.length + 2; // TypeProto { tensor_type: ... }
  const core = [...key(1), ...varint(tensor.length), ...tensor];
  const prefixes: number[][] = [];
  for (let i = 0; i < depth; i++) {
    // TypeProto { sequence_type (4): Sequence { elem_type (1): TypeProto } }
    const seqPrefix = [...key(1), ...varint(len)];
    const seqLen = seqPrefix.length + len;
    const typePrefix = [...key(4), ...varint(seqLen)];
    len = typePrefix.length + seqLen;
    prefixes.push([...typePrefix, ...seqPrefix]);
  }
  const type: number[] = [];
  for (let i = prefixes.length - 1; i >= 0; i--) for (const b of prefixes[i]) type.push(b);
  for (const b of core) type.push(b);
  const valueInfo = [...key(1), 1, ...ascii('x'), ...key(2), ...varint(type.length), ...type];
  const graph = [...key(11), ...varint(valueInfo.length), ...valueInfo];
  return modelAround(Uint8Array.from(graph));
}

/** A valid one-input model whose input declares `shape` (sizes a real model never has). */
export function declaredShapeModel(shape: (number | string)[]): Uint8Array {
  return buildModel({
    inputs: [{ name: 'X', type: 'float', shape }],
    outputs: [{ name: 'Y', type: 'float', shape }],
    nodes: [{ op: 'Identity', inputs: ['X'], outputs: ['Y'] }],
  });
}

/** A small valid classifier (two features, two classes) to cut and corrupt. */
export function victimModel(): Uint8Array {
  return classifierModel(
    [
      [-3, 3],
      [0, 0],
    ],
    [0, 0],
    ['neg', 'pos'],
  );
}

/** A deterministic PRNG (mulberry32), so generated cases are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` with `flips` random bytes replaced. */
export function corrupt(bytes: Uint8Array, seed: number, flips: number): Uint8Array {
  const next = prng(seed);
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < flips; i++) out[Math.floor(next() * out.length)] = Math.floor(next() * 256);
  return out;
}
