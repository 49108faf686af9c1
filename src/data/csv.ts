import * as path from 'node:path';
import { openCheckedInput } from '../util/inputs';
import { UserError, throwIfCancelled, type Cancellation } from '../util/errors';

const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * The closing quote of the quoted field that opens at `open`, doubled quotes skipped; -1 while `buf` (read up to
 * `end`) does not hold it yet, which at the end of the file means the field is unterminated. Before the end of the
 * file a quote at the last byte read does not close the field: it may be the first of a `""` still being read.
 */
export function closingQuote(buf: Uint8Array, open: number, end: number, eof: boolean): number {
  for (let j = open + 1; ;) {
    const k = buf.indexOf(QUOTE, j);
    if (k < 0) return -1;
    if (k + 1 < end && buf[k + 1] === QUOTE) {
      j = k + 2;
      continue;
    }
    return k + 1 >= end && !eof ? -1 : k;
  }
}
const CHUNK = 4 << 20;

/** One data row as byte ranges into `buf`; valid only during the onRow call (the buffer is reused). */
export interface CsvRow {
  buf: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  /** 1 when the field was quoted (its range excludes the quotes; "" inside still needs unescaping). */
  quoted: Uint8Array;
  /** Data row index, from 0. */
  index: number;
  /** 1-based physical line where the row starts (header is line 1). */
  line: number;
  /** Two independent 32-bit hashes of the raw bytes of the columns `onHeader` asked to hash (0 when none). */
  hash1: number;
  hash2: number;
}

export interface CsvHeader {
  columns: string[];
  delimiter: ',' | '\t' | ';';
  /** The line the first data row starts on. */
  firstDataLine: number;
}

export interface ScanOptions {
  cancellation?: Cancellation;
  /** Called with bytes read so far, at most once per chunk. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** Receives every chunk in file order (e.g. to hash the whole file in the same read). */
  onChunk?(chunk: Buffer): void;
}

export interface ScanResult {
  header: CsvHeader;
  rows: number;
  bytes: number;
}

export function fieldText(row: CsvRow, j: number): string {
  const s = row.buf.toString('utf8', row.starts[j], row.ends[j]);
  return row.quoted[j] && s.includes('"') ? s.replace(/""/g, '"') : s;
}

/**
 * Guesses the delimiter: by extension first, else the most frequent of tab, comma, semicolon outside quotes in the
 * header.
 */
export function sniffDelimiter(file: string, headerLine: string): ',' | '\t' | ';' {
  const ext = path.extname(file).toLowerCase();
  const count = (d: string): number => {
    let n = 0;
    let inQuotes = false;
    for (const ch of headerLine) {
      if (ch === '"') inQuotes = !inQuotes;
      else if (!inQuotes && ch === d) n++;
    }
    return n;
  };
  const tabs = count('\t');
  const commas = count(',');
  if (ext === '.tsv' || ext === '.tab') return '\t';
  const semis = count(';');
  if (ext === '.csv') return commas > 0 ? ',' : tabs > 0 ? '\t' : semis > 0 ? ';' : ',';
  if (tabs >= commas && tabs >= semis && tabs > 0) return '\t';
  if (semis > commas) return ';';
  return ',';
}

/**
 * Streams a delimited text file once, in bounded memory: `onHeader` sees the column names, then `onRow` sees each data
 * row as byte ranges (nothing is decoded unless the caller asks). Quoted fields may hold delimiters, quotes ("") and
 * newlines; CRLF, a UTF-8 BOM, blank lines and a missing final newline are accepted. A row with the wrong number of
 * fields, an unterminated quote or an empty file is a UserError naming the line.
 */
export async function scanCsv(
  file: string,
  onHeader: (header: CsvHeader) => void | { hashColumns?: readonly number[] },
  onRow: (row: CsvRow) => void,
  options: ScanOptions = {},
): Promise<ScanResult> {
  // Opened without blocking and checked: a FIFO, a device or a folder is one clear line, never a hang.
  const { handle } = await openCheckedInput(file, { what: 'file' });
  let inflight: Promise<unknown> | undefined;
  try {
    const total = (await handle.stat()).size;
    const st = new ScanState(file, onHeader, onRow);
    // Fixed buffers, reused for the whole file (fresh multi-MB buffers per chunk would keep the GC busy):
    // two read buffers in turn, so the next chunk is read in libuv's pool while this one is parsed, and one work
    // buffer holding the unparsed tail of the previous chunk followed by the new chunk.
    const reads = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let work = Buffer.allocUnsafe(2 * CHUNK);
    let tailStart = 0;
    let tailEnd = 0;
    let turn = 0;
    let bytesRead = 0;
    let eof = false;
    let first = true;
    const readInto = async (b: Buffer): Promise<number> => (await handle.read(b, 0, CHUNK, null)).bytesRead;
    let nextRead: Promise<number> | undefined = readInto(reads[0]);
    inflight = nextRead;
    while (!eof || tailEnd > tailStart) {
      throwIfCancelled(options.cancellation);
      const tail = tailEnd - tailStart;
      let filled = tail;
      if (!eof) {
        const got = await nextRead!;
        const chunk = reads[turn].subarray(0, got);
        if (got === 0) {
          eof = true;
          nextRead = undefined;
          if (tail > 0) work.copyWithin(0, tailStart, tailEnd);
        } else {
          if (tail + got > work.length) {
            // A row longer than the work buffer: grow it (rare; keeps rows of any length working).
            const bigger = Buffer.allocUnsafe(2 * (tail + got));
            work.copy(bigger, 0, tailStart, tailEnd);
            work = bigger;
          } else if (tail > 0) {
            work.copyWithin(0, tailStart, tailEnd);
          }
          chunk.copy(work, tail);
          filled = tail + got;
          options.onChunk?.(chunk);
          bytesRead += got;
          options.onProgress?.(bytesRead, total);
          turn = 1 - turn;
          nextRead = readInto(reads[turn]);
          inflight = nextRead;
        }
      } else if (tail > 0) {
        work.copyWithin(0, tailStart, tailEnd);
      }
      const view = work.subarray(0, filled);
      let start = 0;
      if (first) {
        if (view.length < 3 && !eof) {
          tailStart = 0;
          tailEnd = filled;
          continue;
        }
        if (view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) start = 3;
        first = false;
      }
      const pos = parseRows(view, start, eof, st);
      tailStart = pos;
      tailEnd = filled;
      if (eof && tailEnd > tailStart) throw new Error('CSV scanner made no progress at end of file');
    }
    if (!st.header) throw new UserError(`${st.name}: the file is empty`);
    if (st.rows === 0) throw new UserError(`${st.name}: the file has a header but no data rows`);
    return { header: st.header, rows: st.rows, bytes: bytesRead };
  } finally {
    // A read may still be in flight when parsing stopped early (bad row, header-only read): let it settle first.
    await inflight?.catch(() => undefined);
    await handle.close();
  }
}

/** What survives between chunks. Kept out of the async function so the hot loop works on plain locals. */
class ScanState {
  readonly name: string;
  header: CsvHeader | undefined;
  nCols = 0;
  delim = -1;
  line = 1;
  rows = 0;
  hashMask = new Uint8Array(0);
  readonly row: CsvRow;

  constructor(
    readonly file: string,
    readonly onHeader: (header: CsvHeader) => void | { hashColumns?: readonly number[] },
    readonly onRow: (row: CsvRow) => void,
  ) {
    this.name = path.basename(file);
    this.row = {
      buf: Buffer.alloc(0),
      starts: new Int32Array(64),
      ends: new Int32Array(64),
      quoted: new Uint8Array(64),
      index: 0,
      line: 0,
      hash1: 0,
      hash2: 0,
    };
  }

  grow(): void {
    const r = this.row;
    const n = r.starts.length * 2;
    const s = new Int32Array(n);
    s.set(r.starts);
    r.starts = s;
    const e = new Int32Array(n);
    e.set(r.ends);
    r.ends = e;
    const q = new Uint8Array(n);
    q.set(r.quoted);
    r.quoted = q;
  }
}

/**
 * Parses every complete row in buf[pos..]; returns where the first incomplete row starts (it waits for more bytes,
 * unless eof). Hashing of the requested columns happens inside the scan, where the bytes are already in registers.
 */
function parseRows(buf: Buffer, pos: number, eof: boolean, st: ScanState): number {
  const end = buf.length;
  const row = st.row;
  let starts = row.starts;
  let ends = row.ends;
  let quoted = row.quoted;
  let line = st.line;
  const hashMask = st.hashMask;
  const nMask = hashMask.length;
  const d = st.header ? st.delim : -1;
  while (pos < end) {
    const rowStart = pos;
    const rowLine = line;
    let i = pos;
    // Blank lines are skipped, as pandas does.
    if (buf[i] === LF) {
      pos = i + 1;
      line++;
      continue;
    }
    if (buf[i] === CR) {
      if (i + 1 >= end && !eof) break;
      pos = buf[i + 1] === LF ? i + 2 : i + 1;
      line++;
      continue;
    }
    let f = 0;
    let complete = false;
    let extraLines = 0;
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x27d4eb2f | 0;
    for (;;) {
      if (f >= starts.length) {
        st.grow();
        starts = row.starts;
        ends = row.ends;
        quoted = row.quoted;
      }
      const hashIt = f < nMask && hashMask[f] === 1;
      if (i < end && buf[i] === QUOTE) {
        const qStart = i + 1;
        const closed = closingQuote(buf, i, end, eof);
        if (closed < 0) {
          if (eof)
            throw new UserError(`${st.name}: unterminated quoted field starting on line ${rowLine + extraLines}`);
          break;
        }
        for (let k = qStart; k < closed; k++) {
          const b = buf[k];
          if (b === LF) extraLines++;
          if (hashIt) {
            h1 = Math.imul(h1 ^ b, 0x01000193);
            h2 = Math.imul(h2 ^ b, 0x5bd1e995);
          }
        }
        if (hashIt) {
          h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
          h2 = Math.imul(h2 ^ (h2 >>> 13) ^ 0x1f, 0x5bd1e995);
        }
        starts[f] = qStart;
        ends[f] = closed;
        quoted[f] = 1;
        i = closed + 1;
        // Text after the closing quote (rare, malformed) stays part of the field, as pandas keeps it.
        while (i < end && buf[i] !== d && buf[i] !== LF && buf[i] !== CR && (d >= 0 || buf[i] !== 44)) i++;
      } else {
        starts[f] = i;
        quoted[f] = 0;
        if (d < 0) {
          // Header row before the delimiter is known: stop at line end, split afterwards.
          while (i < end && buf[i] !== LF && buf[i] !== CR) i++;
        } else if (hashIt) {
          let a = h1;
          let b = h2;
          while (i < end) {
            const c = buf[i];
            if (c <= 59 && (c === d || c === LF || c === CR)) break;
            a = Math.imul(a ^ c, 0x01000193);
            b = Math.imul(b ^ c, 0x5bd1e995);
            i++;
          }
          h1 = Math.imul(a ^ 0x1f, 0x01000193);
          h2 = Math.imul(b ^ (b >>> 13) ^ 0x1f, 0x5bd1e995);
        } else {
          while (i < end) {
            const c = buf[i];
            if (c <= 59 && (c === d || c === LF || c === CR)) break;
            i++;
          }
        }
        ends[f] = i;
      }
      f++;
      if (i >= end) {
        if (eof) complete = true;
        break;
      }
      const c = buf[i];
      if (c === d) {
        i++;
        continue;
      }
      if (c === LF) {
        i++;
        complete = true;
        break;
      }
      if (c === CR) {
        if (i + 1 >= end && !eof) break;
        i += buf[i + 1] === LF ? 2 : 1;
        complete = true;
        break;
      }
      // Only reachable for the header: the unquoted scan stopped at something else.
      i++;
    }
    if (!complete) {
      pos = rowStart;
      break;
    }
    line += 1 + extraLines;
    pos = i;
    if (!st.header) {
      const raw = buf.toString('utf8', rowStart, i).replace(/\r?\n$|\r$/, '');
      const delimiter = sniffDelimiter(st.file, raw);
      const columns = splitHeader(raw, delimiter);
      if (columns.length === 0 || (columns.length === 1 && columns[0].trim() === ''))
        throw new UserError(`${st.name}: the header line is empty`);
      st.delim = delimiter.charCodeAt(0);
      st.nCols = columns.length;
      st.header = { columns, delimiter, firstDataLine: line };
      const wants = st.onHeader(st.header);
      st.hashMask = new Uint8Array(st.nCols);
      for (const j of (wants && wants.hashColumns) || []) if (j >= 0 && j < st.nCols) st.hashMask[j] = 1;
      st.line = line;
      // The rest of the buffer is data: parse it with the delimiter now known.
      return parseRows(buf, pos, eof, st);
    }
    if (f !== st.nCols) {
      throw new UserError(
        `${st.name}: line ${rowLine} has ${f} field${f === 1 ? '' : 's'}, expected ${st.nCols} as in the header ` +
          `(a ragged row; check quoting)`,
      );
    }
    row.buf = buf;
    row.index = st.rows++;
    row.line = rowLine;
    row.hash1 = h1 >>> 0;
    row.hash2 = h2 >>> 0;
    st.onRow(row);
  }
  st.line = line;
  return pos;
}

/** Splits one header line (already known to be complete) with quoting rules. */
export function splitHeader(lineText: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < lineText.length; i++) {
    const ch = lineText[i];
    if (inQuotes) {
      if (ch === '"') {
        if (lineText[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"' && cur === '') inQuotes = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Reads just the header of a file (for the editor's column pickers); the file may be huge. */
export async function readCsvHeader(file: string): Promise<CsvHeader> {
  let header: CsvHeader | undefined;
  const stop = new Error('header read');
  try {
    await scanCsv(
      file,
      (h) => {
        header = h;
        throw stop;
      },
      () => undefined,
    );
  } catch (err) {
    if (err !== stop) throw err;
  }
  if (!header) throw new UserError(`${path.basename(file)}: the file is empty`);
  return header;
}
