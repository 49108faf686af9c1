import { UserError } from '../util/errors';
import { compareCodePoints, parseNumber, parsesAsNumber } from '../data/labels';
import type { ModelInfo, ValueInfo } from './onnxModel';
import type { WireTensor } from './protocol';

/** Which outputs carry what: read from the declared outputs, so it is known before the model runs. */
export type OutputRoles =
  | { task: 'classification'; label: ValueInfo | null; probabilities: ValueInfo | null }
  | { task: 'regression'; value: ValueInfo };

const FLOATS = new Set(['float', 'double', 'float16']);

/**
 * A classifier has a label output (int/string tensor, or named *label*) and/or a 2-D probability output (named
 * like prob, score or softmax, or beside a label). Anything else with a float output is a regressor. Non-tensor
 * outputs (ZipMap's seq(map)) are skipped: export with zipmap=False to get a probability tensor.
 */
export function outputRoles(model: ModelInfo): OutputRoles {
  const tensors = model.outputs.filter((o) => o.kind === 'tensor');
  if (tensors.length === 0) {
    throw new UserError(
      `the model has no tensor output (${model.outputs.map((o) => `${o.name}: ${o.elemType}`).join(', ')}); ` +
        `for scikit-learn classifiers export with options={'zipmap': False}`,
    );
  }
  const label = tensors.find((o) => /label/i.test(o.name)) ?? tensors.find((o) => !FLOATS.has(o.elemType)) ?? null;
  const floats = tensors.filter((o) => FLOATS.has(o.elemType) && o !== label);
  const probabilities =
    floats.find((o) => /prob|score|softmax/i.test(o.name)) ??
    (label ? (floats.find((o) => (o.shape?.length ?? 2) === 2) ?? null) : null);
  if (label || probabilities) return { task: 'classification', label, probabilities };
  if (floats.length === 0) throw new UserError('the model has no float output to use as a prediction');
  return { task: 'regression', value: floats[0] };
}

/** Class names in the order of the probability columns. */
export interface ClassSpace {
  names: string[];
  numeric: boolean;
  /** Where the order came from, for the report. */
  source: 'model metadata' | 'sorted target values';
}

/**
 * Class order: the model's metadata key `flowbench.classes` (a JSON array) when present; otherwise the target's
 * distinct values sorted as scikit-learn's classes_ are (numbers numerically, text by code point).
 */
export function classSpace(model: ModelInfo, targetValues: readonly string[]): ClassSpace {
  const declared = declaredClassSpace(model);
  if (declared) return declared;
  const distinct = [...new Set(targetValues.map((v) => v.trim()))];
  const numeric = distinct.every(parsesAsNumber);
  distinct.sort(numeric ? (a, b) => parseNumber(a) - parseNumber(b) : compareCodePoints);
  return { names: distinct, numeric, source: 'sorted target values' };
}

/** The classes the model's metadata lists in output order, if it lists them (else they come from the data). */
export function declaredClassSpace(model: ModelInfo): ClassSpace | undefined {
  const meta = model.metadata['flowbench.classes'] ?? model.metadata['classes'];
  if (!meta) return undefined;
  try {
    const names = JSON.parse(meta) as unknown;
    if (Array.isArray(names) && names.length > 0) {
      const strs = names.map(String);
      return { names: strs, numeric: strs.every(parsesAsNumber), source: 'model metadata' };
    }
  } catch {
    /* the data's own classes, then */
  }
  return undefined;
}

/** Code of a target cell in the class space, or -1. Numbers compare by value (1 == 1.0). */
export function classCoder(space: ClassSpace): (value: string) => number {
  const byText = new Map(space.names.map((n, i) => [n, i]));
  const byValue = new Map(space.numeric ? space.names.map((n, i) => [parseNumber(n), i]) : []);
  return (v) => {
    const t = v.trim();
    const hit = byText.get(t);
    if (hit !== undefined) return hit;
    return space.numeric && parsesAsNumber(t) ? (byValue.get(parseNumber(t)) ?? -1) : -1;
  };
}

export interface ClassPredictions {
  codes: Int32Array;
  /** Row-major [N, C] or null: the model's own array when it already has that shape (no copy). */
  proba: ArrayLike<number> | null;
}

/**
 * Turns raw outputs into class codes and probabilities. A string label is looked up by name; an integer label is a
 * class value when the classes are numbers that include every predicted value (skl2onnx), else an index.
 */
export function decodeClassifier(
  roles: Extract<OutputRoles, { task: 'classification' }>,
  outputs: Record<string, WireTensor>,
  rows: number,
  space: ClassSpace,
): ClassPredictions {
  const c = space.names.length;
  let proba: ArrayLike<number> | null = null;
  if (roles.probabilities) {
    const t = outputs[roles.probabilities.name];
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    if (t.dims[0] !== rows)
      throw new UserError(`output '${roles.probabilities.name}' has ${t.dims[0]} rows for ${rows} inputs`);
    const data = t.data as ArrayLike<number>;
    if (per === 1 && c === 2) {
      const two = new Float64Array(rows * 2);
      for (let i = 0; i < rows; i++) {
        two[2 * i] = 1 - data[i];
        two[2 * i + 1] = data[i];
      }
      proba = two;
    } else if (per === c) {
      proba = data;
    } else {
      throw new UserError(
        `output '${roles.probabilities.name}' gives ${per} probabilities per row but there are ${c} classes ` +
          `(${space.names.slice(0, 10).join(', ')}); add the model metadata 'flowbench.classes' listing ` +
          `the classes in output order`,
      );
    }
  }
  const codes = new Int32Array(rows);
  if (roles.label) {
    const t = outputs[roles.label.name];
    if (t.dims[0] !== rows)
      throw new UserError(`output '${roles.label.name}' has ${t.dims[0]} rows for ${rows} inputs`);
    const code = classCoder(space);
    if (t.type === 'string') {
      (t.data as string[]).forEach((s, i) => {
        codes[i] = code(s);
      });
    } else {
      const values = Array.from(t.data as ArrayLike<number | bigint>, Number);
      const asValues =
        space.numeric && space.source === 'sorted target values' && values.every((v) => code(String(v)) >= 0);
      values.forEach((v, i) => {
        codes[i] = asValues ? code(String(v)) : Number.isInteger(v) && v >= 0 && v < c ? v : -1;
      });
    }
    const bad = codes.findIndex((x) => x < 0);
    if (bad >= 0) {
      const raw = t.type === 'string' ? (t.data as string[])[bad] : String((t.data as ArrayLike<number | bigint>)[bad]);
      throw new UserError(
        `the model predicted label '${raw}', which is not one of the classes ` +
          `(${space.names.slice(0, 10).join(', ')}; from ${space.source})`,
      );
    }
  } else if (proba) {
    for (let i = 0; i < rows; i++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (proba[i * c + k] > proba[i * c + best]) best = k;
      codes[i] = best;
    }
  }
  return { codes, proba };
}

/** One prediction per row from a regressor's output ([N] or [N,1]). */
export function decodeRegressor(value: ValueInfo, outputs: Record<string, WireTensor>, rows: number): Float64Array {
  const t = outputs[value.name];
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  if (t.dims[0] !== rows || per !== 1)
    throw new UserError(
      `regression output '${value.name}' has shape [${t.dims.join(',')}]; expected one value per row ` +
        `([${rows}] or [${rows},1])`,
    );
  return Float64Array.from(t.data as ArrayLike<number>);
}

/** Concatenates outputs of row chunks along the first dimension. */
export function concatOutputs(parts: Record<string, WireTensor>[]): Record<string, WireTensor> {
  if (parts.length === 1) return parts[0];
  const out: Record<string, WireTensor> = {};
  for (const name of Object.keys(parts[0])) {
    const ts = parts.map((p) => p[name]);
    const rows = ts.reduce((a, t) => a + (t.dims[0] ?? 0), 0);
    const first = ts[0];
    let data: WireTensor['data'];
    if (Array.isArray(first.data)) data = ts.flatMap((t) => t.data as string[]);
    else {
      const total = ts.reduce((a, t) => a + (t.data as ArrayLike<unknown>).length, 0);
      const Ctor = (first.data as unknown as { constructor: new (n: number) => Float32Array }).constructor;
      const arr = new Ctor(total) as unknown as { set(a: unknown, o: number): void };
      let at = 0;
      for (const t of ts) {
        arr.set(t.data, at);
        at += (t.data as ArrayLike<unknown>).length;
      }
      data = arr as unknown as WireTensor['data'];
    }
    out[name] = { type: first.type, dims: [rows, ...first.dims.slice(1)], data };
  }
  return out;
}

/** The class names a model carries in its metadata (`flowbench.classes`, or `classes`), in output order. */
export function modelClassNames(model: Pick<ModelInfo, 'metadata'>): string[] | undefined {
  const meta = model.metadata['flowbench.classes'] ?? model.metadata['classes'];
  if (!meta) return undefined;
  try {
    const names = JSON.parse(meta) as unknown;
    return Array.isArray(names) && names.length > 0 ? names.map(String) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A prediction table as people read it: an integer label output shown as the class name the model carries (index
 * 1 → 'versicolor'), and a probability output's columns named after the classes ('probabilities (setosa)'). Tables of
 * models without class names, regressors and string labels are returned as they are.
 */
export function withClassNames<T extends { columns: string[]; rows: number; values: (number | string | boolean)[][] }>(
  table: T,
  model: ModelInfo,
): T {
  const names = modelClassNames(model);
  let roles: OutputRoles;
  try {
    roles = outputRoles(model);
  } catch {
    return table;
  }
  if (!names || roles.task !== 'classification') return table;
  const columns = [...table.columns];
  const values = table.values.map((col) => [...col]);
  const label = roles.label;
  if (label && label.elemType !== 'string') {
    const j = columns.indexOf(label.name);
    const col = j >= 0 ? values[j] : undefined;
    if (col && col.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length)) {
      values[j] = col.map((v) => names[v as number]);
    }
  }
  const proba = roles.probabilities;
  if (proba) {
    for (let k = 0; k < names.length; k++) {
      const j = columns.indexOf(`${proba.name}_${k}`);
      if (j >= 0) columns[j] = `${proba.name} (${names[k]})`;
    }
  }
  return { ...table, columns, values };
}
