import { UserError } from '../util/errors';

/** What pandas.read_csv would parse as a number (its float/int converters), so class order matches numpy's. */
export const NUMBER = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$|^\s*[+-]?(?:inf|infinity)\s*$/i;

export function parsesAsNumber(text: string): boolean {
  return NUMBER.test(text);
}

export function parseNumber(text: string): number {
  const t = text.trim().toLowerCase().replace(/^\+/, '');
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return Number(t);
}

/** Python's str ordering: by code point. JS `<` compares UTF-16 units, which differs only around astral characters. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const surrogateX = x >= 0xd800 && x <= 0xdfff;
      const surrogateY = y >= 0xd800 && y <= 0xdfff;
      if (surrogateX !== surrogateY) return surrogateX ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/**
 * A column encoded as numpy sees it after `pandas.read_csv(...).values`: `codes[row]` indexes `labels`, which are in
 * `np.unique` order (numeric when every value parses as a number, else by code point).
 */
export interface EncodedColumn {
  name: string;
  numeric: boolean;
  /** Distinct values in np.unique order, as first written in the file. */
  labels: string[];
  /** The numeric value of each label when the column is numeric. */
  values: number[];
  codes: Codes;
  counts: number[];
  /** For each label, the row where it first appears. */
  firstRow: number[];
}

/** Collects a column's values as they stream by: each distinct text once, plus one code per row. */
/** A code per row, as narrow as the column's distinct values allow (a byte a row for up to 256 labels). */
export type Codes = Uint8Array | Uint16Array | Int32Array;

function sameKind(c: Codes, n: number): Codes {
  return c instanceof Uint8Array
    ? new Uint8Array(n)
    : c instanceof Uint16Array
      ? new Uint16Array(n)
      : new Int32Array(n);
}

export class ColumnInterner {
  readonly distinct: string[] = [];
  readonly firstRow: number[] = [];
  private readonly index = new Map<string, number>();
  codes: Codes = new Uint8Array(1024);
  n = 0;

  constructor(readonly name: string) {}

  /** Adds one row's value; empty values are refused because scikit-learn cannot order NaN against labels either. */
  add(text: string, line: number): void {
    if (text.trim() === '')
      throw new UserError(`column '${this.name}' is empty on line ${line}; fill or drop rows without a value`);
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.distinct.length;
      this.index.set(text, code);
      this.distinct.push(text);
      this.firstRow.push(this.n);
    }
    this.widen();
    if (this.n === this.codes.length) this.grow();
    this.codes[this.n++] = code;
  }

  /** Moves the codes to a wider array once the distinct values outgrow the current one. */
  private widen(): void {
    const k = this.distinct.length;
    const c = this.codes;
    if (c instanceof Uint8Array ? k <= 256 : c instanceof Uint16Array ? k <= 65536 : true) return;
    const wider = k <= 65536 ? new Uint16Array(c.length) : new Int32Array(c.length);
    wider.set(c.subarray(0, this.n));
    this.codes = wider;
  }

  private readonly byHash = new Map<number, number>();
  private readonly rawOf: Buffer[] = [];

  /**
   * Adds a value straight from the file's bytes: repeated values are recognised by a hash of their raw bytes
   * (confirmed byte for byte), so a million-row label column is never decoded to a million strings.
   */
  addBytes(buf: Buffer, s: number, e: number, quoted: number, line: number): void {
    let h = 0x811c9dc5 | 0;
    for (let k = s; k < e; k++) h = Math.imul(h ^ buf[k], 0x01000193);
    const known = this.byHash.get(h);
    if (known !== undefined) {
      const raw = this.rawOf[known];
      if (raw.length === e - s) {
        let same = true;
        for (let k = 0; k < raw.length; k++)
          if (raw[k] !== buf[s + k]) {
            same = false;
            break;
          }
        if (same) {
          if (this.n === this.codes.length) this.grow();
          this.codes[this.n++] = known;
          return;
        }
      }
    }
    let text = buf.toString('utf8', s, e);
    if (quoted && text.includes('"')) text = text.replace(/""/g, '"');
    this.add(text, line);
    const code = this.codes[this.n - 1];
    if (known === undefined) {
      this.byHash.set(h, code);
      this.rawOf[code] = Buffer.from(buf.subarray(s, e));
    }
  }

  /**
   * Adds a chunk of rows the parallel reader interned on its own (its distinct texts and a code per row into them):
   * texts new to the column get the next codes, in the order they first appear, exactly as row-by-row adds would.
   */
  addChunk(dict: { texts: string[]; firstRow: Int32Array }, codes: Int32Array, firstRow: number): void {
    const remap = this.learn(dict, firstRow);
    this.widen();
    if (this.n + codes.length > this.codes.length) this.reserve(Math.max(this.codes.length * 2, this.n + codes.length));
    const out = this.codes;
    let at = this.n;
    for (let r = 0; r < codes.length; r++) out[at++] = remap[codes[r]];
    this.n = at;
  }

  /**
   * Registers a chunk's distinct texts (new ones get the next codes, in first-appearance order) and returns the
   * chunk's codes in this column's numbering, without keeping a code per row (streams that need none).
   */
  mapChunk(dict: { texts: string[]; firstRow: Int32Array }, codes: Int32Array, firstRow: number): Int32Array {
    const remap = this.learn(dict, firstRow);
    // A plain loop: Int32Array.from with a mapping function goes through the iterator, 10x slower per row.
    const out = new Int32Array(codes.length);
    for (let r = 0; r < codes.length; r++) out[r] = remap[codes[r]];
    return out;
  }

  /** The code of a text already seen, or undefined. */
  code(text: string): number | undefined {
    return this.index.get(text);
  }

  private learn(dict: { texts: string[]; firstRow: Int32Array }, firstRow: number): Int32Array {
    const remap = new Int32Array(dict.texts.length);
    dict.texts.forEach((text, i) => {
      let code = this.index.get(text);
      if (code === undefined) {
        code = this.distinct.length;
        this.index.set(text, code);
        this.distinct.push(text);
        this.firstRow.push(firstRow + dict.firstRow[i]);
      }
      remap[i] = code;
    });
    return remap;
  }

  /** Sizes the code array for about `rows` rows up front (estimated from the file size), avoiding doubling copies. */
  reserve(rows: number): void {
    if (rows <= this.codes.length) return;
    const sized = sameKind(this.codes, Math.ceil(rows));
    sized.set(this.codes.subarray(0, this.n));
    this.codes = sized;
  }

  private grow(): void {
    const grown = sameKind(this.codes, this.codes.length * 2);
    grown.set(this.codes);
    this.codes = grown;
  }

  /** The column as numpy sees it. `consume`: recode this interner's own per-row array in place (no second copy of
   * a code per row; the interner is not used afterwards). */
  encode(consume = false): EncodedColumn {
    return encodeInterned(this.name, this.distinct, this.firstRow, this.codes.subarray(0, this.n), consume);
  }
}

/** Encodes raw cell texts (tests and small inputs). */
export function encodeColumn(
  name: string,
  cells: readonly string[],
  lineOfRow: (row: number) => number = (r) => r + 2,
): EncodedColumn {
  const interner = new ColumnInterner(name);
  cells.forEach((c, i) => interner.add(c, lineOfRow(i)));
  return interner.encode();
}

/**
 * From distinct texts (in first-appearance order) to numpy's view: numbers merge by value ("3" and "3.0" are one
 * class, as pandas parses them) and sort numerically; otherwise texts sort by code point.
 */
export function encodeInterned(
  name: string,
  distinct: readonly string[],
  distinctFirstRow: readonly number[],
  textCodes: Codes,
  inPlace = false,
): EncodedColumn {
  const numeric = distinct.every((t) => NUMBER.test(t));
  // Merge texts that are the same number; `group[t]` is the merged class of text t, in first-appearance order.
  const group = new Int32Array(distinct.length);
  const firstLabels: string[] = [];
  const firstValues: number[] = [];
  const firstRow: number[] = [];
  const byValue = new Map<number | string, number>();
  distinct.forEach((t, i) => {
    const key = numeric ? parseNumber(t) : t;
    let g = byValue.get(key);
    if (g === undefined) {
      g = firstLabels.length;
      byValue.set(key, g);
      firstLabels.push(t);
      firstValues.push(numeric ? (key as number) : NaN);
      firstRow.push(distinctFirstRow[i]);
    } else if (distinctFirstRow[i] < firstRow[g]) firstRow[g] = distinctFirstRow[i];
    group[i] = g;
  });
  const order = firstLabels.map((_, i) => i);
  if (numeric) order.sort((a, b) => firstValues[a] - firstValues[b]);
  else order.sort((a, b) => compareCodePoints(firstLabels[a], firstLabels[b]));
  const rank = new Int32Array(order.length);
  order.forEach((first, sorted) => {
    rank[first] = sorted;
  });
  const textRank = Int32Array.from(group, (g) => rank[g]);
  const codes = inPlace ? textCodes : sameKind(textCodes, textCodes.length);
  const counts = new Array<number>(order.length).fill(0);
  for (let i = 0; i < textCodes.length; i++) {
    const c = textRank[textCodes[i]];
    codes[i] = c;
    counts[c]++;
  }
  return {
    name,
    numeric,
    labels: order.map((i) => firstLabels[i]),
    values: order.map((i) => firstValues[i]),
    codes,
    counts,
    firstRow: order.map((i) => firstRow[i]),
  };
}

/** scikit-learn's `type_of_target` for a 1-D column: 'binary', 'multiclass' or 'continuous'. */
export function targetType(col: EncodedColumn): 'binary' | 'multiclass' | 'continuous' {
  if (col.numeric && col.values.some((v) => !Number.isInteger(v))) return 'continuous';
  return col.labels.length > 2 ? 'multiclass' : 'binary';
}

export function requireClassificationTarget(col: EncodedColumn): void {
  const t = targetType(col);
  if (t !== 'binary' && t !== 'multiclass') {
    throw new UserError(
      `Supported target types are: ('binary', 'multiclass'). Got '${t}' instead. ` +
        `(column '${col.name}' looks continuous; bin it, e.g. into quantiles, before stratifying)`,
    );
  }
}

/**
 * Quantile bins of a numeric target, as `pd.qcut(y, q, labels=False, duplicates='drop')` makes them: edges at
 * linearly interpolated quantiles, intervals closed on the right with the lowest edge included.
 */
export function quantileBins(col: EncodedColumn, q: number): EncodedColumn {
  if (!col.numeric) {
    throw new UserError((f) => `${f('bins')} needs a numeric target; column '${col.name}' has text values`);
  }
  if (!Number.isInteger(q) || q < 2) throw new UserError((f) => `${f('bins')} must be a whole number >= 2, got ${q}`);
  const n = col.codes.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = col.values[col.codes[i]];
  sorted.sort();
  const edges: number[] = [];
  for (let i = 0; i <= q; i++) {
    const p = i === q ? 1 : (i * (1 / q) * 100) / 100;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    const t = h - lo;
    const a = sorted[lo];
    const b = sorted[hi];
    const diff = b - a;
    const v = t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    if (edges.length === 0 || v !== edges[edges.length - 1]) edges.push(v);
  }
  const nBins = Math.max(1, edges.length - 1);
  const codes = new Int32Array(n);
  const counts = new Array<number>(nBins).fill(0);
  const firstRow = new Array<number>(nBins).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = col.values[col.codes[i]];
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    const bin = Math.min(nBins - 1, Math.max(0, lo - 1));
    codes[i] = bin;
    counts[bin]++;
    if (firstRow[bin] < 0) firstRow[bin] = i;
  }
  const labels = Array.from({ length: nBins }, (_, b) => String(b));
  return {
    name: `${col.name} (quantile bin)`,
    numeric: true,
    labels,
    values: labels.map(Number),
    codes,
    counts,
    firstRow,
  };
}
