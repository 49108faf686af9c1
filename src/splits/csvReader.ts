import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, throwIfCancelled, type Cancellation } from '../util/errors';

const LF = 10;
const CR = 13;
const QUOTE = 34;
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

/** Guesses the delimiter: by extension first, else the most frequent of tab, comma, semicolon outside quotes in the header. */
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
  if (ext === '.csv') return commas === 0 && tabs > 0 ? '\t' : ',';
  const semis = count(';');
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
  onHeader: (header: CsvHeader) => void,
  onRow: (row: CsvRow) => void,
  options: ScanOptions = {},
): Promise<ScanResult> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `file not found: ${file}` : code === 'EISDIR' ? `${file} is a folder, not a CSV file` : `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const total = (await handle.stat()).size;
    const name = path.basename(file);
    let pending: Buffer = Buffer.alloc(0);
    let bytesRead = 0;
    let eof = false;
    let header: CsvHeader | undefined;
    let nCols = 0;
    let delim = 44;
    let starts: Int32Array = new Int32Array(64);
    let ends: Int32Array = new Int32Array(64);
    let quoted: Uint8Array = new Uint8Array(64);
    let line = 1;
    let rows = 0;
    let first = true;
    const readBuf = Buffer.allocUnsafe(CHUNK);

    while (!eof || pending.length > 0) {
      throwIfCancelled(options.cancellation);
      if (!eof) {
        const { bytesRead: got } = await handle.read(readBuf, 0, CHUNK, null);
        if (got === 0) eof = true;
        else {
          const chunk = readBuf.subarray(0, got);
          options.onChunk?.(chunk);
          bytesRead += got;
          options.onProgress?.(bytesRead, total);
          pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
        }
      }
      let buf = pending;
      let pos = 0;
      if (first) {
        if (buf.length < 3 && !eof) continue;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
        first = false;
      }
      const end = buf.length;
      // Parse as many complete rows as the buffer holds; an incomplete last row waits for the next chunk (or EOF).
      while (pos < end) {
        const rowStart = pos;
        const rowLine = line;
        let i = pos;
        // Blank lines are skipped, as pandas does.
        if (buf[i] === LF) { pos = i + 1; line++; continue; }
        if (buf[i] === CR) {
          if (i + 1 >= end && !eof) break;
          pos = buf[i + 1] === LF ? i + 2 : i + 1;
          line++;
          continue;
        }
        let f = 0;
        let complete = false;
        let extraLines = 0;
        const d = header ? delim : -1;
        for (;;) {
          if (f >= starts.length) {
            const grow = (a: Int32Array): Int32Array => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
            starts = grow(starts);
            ends = grow(ends);
            const q = new Uint8Array(quoted.length * 2); q.set(quoted); quoted = q;
          }
          if (i < end && buf[i] === QUOTE) {
            const qStart = i + 1;
            let j = qStart;
            let closed = -1;
            for (;;) {
              const k = buf.indexOf(QUOTE, j);
              if (k < 0) break;
              if (k + 1 < end && buf[k + 1] === QUOTE) { j = k + 2; continue; }
              if (k + 1 >= end && !eof) break; // "" may straddle chunks
              closed = k;
              break;
            }
            if (closed < 0) {
              if (eof) throw new UserError(`${name}: unterminated quoted field starting on line ${rowLine + extraLines}`);
              break;
            }
            for (let k = qStart; k < closed; k++) if (buf[k] === LF) extraLines++;
            starts[f] = qStart;
            ends[f] = closed;
            quoted[f] = 1;
            i = closed + 1;
            // Text after the closing quote (rare, malformed) stays part of the field, as pandas keeps it.
            while (i < end && buf[i] !== d && buf[i] !== LF && buf[i] !== CR && (d >= 0 || buf[i] !== 44)) i++;
          } else {
            starts[f] = i;
            quoted[f] = 0;
            if (d >= 0) {
              while (i < end) {
                const c = buf[i];
                if (c === d || c === LF || c === CR) break;
                i++;
              }
            } else {
              // Header row before the delimiter is known: stop at line end, split afterwards.
              while (i < end && buf[i] !== LF && buf[i] !== CR) i++;
            }
            ends[f] = i;
          }
          f++;
          if (i >= end) {
            if (eof) complete = true;
            break;
          }
          const c = buf[i];
          if (c === d) { i++; continue; }
          if (c === LF) { i++; complete = true; break; }
          if (c === CR) {
            if (i + 1 >= end && !eof) break;
            i += buf[i + 1] === LF ? 2 : 1;
            complete = true;
            break;
          }
          // Only reachable for the header: the unquoted scan stopped at something else.
          i++;
        }
        if (!complete) { pos = rowStart; break; }
        line += 1 + extraLines;
        pos = i;
        if (!header) {
          const raw = buf.toString('utf8', rowStart, i).replace(/\r?\n$|\r$/, '');
          const delimiter = sniffDelimiter(file, raw);
          delim = delimiter.charCodeAt(0);
          // Re-parse the header row with the delimiter now known.
          const columns = splitHeader(raw, delimiter);
          if (columns.length === 0 || (columns.length === 1 && columns[0].trim() === '')) throw new UserError(`${name}: the header line is empty`);
          nCols = columns.length;
          header = { columns, delimiter, firstDataLine: line };
          onHeader(header);
          continue;
        }
        if (f !== nCols) {
          throw new UserError(`${name}: line ${rowLine} has ${f} field${f === 1 ? '' : 's'}, expected ${nCols} as in the header (a ragged row; check quoting)`);
        }
        onRow({ buf, starts, ends, quoted, index: rows, line: rowLine });
        rows++;
      }
      pending = pos >= end ? Buffer.alloc(0) : buf.subarray(pos);
      if (eof && pending.length > 0 && pos < end) {
        // Loop exited without consuming at EOF: cannot happen unless a row is incomplete, which eof rules out.
        throw new Error('CSV scanner made no progress at end of file');
      }
      buf = pending;
    }
    if (!header) throw new UserError(`${name}: the file is empty`);
    if (rows === 0) throw new UserError(`${name}: the file has a header but no data rows`);
    return { header, rows, bytes: bytesRead };
  } finally {
    await handle.close();
  }
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
        if (lineText[i + 1] === '"') { cur += '"'; i++; } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"' && cur === '') inQuotes = true;
    else if (ch === delimiter) { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Reads just the header of a file (for the editor's column pickers); the file may be huge. */
export async function readCsvHeader(file: string): Promise<CsvHeader> {
  let header: CsvHeader | undefined;
  const stop = new Error('header read');
  try {
    await scanCsv(file, (h) => { header = h; throw stop; }, () => undefined);
  } catch (err) {
    if (err !== stop) throw err;
  }
  if (!header) throw new UserError(`${path.basename(file)}: the file is empty`);
  return header;
}
