import type { Field } from '../util/errors';
import { NUMBER, parseNumber } from './labels';
import { parseTimestamp } from './dates';
import type { CsvKernel } from './csvKernel';

/**
 * Parses one chunk of a delimited file (the bytes after the header) from the structural index the kernel built:
 * rows, their fields, and only the work the plan asks for (interned label columns, numbers, timestamps, row hashes).
 * Runs in the scan workers and, for small files, on the calling thread. The row rules are the ones src/data/csv.ts
 * applies byte by byte, so both readers agree on every file: quoted fields may hold delimiters, "" and newlines;
 * CRLF, lone CR and blank lines are accepted; text after a closing quote is dropped; a row must have as many fields
 * as the header.
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;

export type ColumnKind = 'intern' | 'number' | 'time';

export interface ColumnSpec {
  /** Column index in the header. */
  index: number;
  kind: ColumnKind;
  /** Column name, for messages. */
  name: string;
  /** 'all': every row, in phase A. A number: rows whose selection byte has this bit, in phase B. */
  rows: 'all' | number;
  /** time columns: whether values are plain numbers (decided from the first data row, as the split engine does). */
  numericTime?: boolean;
}

export interface ScanPlan {
  delimiter: number;
  nCols: number;
  /** File name for messages. */
  name: string;
  /** Columns whose raw bytes make up the row hash (the duplicate check); absent: no hashing. */
  hashColumns?: number[];
  columns: ColumnSpec[];
}

/** A problem found in a chunk; `line` is counted from the chunk's first line (0-based) and fixed up by the caller. */
export interface ChunkError {
  line: number;
  /** The message with `{line}` where the file's line number goes, and `{field}` where the option's name goes. */
  message: string;
  /** The option `{field}` names (the CLI says --time, the editor "time column"). */
  field?: Field;
}

/** Distinct values of an interned column as one chunk saw them, in first-appearance order. */
export interface LocalDictionary {
  texts: string[];
  /** Raw bytes of each text, concatenated, with `rawEnds[i]` the end of text i. */
  raw: Uint8Array;
  rawEnds: Int32Array;
  /** Row (within the chunk's output rows) where each text first appears. */
  firstRow: Int32Array;
}

export interface ColumnOutput {
  /** intern: code into the chunk's dictionary per row this column saw (phase B: the rows its bit selects). */
  codes?: Int32Array;
  dict?: LocalDictionary;
  /** number and time columns: the value per output row. */
  values?: Float64Array;
}

export interface PhaseResult {
  /** Data rows parsed (phase A), or rows selected (phase B). */
  rows: number;
  /** Per column spec of this phase, in plan order (others undefined). */
  columns: (ColumnOutput | undefined)[];
  hashes?: Float64Array;
  error?: ChunkError;
}

export interface PhaseAResult extends PhaseResult {
  /** Bytes of the chunk that hold complete rows; the rest (a row cut inside quotes) belongs to the next chunk. */
  consumed: number;
  /** Physical lines in the consumed bytes (row lines, quoted newlines, blank lines). */
  lines: number;
  /** Byte offset of each row's start in the chunk. */
  rowStarts: Int32Array;
}

/**
 * Where a job's per-row outputs go: views into a shared buffer the coordinator reuses chunk after chunk (nothing is
 * allocated or freed per chunk, on either thread, so memory does not creep from one thread's allocator to another),
 * or, past its end or without one, arrays of their own.
 */
export class OutputArena {
  private at = 0;
  constructor(private readonly buffer: SharedArrayBuffer | undefined) {}

  int32(n: number): Int32Array {
    const bytes = 4 * n;
    if (this.buffer && this.at + bytes <= this.buffer.byteLength) {
      const v = new Int32Array(this.buffer, this.at, n);
      this.at = (this.at + bytes + 7) & ~7;
      return v;
    }
    return new Int32Array(n);
  }

  float64(n: number): Float64Array {
    const bytes = 8 * n;
    if (this.buffer && this.at + bytes <= this.buffer.byteLength) {
      const v = new Float64Array(this.buffer, this.at, n);
      this.at += bytes;
      return v;
    }
    return new Float64Array(n);
  }
}

/** Bytes an arena needs for `rows` rows of a phase's outputs (row starts, row hashes, the decoded columns). */
export function arenaBytes(plan: ScanPlan, rows: number, phase: 'a' | 'b'): number {
  let perRow = phase === 'a' ? 4 + (plan.hashColumns ? 8 : 0) : 0;
  for (const c of plan.columns) {
    if ((c.rows === 'all') === (phase === 'a')) perRow += c.kind === 'intern' ? 4 : 8;
  }
  return perRow * rows + 8 * (plan.columns.length + 2);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Collects a column's distinct values from raw bytes: repeated values cost a hash and a compare, never a decode. */
class LocalInterner {
  private readonly byHash = new Map<number, number[]>();
  private readonly texts: string[] = [];
  private readonly raws: Uint8Array[] = [];
  private readonly first: number[] = [];
  private readonly hashOf: number[] = [];
  private readonly cache = new Int32Array(1024);
  codes: Int32Array;

  constructor(
    readonly spec: ColumnSpec,
    capacity: number,
    arena: OutputArena,
  ) {
    this.codes = arena.int32(capacity);
  }

  /** Rows added so far (this column's own count: in phase B it sees only the rows its bit selects). */
  n = 0;

  /** 'empty' for an empty value and 'utf8' for bytes that are not UTF-8 text (the caller reports them by line). */
  add(buf: Uint8Array, s: number, e: number, quoted: boolean): true | 'empty' | 'utf8' {
    const row = this.n;
    let h = 0x811c9dc5 | 0;
    for (let k = s; k < e; k++) h = Math.imul(h ^ buf[k], 0x01000193);
    // Most values repeat: a direct-mapped cache of the code last seen per hash slot skips the Map.
    const slot = (h ^ (h >>> 15)) & 1023;
    const cached = this.cache[slot] - 1;
    if (cached >= 0 && this.hashOf[cached] === h) {
      const raw = this.raws[cached];
      if (raw.length === e - s) {
        let same = true;
        for (let k = 0; k < raw.length; k++) {
          if (raw[k] !== buf[s + k]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.put(row, cached);
          this.n++;
          return true;
        }
      }
    }
    const bucket = this.byHash.get(h);
    if (bucket !== undefined) {
      for (let b = 0; b < bucket.length; b++) {
        const code = bucket[b];
        const raw = this.raws[code];
        if (raw.length !== e - s) continue;
        let same = true;
        for (let k = 0; k < raw.length; k++) {
          if (raw[k] !== buf[s + k]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.cache[slot] = code + 1;
          this.put(row, code);
          this.n++;
          return true;
        }
      }
    }
    // Only new values are decoded, strictly: two byte strings that decode to the same replacement characters must
    // not become one label.
    let text: string;
    try {
      text = STRICT_UTF8.decode(buf.subarray(s, e));
    } catch {
      return 'utf8';
    }
    if (quoted && text.includes('"')) text = text.replace(/""/g, '"');
    if (text.trim() === '') return 'empty';
    const code = this.texts.length;
    this.texts.push(text);
    this.raws.push(buf.slice(s, e));
    this.first.push(row);
    if (bucket) bucket.push(code);
    else this.byHash.set(h, [code]);
    this.hashOf.push(h);
    this.cache[slot] = code + 1;
    this.put(row, code);
    this.n++;
    return true;
  }

  private put(row: number, code: number): void {
    if (row >= this.codes.length) {
      const grown = new Int32Array(Math.max(16, this.codes.length * 2));
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[row] = code;
  }

  output(): ColumnOutput {
    const rows = this.n;
    let total = 0;
    for (const r of this.raws) total += r.length;
    const raw = new Uint8Array(total);
    const rawEnds = new Int32Array(this.raws.length);
    let at = 0;
    this.raws.forEach((r, i) => {
      raw.set(r, at);
      at += r.length;
      rawEnds[i] = at;
    });
    return {
      codes: this.codes.subarray(0, rows),
      dict: { texts: this.texts, raw, rawEnds, firstRow: Int32Array.from(this.first) },
    };
  }
}

class ValueColumn {
  values: Float64Array;
  n = 0;
  constructor(
    readonly spec: ColumnSpec,
    capacity: number,
    arena: OutputArena,
  ) {
    this.values = arena.float64(capacity);
  }

  push(v: number): void {
    if (this.n >= this.values.length) {
      const grown = new Float64Array(Math.max(16, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = v;
  }
}

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * The number in buf[s, e) exactly as parseNumber(text) reads it, or NaN when the text is not a number. Plain decimals
 * with at most 15 digits take the exact path (an integer below 2^53 divided by an exact power of ten is correctly
 * rounded); everything else goes through the text.
 */
export function parseNumberBytes(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  const c0 = buf[i];
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  let ok = i < e;
  for (; i < e; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (seenDot) frac++;
    } else if (c === 46 && !seenDot) {
      seenDot = true;
    } else {
      ok = false;
      break;
    }
  }
  if (ok && digits > 0 && digits <= 15) {
    const v = frac === 0 ? m : m / POW10[frac];
    return neg ? -v : v;
  }
  const text = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
  return NUMBER.test(text) ? parseNumber(text) : NaN;
}

function text(buf: Uint8Array, s: number, e: number, quoted: boolean): string {
  const t = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
  return quoted && t.includes('"') ? t.replace(/""/g, '"') : t;
}

function numberError(spec: ColumnSpec, name: string, raw: string): string {
  const where = `column '${spec.name}' on line {line} of ${name}`;
  if (raw.trim() === '') return `empty cell in ${where}; fill or drop rows without a value`;
  if (/^\s*[+-]?nan\s*$/i.test(raw)) return `NaN in ${where}; fill or drop missing values before inference`;
  return `text '${raw.length > 40 ? raw.slice(0, 40) + '…' : raw}' where a number is expected in ${where}`;
}

function timeError(spec: ColumnSpec, raw: string): string {
  const kind = spec.numericTime ? 'number' : 'date (YYYY-MM-DD[ HH:MM[:SS]], YYYY/MM/DD or MM/DD/YYYY)';
  return `{field} column '${spec.name}' on line {line}: '${raw}' is not a ${kind}`;
}

/** What a hash run is made of: consecutive hashed columns [from, to], hashed as one raw byte range. */
function hashRuns(hashColumns: number[], nCols: number): { startAt: Int8Array; endAt: Int8Array; perRow: number } {
  const want = new Uint8Array(nCols);
  for (const c of hashColumns) if (c >= 0 && c < nCols) want[c] = 1;
  const startAt = new Int8Array(nCols);
  const endAt = new Int8Array(nCols);
  let perRow = 0;
  for (let c = 0; c < nCols; c++) {
    if (!want[c]) continue;
    if (c === 0 || !want[c - 1]) {
      startAt[c] = 1;
      perRow++;
    }
    if (c === nCols - 1 || !want[c + 1]) endAt[c] = 1;
  }
  return { startAt, endAt, perRow };
}

/**
 * One parse of a chunk already copied into the kernel's data region and indexed. Phase A walks every row; phase B
 * re-parses only selected rows (rows picked by their global index, known once earlier chunks are counted).
 */
export class ChunkParser {
  private readonly runs: { startAt: Int8Array; endAt: Int8Array; perRow: number } | undefined;
  /** Per header column: the plan's column spec index for this phase, or -1. */
  private readonly actionA: Int16Array;

  constructor(
    private readonly kernel: CsvKernel,
    private readonly plan: ScanPlan,
  ) {
    this.runs = plan.hashColumns ? hashRuns(plan.hashColumns, plan.nCols) : undefined;
    this.actionA = new Int16Array(plan.nCols).fill(-1);
    plan.columns.forEach((c, k) => {
      if (c.rows === 'all') this.actionA[c.index] = k;
    });
  }

  /** Copies a chunk in and indexes it (structural positions, and line ends and quotes apart when they fit). */
  load(bytes: Uint8Array): { positions: number; sides: boolean } {
    const data = this.kernel.reserve(bytes.length, this.maxRows(bytes.length), this.runs ? this.runs.perRow + 1 : 0);
    data.set(bytes, 0);
    return this.kernel.index(bytes.length, this.plan.delimiter);
  }

  /** Every row has nCols fields: nCols - 1 delimiters and a line end, so no chunk holds more rows than this. */
  maxRows(len: number): number {
    return Math.ceil(len / Math.max(1, this.plan.nCols)) + 1;
  }

  /**
   * Phase A over the whole chunk (len bytes, np positions). `eof`: the chunk ends the file, so its last row may lack
   * a newline and an open quote is an error instead of a cut.
   */
  phaseA(
    len: number,
    np: number,
    eof: boolean,
    estimatedRows: number,
    sides = false,
    arena = new OutputArena(undefined),
  ): PhaseAResult {
    const plan = this.plan;
    const cap = Math.max(16, estimatedRows);
    let rowStarts = arena.int32(cap);
    const hashOut = this.runs ? arena.float64(cap) : undefined;
    const outs = plan.columns.map((c) => (c.rows === 'all' ? this.makeColumn(c, cap, arena) : undefined));
    const runs = this.runs;
    const runBuf = runs ? this.kernel.runs : undefined;
    let runAt = 0;
    const st = this.walker(len, np, eof);
    const fl = this.flags(this.actionA);
    let rows = 0;
    let error: ChunkError | undefined;
    while (st.pos < len) {
      if (rows >= rowStarts.length) {
        const g = new Int32Array(rowStarts.length * 2);
        g.set(rowStarts);
        rowStarts = g;
      }
      const start = st.pos;
      let r = sides ? this.quickRow(st, fl, this.actionA, outs, runBuf, runAt) : ROW_SLOW;
      if (r === ROW_SLOW) {
        r = this.row(st, fl, this.actionA, outs, runBuf, runAt);
        if (sides) this.resync(st);
      }
      if (r === ROW_BLANK) continue;
      if (r === ROW_INCOMPLETE) break;
      if (r === ROW_ERROR) {
        error = st.error;
        break;
      }
      rowStarts[rows] = start;
      runAt = st.runAt;
      rows++;
    }
    const result: PhaseAResult = {
      rows,
      consumed: st.pos,
      lines: st.line,
      rowStarts: rowStarts.subarray(0, rows),
      columns: outs.map((o) => (o ? this.finish(o) : undefined)),
      error,
    };
    if (runs && !error) {
      const h = this.kernel.hashRows(runAt, rows);
      const into = hashOut && hashOut.length >= rows ? hashOut : new Float64Array(rows);
      into.set(h);
      result.hashes = into.subarray(0, rows);
    }
    return result;
  }

  /**
   * Phase B: re-parses the rows whose `select` byte is non-zero (rowStarts from phase A, lines relative to the
   * chunk) and decodes the columns whose `rows` bit matches the byte. Output rows are the selected rows in order.
   */
  phaseB(
    len: number,
    np: number,
    rowStarts: Int32Array,
    select: Uint8Array,
    sides = false,
    arena = new OutputArena(undefined),
  ): PhaseResult {
    const plan = this.plan;
    let selected = 0;
    for (let r = 0; r < select.length; r++) if (select[r] !== 0) selected++;
    const outs = plan.columns.map((c) => (c.rows !== 'all' ? this.makeColumn(c, selected, arena) : undefined));
    // The actions and flags for each selection byte, made once.
    const byBits = new Map<number, { actions: Int16Array; fl: Uint8Array }>();
    const st = this.walker(len, np, true);
    let out = 0;
    let error: ChunkError | undefined;
    const positions = this.kernel.positions;
    for (let r = 0; r < select.length; r++) {
      const bits = select[r];
      if (bits === 0) continue;
      let how = byBits.get(bits);
      if (!how) {
        const actions = new Int16Array(plan.nCols).fill(-1);
        plan.columns.forEach((c, k) => {
          if (c.rows !== 'all' && (c.rows & bits) !== 0) actions[c.index] = k;
        });
        how = { actions, fl: this.flags(actions) };
        byBits.set(bits, how);
      }
      st.pos = rowStarts[r];
      // The first structural position at or after the row start.
      let lo = 0;
      let hi = np;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (positions[mid] < st.pos) lo = mid + 1;
        else hi = mid;
      }
      st.pi = lo;
      st.line = 0;
      if (sides) this.resync(st);
      let res = sides ? this.quickRow(st, how.fl, how.actions, outs, undefined, 0) : ROW_SLOW;
      if (res === ROW_SLOW) res = this.row(st, how.fl, how.actions, outs, undefined, 0);
      if (res === ROW_ERROR) {
        // Lines are counted only now: a clean phase B never needs them.
        error = { ...st.error!, line: st.error!.line + ChunkParser.lineAt(this.kernel.data, rowStarts[r]) };
        break;
      }
      out++;
    }
    return { rows: out, columns: outs.map((o) => (o ? this.finish(o) : undefined)), error };
  }

  /** The chunk-relative (0-based) line of a byte offset: the LFs and lone CRs before it. */
  static lineAt(data: Uint8Array, offset: number): number {
    let line = 0;
    for (let k = 0; k < offset; k++) {
      const c = data[k];
      if (c === LF || (c === CR && data[k + 1] !== LF)) line++;
    }
    return line;
  }

  private makeColumn(c: ColumnSpec, capacity: number, arena: OutputArena): LocalInterner | ValueColumn {
    return c.kind === 'intern' ? new LocalInterner(c, capacity, arena) : new ValueColumn(c, capacity, arena);
  }

  private finish(o: LocalInterner | ValueColumn): ColumnOutput {
    return o instanceof LocalInterner ? o.output() : { values: o.values.subarray(0, o.n) };
  }

  private walker(len: number, np: number, eof: boolean): Walker {
    return { pos: 0, pi: 0, ni: 0, qi: 0, line: 0, len, np, eof, runAt: 0, error: undefined };
  }

  /** Moves the line-end and quote cursors to the first entries at or after st.pos (after a slow row, or a jump). */
  private resync(st: Walker): void {
    const N = this.kernel.newlines;
    const Q = this.kernel.quotes;
    while (N[st.ni] < st.pos) st.ni++;
    while (Q[st.qi] < st.pos) st.qi++;
  }

  /**
   * The common row in a few loads: no quote before its line end, and its nCols - 1 delimiters and line end are
   * exactly the next nCols positions, so field f spans P[pi + f - 1] + 1 .. P[pi + f]. Anything else (a blank line,
   * a quote, a ragged row, the chunk's end) returns ROW_SLOW for the byte-exact walk, untouched.
   */
  private quickRow(
    st: Walker,
    fl: Uint8Array,
    actions: Int16Array,
    outs: (LocalInterner | ValueColumn | undefined)[],
    runBuf: Int32Array | undefined,
    runAt: number,
  ): number {
    const buf = this.kernel.data;
    const P = this.kernel.positions;
    const pos = st.pos;
    const c0 = buf[pos];
    if (c0 === LF || c0 === CR) return ROW_SLOW;
    const len = st.len;
    const nl = this.kernel.newlines[st.ni];
    if (this.kernel.quotes[st.qi] < nl) return ROW_SLOW;
    const nCols = this.plan.nCols;
    const pi = st.pi;
    const last = pi + nCols - 1;
    if (nl < len) {
      if (last >= st.np || P[last] !== nl) return ROW_SLOW;
      // A CR at the chunk's very end might start a CRLF the next chunk finishes.
      if (buf[nl] === CR && nl + 1 >= len && !st.eof) return ROW_SLOW;
    } else if (!st.eof || last !== st.np) return ROW_SLOW;
    for (let f = 0; f < nCols; f++) {
      const a = fl[f];
      if (a === 0) continue;
      const s = f === 0 ? pos : P[pi + f - 1] + 1;
      if (a & 1) runBuf![runAt] = s;
      if (a & 2) {
        runBuf![runAt + 1] = P[pi + f];
        runAt += 2;
      }
      // A refused value: the byte-exact walk parses the row again and reports the error it would (the chunk is
      // abandoned either way, so what was already decoded does not matter).
      if (a & 4 && !this.act(actions[f], outs, buf, s, P[pi + f], false, st, st.line)) return ROW_SLOW;
    }
    if (runBuf) {
      runBuf[runAt++] = -1;
      runBuf[runAt++] = 0;
    }
    st.runAt = runAt;
    if (nl >= len) {
      st.pos = len;
      st.pi = last;
    } else {
      const two = buf[nl] === CR && buf[nl + 1] === LF ? 1 : 0;
      st.pos = nl + 1 + two;
      st.pi = last + 1 + two;
      st.ni += 1 + two;
    }
    st.line++;
    return ROW_OK;
  }

  /** Per header column: 1 = a hash run starts here, 2 = a run ends here, 4 = the column has an action. */
  private flags(actions: Int16Array): Uint8Array {
    const fl = new Uint8Array(this.plan.nCols);
    for (let f = 0; f < fl.length; f++) {
      if (this.runs?.startAt[f]) fl[f] |= 1;
      if (this.runs?.endAt[f]) fl[f] |= 2;
      if (actions[f] >= 0) fl[f] |= 4;
    }
    return fl;
  }

  /** Runs column k's action on one field; false when the value is refused (st.error set). */
  private act(
    k: number,
    outs: (LocalInterner | ValueColumn | undefined)[],
    buf: Uint8Array,
    s: number,
    e: number,
    quoted: boolean,
    st: Walker,
    rowLine: number,
  ): boolean {
    const out = outs[k]!;
    const spec = this.plan.columns[k];
    if (spec.kind === 'intern') {
      const added = (out as LocalInterner).add(buf, s, e, quoted);
      if (added === true) return true;
      st.error = {
        line: rowLine,
        message:
          added === 'empty'
            ? `column '${spec.name}' is empty on line {line}; fill or drop rows without a value`
            : `column '${spec.name}' on line {line} is not UTF-8 text (labels are compared as text);` +
              ' save the file as UTF-8',
      };
      return false;
    }
    let v: number;
    if (spec.kind === 'number') {
      v = parseNumberBytes(buf, s, e);
      if (Number.isNaN(v)) {
        st.error = { line: rowLine, message: numberError(spec, this.plan.name, text(buf, s, e, quoted)) };
        return false;
      }
    } else {
      const t = text(buf, s, e, quoted);
      v = spec.numericTime ? parseNumberBytes(buf, s, e) : parseTimestamp(t);
      if (Number.isNaN(v)) {
        st.error = { line: rowLine, message: timeError(spec, t), field: 'time' };
        return false;
      }
    }
    (out as ValueColumn).push(v);
    return true;
  }

  /**
   * Parses the row at st.pos. Returns ROW_OK (st.pos after the row), ROW_BLANK (a blank line skipped),
   * ROW_INCOMPLETE (the chunk ends inside it; st.pos unchanged) or ROW_ERROR (st.error set). The positions array
   * holds a sentinel (len) after the last position, so the hot loop needs no bounds checks of its own.
   */
  private row(
    st: Walker,
    fl: Uint8Array,
    actions: Int16Array,
    outs: (LocalInterner | ValueColumn | undefined)[],
    runBuf: Int32Array | undefined,
    runAt: number,
  ): number {
    const buf = this.kernel.data;
    const P = this.kernel.positions;
    const len = st.len;
    const eof = st.eof;
    const d = this.plan.delimiter;
    const nCols = this.plan.nCols;
    const pos = st.pos;
    let pi = st.pi;
    // Blank lines are skipped, as pandas does.
    const c0 = buf[pos];
    if (c0 === LF) {
      st.pos = pos + 1;
      st.pi = pi + 1;
      st.line++;
      return ROW_BLANK;
    }
    if (c0 === CR) {
      if (pos + 1 >= len && !eof) return ROW_INCOMPLETE;
      const two = buf[pos + 1] === LF;
      st.pos = pos + (two ? 2 : 1);
      st.pi = pi + (two ? 2 : 1);
      st.line++;
      return ROW_BLANK;
    }
    const rowLine = st.line;
    // The plan index of the first column (in plan order) whose value was refused, and its error.
    let refused = -1;
    let refusal: ChunkError | undefined;
    let extraLines = 0;
    let f = 0;
    let i = pos;
    let runStart = 0;
    for (;;) {
      const s0 = i;
      let p = P[pi];
      let e: number;
      let quoted = false;
      if (p === i && buf[i] === QUOTE) {
        pi++;
        let closed = -1;
        let quotedLines = 0;
        for (;;) {
          p = P[pi];
          if (p >= len) break;
          const c = buf[p];
          if (c === QUOTE) {
            if (p + 1 < len && buf[p + 1] === QUOTE) {
              pi += 2;
              continue;
            }
            if (p + 1 >= len && !eof) break;
            closed = p;
            pi++;
            break;
          }
          if (c === LF) quotedLines++;
          pi++;
        }
        if (closed < 0) {
          if (!eof) return ROW_INCOMPLETE;
          st.error = {
            line: rowLine + extraLines,
            message: `${this.plan.name}: unterminated quoted field starting on line {line}`,
          };
          return ROW_ERROR;
        }
        extraLines += quotedLines;
        e = closed;
        quoted = true;
        // Text after the closing quote (malformed) is skipped up to the field's end, as the byte reader does.
        p = P[pi];
        while (p < len && buf[p] === QUOTE) p = P[++pi];
        i = p;
      } else {
        // Quotes inside an unquoted field are literal.
        while (p < len && buf[p] === QUOTE) p = P[++pi];
        i = p;
        e = p;
      }
      if (f < nCols) {
        const a = fl[f];
        if (a !== 0) {
          if (a & 1) runStart = s0;
          if (a & 2) {
            runBuf![runAt++] = runStart;
            runBuf![runAt++] = i;
          }
          // A refused value is reported only once the row is known to be whole (a ragged row is the first error).
          if (a & 4) {
            const k = actions[f];
            if (!this.act(k, outs, buf, quoted ? s0 + 1 : s0, e, quoted, st, rowLine) && (refused < 0 || k < refused)) {
              refused = k;
              refusal = st.error;
            }
          }
        }
      }
      f++;
      if (i >= len) {
        if (!eof) return ROW_INCOMPLETE;
        break;
      }
      const c = buf[i];
      if (c === d) {
        i++;
        pi++;
        continue;
      }
      if (c === LF) {
        i++;
        pi++;
        break;
      }
      // CR
      if (i + 1 >= len && !eof) return ROW_INCOMPLETE;
      if (buf[i + 1] === LF) {
        i += 2;
        pi += 2;
      } else {
        i++;
        pi++;
      }
      break;
    }
    if (f !== nCols) {
      st.error = {
        line: rowLine,
        message:
          `${this.plan.name}: line {line} has ${f} field${f === 1 ? '' : 's'}, expected ${nCols} as in ` +
          `the header (a ragged row; check quoting)`,
      };
      return ROW_ERROR;
    }
    if (refused >= 0) {
      st.error = refusal;
      return ROW_ERROR;
    }
    if (runBuf) {
      runBuf[runAt++] = -1;
      runBuf[runAt++] = 0;
    }
    st.runAt = runAt;
    st.pos = i;
    st.pi = pi;
    st.line += 1 + extraLines;
    return ROW_OK;
  }
}

const ROW_OK = 0;
const ROW_BLANK = 1;
const ROW_INCOMPLETE = 2;
const ROW_ERROR = 3;
const ROW_SLOW = 4;

interface Walker {
  pos: number;
  pi: number;
  /** Cursors into the line-end and quote lists (when the chunk has them). */
  ni: number;
  qi: number;
  line: number;
  len: number;
  np: number;
  eof: boolean;
  runAt: number;
  error: ChunkError | undefined;
}
