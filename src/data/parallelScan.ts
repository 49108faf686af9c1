import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckedInput } from '../util/inputs';
import { Worker } from 'node:worker_threads';
import { CancelledError, UserError, onCancelled, type Cancellation } from '../util/errors';
import { ChunkRunner, type ChunkJob, type ChunkJobResult, type PhaseAJob } from './chunkJobs';
import { arenaBytes, type ChunkError, type PhaseAResult, type PhaseResult, type ScanPlan } from './chunkParser';
import { closingQuote, sniffDelimiter, splitHeader, type CsvHeader, type CsvRow } from './csv';
import { loadCsvModule } from './csvKernel';

/**
 * The streaming, parallel reader every command uses for big tables (split, eval, infer). The file is read once, in
 * chunks cut after a line end, into shared memory; scan workers (one per core unless capped) index and parse the
 * chunks on their own, assuming each starts a row; the chunks are then taken in file order, where each is checked
 * to really start a row (no quoted field runs into it). A chunk that does not, because a quoted field held a line
 * end at the cut, is parsed again with the rest of that row in front. Rows, their order, line numbers and every
 * error message are the ones the sequential reader (csv.ts) gives, whatever the number of workers.
 */

export interface ScanOptions {
  /** Parse threads; default: one per core (files below 2 MB then parse on this thread). 0: this thread. */
  workers?: number;
  cancellation?: Cancellation;
  /** After each chunk, in file order: bytes read so far, the file's size, data rows so far. */
  onProgress?(bytesRead: number, totalBytes: number, rows: number): void;
  /** Also compute the file's SHA-256 from the same reads. */
  sha256?: boolean;
  /** Chunk size in bytes (tests force tiny chunks to put boundaries everywhere). */
  chunkBytes?: number;
}

export interface TableScan {
  /** What to decode (column specs and the row hash); the delimiter, column count and file name are filled in. */
  plan: Pick<ScanPlan, 'columns' | 'hashColumns'>;
  /** Phase B selection: one byte per row of the chunk (its bits pick the columns); absent: no phase B. */
  select?(firstRow: number, rows: number): Uint8Array;
  /** Each chunk's rows, in file order. The views are valid only during the call. */
  onChunk(chunk: ScannedChunk): void | Promise<void>;
}

export interface ScannedChunk {
  /** Index of the chunk's first data row in the file. */
  firstRow: number;
  rows: number;
  /** File line of the chunk's first byte (1-based, the header is line 1 or later). */
  firstLine: number;
  /** The chunk's bytes and each row's start in them (for decoding a few rows in full, e.g. a sample). */
  data: Uint8Array;
  rowStarts: Int32Array;
  a: PhaseAResult;
  b?: PhaseResult;
}

export interface ScanSummary {
  header: CsvHeader;
  rows: number;
  bytes: number;
  sha256?: string;
  workers: number;
}

// Small enough that a worker's index of it (5 bytes a byte) stays a few MB and the chunks in flight (a slot each)
// about 10 MB, large enough to keep messages rare: 1 MB -> 512 KB took 10-15 MB off eval's and split's peaks at 10M
// rows, at the same speed.
export const DEFAULT_CHUNK_BYTES = 1 << 19;
const INLINE_BELOW_BYTES = 2 << 20;

export function defaultWorkers(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/**
 * Decodes one row at `start` in full (quoted fields unescaped), as the sequential reader would: for the header, the
 * first data row and the few rows a sample keeps. Returns undefined when the bytes end inside the row.
 */
export function decodeRow(
  buf: Uint8Array,
  start: number,
  delim: number,
): { fields: string[]; quoted: boolean[]; end: number } | undefined {
  const fields: string[] = [];
  const quoted: boolean[] = [];
  let i = start;
  const end = buf.length;
  const str = (s: number, e: number) => Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
  for (;;) {
    if (i < end && buf[i] === QUOTE) {
      let j = i + 1;
      let closed = -1;
      while (j < end) {
        if (buf[j] === QUOTE) {
          if (j + 1 < end && buf[j + 1] === QUOTE) {
            j += 2;
            continue;
          }
          closed = j;
          break;
        }
        j++;
      }
      if (closed < 0) return undefined;
      fields.push(str(i + 1, closed).replace(/""/g, '"'));
      quoted.push(true);
      i = closed + 1;
      while (i < end && buf[i] !== delim && buf[i] !== LF && buf[i] !== CR) i++;
    } else {
      const s = i;
      while (i < end && buf[i] !== delim && buf[i] !== LF && buf[i] !== CR) i++;
      fields.push(str(s, i));
      quoted.push(false);
    }
    if (i >= end) return { fields, quoted, end: i };
    const c = buf[i];
    if (c === delim) {
      i++;
      continue;
    }
    i += c === CR && buf[i + 1] === LF ? 2 : 1;
    return { fields, quoted, end: i };
  }
}

/** A CsvRow (the sequential reader's row shape) for the row at `start`, so consumers of both readers share code. */
export function csvRowAt(
  buf: Uint8Array,
  start: number,
  delim: number,
  nCols: number,
  index: number,
  line: number,
): CsvRow {
  const starts = new Int32Array(nCols);
  const ends = new Int32Array(nCols);
  const quoted = new Uint8Array(nCols);
  let i = start;
  const end = buf.length;
  for (let f = 0; f < nCols; f++) {
    if (i < end && buf[i] === QUOTE) {
      let j = i + 1;
      while (j < end && !(buf[j] === QUOTE && buf[j + 1] !== QUOTE)) j += buf[j] === QUOTE ? 2 : 1;
      starts[f] = i + 1;
      ends[f] = j;
      quoted[f] = 1;
      i = j + 1;
      while (i < end && buf[i] !== delim && buf[i] !== LF && buf[i] !== CR) i++;
    } else {
      starts[f] = i;
      while (i < end && buf[i] !== delim && buf[i] !== LF && buf[i] !== CR) i++;
      ends[f] = i;
    }
    i++;
  }
  return {
    buf: Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength),
    starts,
    ends,
    quoted,
    index,
    line,
    hash1: 0,
    hash2: 0,
  };
}

/** Rows of the first chunk the caller sees decoded before the scan starts (column typing, the time format). */
export const LEADING_ROWS = 1000;

/** Up to `max` whole rows from the start of the data, blank lines skipped (fewer when the chunk ends sooner). */
function leadingRows(buf: Uint8Array, delim: number, max: number): string[][] {
  const rows: string[][] = [];
  let at = 0;
  while (rows.length < max && at < buf.length) {
    if (buf[at] === LF || buf[at] === CR) {
      at += buf[at] === CR && buf[at + 1] === LF ? 2 : 1;
      continue;
    }
    const r = decodeRow(buf, at, delim);
    if (!r || r.end <= at) break;
    rows.push(r.fields);
    at = r.end;
  }
  return rows;
}

interface Slot {
  buffer: SharedArrayBuffer;
  view: Uint8Array;
}

class SlotPool {
  private readonly free: Slot[] = [];
  constructor(private readonly size: number) {}

  acquire(min = this.size): Slot {
    if (min <= this.size) {
      const s = this.free.pop();
      if (s) return s;
    }
    const buffer = new SharedArrayBuffer(Math.max(min, this.size));
    return { buffer, view: new Uint8Array(buffer) };
  }

  release(s: Slot): void {
    if (s.buffer.byteLength === this.size) this.free.push(s);
  }
}

/** The file's SHA-256, fed the chunks in file order: on this thread, or on a thread of its own for big files. */
interface FileDigest {
  /** Resolves once the bytes are hashed (the slot may then be reused). */
  update(buffer: SharedArrayBuffer, offset: number, length: number): Promise<void>;
  digest(): Promise<string>;
  close(): Promise<void>;
}

class InlineDigest implements FileDigest {
  private readonly hash: Hash = createHash('sha256');
  async update(buffer: SharedArrayBuffer, offset: number, length: number): Promise<void> {
    this.hash.update(new Uint8Array(buffer, offset, length));
  }
  async digest(): Promise<string> {
    return this.hash.digest('hex');
  }
  async close(): Promise<void> {}
}

/** SHA-256 on its own thread, reading the shared chunks in place: hashing 1.6 GB takes over a second of one core. */
class WorkerDigest implements FileDigest {
  private readonly worker: Worker;
  private readonly waiting: { resolve(v: string | undefined): void; reject(e: Error): void }[] = [];
  private failure: Error | undefined;

  constructor() {
    this.worker = new Worker(path.join(__dirname, 'scanWorker.js'), { workerData: { sha256: true } });
    this.worker.on('message', (m: { hex?: string }) => this.waiting.shift()?.resolve(m.hex));
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
  }

  private request(message: unknown): Promise<string | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  async update(buffer: SharedArrayBuffer, offset: number, length: number): Promise<void> {
    await this.request({ buffer, offset, length });
  }

  async digest(): Promise<string> {
    return (await this.request({ done: true }))!;
  }

  async close(): Promise<void> {
    this.failure ??= new CancelledError();
    await this.worker.terminate();
  }
}

interface Chunk {
  slot: Slot;
  /** Settles when the file digest has this chunk's new bytes (only then may the slot be reused). */
  hashed?: Promise<void>;
  offset: number;
  length: number;
  eof: boolean;
  /** File offset of the chunk's first byte. */
  fileOffset: number;
}

/** Reads the file once, in order, into slots, cutting each chunk after its last line end. */
class ChunkReader {
  private carry: Uint8Array = new Uint8Array(0);
  private position = 0;
  private done = false;
  bytesRead = 0;

  constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly pool: SlotPool,
    private readonly chunkBytes: number,
    private readonly digest: FileDigest | undefined,
  ) {}

  /** The next chunk, or undefined at the end of the file. `skip` drops bytes at the start (BOM and header). */
  async next(): Promise<Chunk | undefined> {
    if (this.done && this.carry.length === 0) return undefined;
    let slot = this.pool.acquire(Math.max(this.chunkBytes, this.carry.length + 1));
    slot.view.set(this.carry, 0);
    let filled = this.carry.length;
    // The carry was hashed with the slot it was read into: only the new bytes go to the digest.
    const fresh = filled;
    const fileOffset = this.position - this.carry.length;
    for (;;) {
      while (!this.done && filled < slot.view.length) {
        const { bytesRead } = await this.handle.read(slot.view, filled, slot.view.length - filled, this.position);
        if (bytesRead === 0) {
          this.done = true;
          break;
        }
        filled += bytesRead;
        this.position += bytesRead;
        this.bytesRead += bytesRead;
      }
      let cut = this.done ? filled - 1 : slot.view.lastIndexOf(LF, filled - 1);
      if (cut < 0 && !this.done) cut = slot.view.lastIndexOf(CR, filled - 1);
      if (cut >= 0 || this.done) {
        const hashed = this.digest?.update(slot.buffer, fresh, filled - fresh);
        hashed?.catch(() => undefined);
        if (this.done) {
          this.carry = new Uint8Array(0);
          return { slot, hashed, offset: 0, length: filled, eof: true, fileOffset };
        }
        this.carry = slot.view.slice(cut + 1, filled);
        return { slot, hashed, offset: 0, length: cut + 1, eof: false, fileOffset };
      }
      // A line longer than the chunk: read on into a bigger slot (rare, and bounded by the longest row).
      const bigger = this.pool.acquire(slot.view.length * 2);
      bigger.view.set(slot.view.subarray(0, filled), 0);
      this.pool.release(slot);
      slot = bigger;
    }
  }
}

/**
 * Where the header ends and the data starts in the first bytes of the file, with the sequential reader's rules
 * (csv.ts): a quote opens a quoted field only at the start of the line or after a quoted field and a comma; the
 * rest of an unquoted header runs to the line end. 'more' when the bytes end before the header does.
 */
function parseHeader(
  file: string,
  buf: Uint8Array,
  eof: boolean,
): { header: CsvHeader; dataStart: number } | 'more' | undefined {
  const name = path.basename(file);
  const end = buf.length;
  let i = end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let line = 1;
  // Blank lines before the header are skipped, as the sequential reader does.
  while (i < end && (buf[i] === LF || buf[i] === CR)) {
    if (buf[i] === CR && i + 1 >= end && !eof) return 'more';
    i += buf[i] === CR && buf[i + 1] === LF ? 2 : 1;
    line++;
  }
  if (i >= end) return eof ? undefined : 'more';
  const start = i;
  let extra = 0;
  for (;;) {
    if (i < end && buf[i] === QUOTE) {
      const closed = closingQuote(buf, i, end, eof);
      if (closed < 0) {
        if (eof) throw new UserError(`${name}: unterminated quoted field starting on line ${line + extra}`);
        return 'more';
      }
      for (let k = i + 1; k < closed; k++) if (buf[k] === LF) extra++;
      i = closed + 1;
      while (i < end && buf[i] !== LF && buf[i] !== CR && buf[i] !== COMMA) i++;
    } else {
      while (i < end && buf[i] !== LF && buf[i] !== CR) i++;
    }
    if (i >= end) {
      if (!eof) return 'more';
      break;
    }
    if (buf[i] === LF) {
      i++;
      break;
    }
    if (buf[i] === CR) {
      if (i + 1 >= end && !eof) return 'more';
      i += buf[i + 1] === LF ? 2 : 1;
      break;
    }
    i++; // the comma after a quoted field
  }
  const raw = Buffer.from(buf.buffer, buf.byteOffset + start, i - start)
    .toString('utf8')
    .replace(/\r?\n$|\r$/, '');
  const delimiter = sniffDelimiter(file, raw);
  const columns = splitHeader(raw, delimiter);
  if (columns.length === 0 || (columns.length === 1 && columns[0].trim() === ''))
    throw new UserError(`${name}: the header line is empty`);
  return { header: { columns, delimiter, firstDataLine: line + 1 + extra }, dataStart: i };
}

/** Whether bytes hold nothing but line ends (a header followed by blank lines has no data rows). */
function onlyLineEnds(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== LF && buf[i] !== CR) return false;
  return true;
}

interface Executor {
  run(job: ChunkJob): Promise<ChunkJobResult>;
  close(): Promise<void>;
}

class InlineExecutor implements Executor {
  constructor(private readonly runner: ChunkRunner) {}
  async run(job: ChunkJob): Promise<ChunkJobResult> {
    return this.runner.run(job);
  }
  async close(): Promise<void> {}
}

class WorkerPool implements Executor {
  private readonly workers: Worker[];
  private readonly load: number[];
  private readonly pending = new Map<
    number,
    { resolve(r: ChunkJobResult): void; reject(e: Error): void; worker: number }
  >();
  private failure: Error | undefined;

  constructor(n: number, wasm: WebAssembly.Module, plan: ScanPlan) {
    // The entry sits beside this module: dist/scanWorker.js in the bundles, out/src/data/scanWorker.js under tsc.
    const entry = path.join(__dirname, 'scanWorker.js');
    this.workers = Array.from({ length: n }, () => {
      // A small young generation: a parser's garbage dies with each chunk, and V8's default (up to 48 MB a thread)
      // is RSS on every core, for nothing.
      const worker = new Worker(entry, { workerData: { wasm, plan }, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
      worker.on('message', (m: ChunkJobResult | { id: number; crash: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.load[p.worker]--;
        if ('crash' in m) p.reject(new Error(`scan worker failed: ${m.crash}`));
        else p.resolve(m);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`scan worker exited with code ${code}`));
      });
      return worker;
    });
    this.load = new Array(n).fill(0);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  run(job: ChunkJob): Promise<ChunkJobResult> {
    if (this.failure) return Promise.reject(this.failure);
    let w = 0;
    for (let k = 1; k < this.workers.length; k++) if (this.load[k] < this.load[w]) w = k;
    this.load[w]++;
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject, worker: w });
      this.workers[w].postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new CancelledError();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function chunkError(e: ChunkError, firstLine: number): UserError {
  const text = e.message.replace('{line}', String(firstLine + e.line));
  const field = e.field;
  return field ? new UserError((f) => text.replace('{field}', f(field))) : new UserError(text);
}

/**
 * Reads `file` once and hands its rows, chunk by chunk in file order, to what `start` returns for the header and
 * the leading data rows (up to LEADING_ROWS of the first chunk, decoded in full). Memory stays bounded by a few
 * chunks per worker, whatever the file size.

 */
export async function scanTable(
  file: string,
  start: (header: CsvHeader, firstRows: string[][]) => TableScan,
  options: ScanOptions = {},
): Promise<ScanSummary> {
  const name = path.basename(file);
  // Opened without blocking and checked: a FIFO, a device or a folder is one clear line, never a hang.
  const { handle } = await openCheckedInput(file, { what: 'file' });
  const cancellation = options.cancellation;
  let executor: Executor | undefined;
  let digest: FileDigest | undefined;
  const cancelled = onCancelled(cancellation, () => {
    void executor?.close();
    void digest?.close();
  });
  try {
    const total = (await handle.stat()).size;
    const chunkBytes = Math.max(4, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    const requested = options.workers ?? defaultWorkers();
    // Worker start-up costs more than a small file takes to parse, unless the caller asked for workers by number.
    const inline = requested <= 0 || (options.workers === undefined && total < INLINE_BELOW_BYTES);
    const workers = inline ? 0 : requested;
    // The digest gets a thread of its own only where cores are plenty; on two it would just take turns with a parser.
    digest = options.sha256 ? (workers >= 3 ? new WorkerDigest() : new InlineDigest()) : undefined;
    const pool = new SlotPool(chunkBytes);
    const reader = new ChunkReader(handle, pool, chunkBytes, digest);
    let first = await reader.next();
    if (!first || first.length === 0) throw new UserError(`${name}: the file is empty`);
    // The first chunk holds the header and at least one whole data row (the column typing looks at the leading
    // rows): read on until it does, for a header or a first row longer than a chunk.
    let parsed: ReturnType<typeof parseHeader>;
    let leading: string[][] = [];
    for (;;) {
      const bytes = first.slot.view.subarray(0, first.length);
      parsed = parseHeader(file, bytes, first.eof);
      if (parsed !== 'more') {
        if (!parsed) break;
        const delim = parsed.header.delimiter.charCodeAt(0);
        leading = leadingRows(bytes.subarray(parsed.dataStart), delim, LEADING_ROWS);
        if (leading.length > 0 || first.eof) break;
      }
      const next: Chunk | undefined = first.eof ? undefined : await reader.next();
      if (!next) break;
      const slot = pool.acquire(first.length + next.length);
      slot.view.set(bytes, 0);
      slot.view.set(next.slot.view.subarray(next.offset, next.offset + next.length), first.length);
      await Promise.all([first.hashed, next.hashed]);
      pool.release(first.slot);
      pool.release(next.slot);
      first = { slot, offset: 0, length: first.length + next.length, eof: next.eof, fileOffset: first.fileOffset };
    }
    if (!parsed || parsed === 'more') throw new UserError(`${name}: the file is empty`);
    const { header, dataStart } = parsed;
    const delim = header.delimiter.charCodeAt(0);
    if (first.eof && onlyLineEnds(first.slot.view.subarray(dataStart, first.length))) {
      throw new UserError(`${name}: the file has a header but no data rows`);
    }
    const scan = start(header, leading);
    const plan: ScanPlan = { ...scan.plan, delimiter: delim, nCols: header.columns.length, name };
    const module = await loadCsvModule();
    executor = inline ? new InlineExecutor(new ChunkRunner(module, plan)) : new WorkerPool(workers, module, plan);
    parsed = undefined;

    let nextId = 1;
    let rowsPerByte = 0;
    // Output arenas, one per job in flight, reused chunk after chunk once the first chunk told the rows per byte.
    const arenas = { a: [] as SharedArrayBuffer[], b: [] as SharedArrayBuffer[], bytesA: 0, bytesB: 0 };
    const arenaFor = (phase: 'a' | 'b'): SharedArrayBuffer | undefined => {
      const size = phase === 'a' ? arenas.bytesA : arenas.bytesB;
      if (size === 0) return undefined;
      return arenas[phase].pop() ?? new SharedArrayBuffer(size);
    };
    const releaseArena = (phase: 'a' | 'b', out: SharedArrayBuffer | undefined) => {
      if (out && out.byteLength === (phase === 'a' ? arenas.bytesA : arenas.bytesB)) arenas[phase].push(out);
    };
    const dispatchA = (c: Chunk): { result: Promise<ChunkJobResult>; out: SharedArrayBuffer | undefined } => {
      const out = arenaFor('a');
      const job: PhaseAJob = {
        op: 'a',
        id: nextId++,
        buffer: c.slot.buffer,
        offset: c.offset,
        length: c.length,
        eof: c.eof,
        estimatedRows: rowsPerByte > 0 ? Math.ceil(c.length * rowsPerByte * 1.1) + 64 : 1024,
        out,
      };
      return { result: executor!.run(job), out };
    };
    // The first chunk starts after the header.
    first = { ...first, offset: dataStart, length: first.length - dataStart, fileOffset: first.fileOffset + dataStart };
    // Chunks parsed ahead (phase A) and chunks waiting for phase B: deep enough that a worker with a phase B job
    // queued behind phase A jobs does not leave this thread waiting, a few MB. (Twice this depth bought nothing once
    // a phase B job stopped cloning the whole split mask, and cost split 10M about 4 MB of its peak.)
    const maxInFlight = 2 * Math.max(1, workers) + 1;
    const inflight: { chunk: Chunk; result: Promise<ChunkJobResult>; out: SharedArrayBuffer | undefined }[] = [];
    let pendingFirst: Chunk | undefined = first;
    let readerDone = false;
    const fill = async () => {
      while (!readerDone && inflight.length < maxInFlight) {
        let c: Chunk | undefined;
        if (pendingFirst) {
          c = pendingFirst;
          pendingFirst = undefined;
        } else c = await reader.next();
        if (!c) {
          readerDone = true;
          break;
        }
        if (cancellation?.isCancellationRequested) throw new CancelledError();
        const { result, out } = dispatchA(c);
        result.catch(() => undefined);
        inflight.push({ chunk: c, result, out });
      }
    };

    let rows = 0;
    let line = header.firstDataLine;
    let carry: Uint8Array | undefined;
    // Chunks whose rows are known (phase A, in file order) wait here for their phase B while the next chunks' phase B
    // runs too, so no worker idles while this thread hands a chunk's rows to the command.
    interface Ready {
      chunk: Chunk;
      a: PhaseAResult;
      outA: SharedArrayBuffer | undefined;
      outB: SharedArrayBuffer | undefined;
      b: Promise<ChunkJobResult> | undefined;
      firstRow: number;
      firstLine: number;
    }
    const ready: Ready[] = [];
    const maxReady = Math.max(1, workers) + 2;
    const deliver = async (r: Ready): Promise<void> => {
      const { chunk, a } = r;
      let b: PhaseResult | undefined;
      if (r.b) {
        b = ((await r.b) as { b: PhaseResult }).b;
        if (b.error) throw chunkError(b.error, r.firstLine);
      }
      if (cancellation?.isCancellationRequested) throw new CancelledError();
      if (a.rows > 0) {
        const data = chunk.slot.view.subarray(chunk.offset, chunk.offset + a.consumed);
        await scan.onChunk({
          firstRow: r.firstRow,
          rows: a.rows,
          firstLine: r.firstLine,
          data,
          rowStarts: a.rowStarts,
          a,
          b,
        });
      }
      releaseArena('a', r.outA);
      releaseArena('b', r.outB);
      await chunk.hashed;
      pool.release(chunk.slot);
      options.onProgress?.(Math.min(total, chunk.fileOffset + a.consumed), total, r.firstRow + a.rows);
    };
    for (;;) {
      await fill();
      const head = inflight.shift();
      if (!head) break;
      let chunk = head.chunk;
      let a = ((await head.result) as { a: PhaseAResult }).a;
      let outA = head.out;
      if (carry) {
        // The previous chunk ended inside a quoted field: this one starts mid-row. Parse it again behind the carry.
        const slot = pool.acquire(carry.length + chunk.length);
        slot.view.set(carry, 0);
        slot.view.set(chunk.slot.view.subarray(chunk.offset, chunk.offset + chunk.length), carry.length);
        await chunk.hashed;
        pool.release(chunk.slot);
        chunk = {
          slot,
          offset: 0,
          length: carry.length + chunk.length,
          eof: chunk.eof,
          fileOffset: chunk.fileOffset - carry.length,
        };
        releaseArena('a', outA);
        const again = dispatchA(chunk);
        outA = again.out;
        a = ((await again.result) as { a: PhaseAResult }).a;
        carry = undefined;
      }
      if (cancellation?.isCancellationRequested) throw new CancelledError();
      if (a.error) {
        // What the chunks before it hold comes first: their phase B errors are earlier in the file.
        while (ready.length) await deliver(ready.shift()!);
        throw chunkError(a.error, line);
      }
      if (a.consumed < chunk.length) {
        if (chunk.eof) throw new Error('CSV engine: unconsumed bytes at the end of the file');
        carry = chunk.slot.view.slice(chunk.offset + a.consumed, chunk.offset + chunk.length);
      }
      let b: Promise<ChunkJobResult> | undefined;
      let outB: SharedArrayBuffer | undefined;
      if (scan.select && a.rows > 0) {
        // A view into a bigger buffer (the split's mask of every row) would be cloned whole into the worker, 10 MB a
        // chunk for 10M rows: it goes as a copy of its own bytes.
        const view = scan.select(rows, a.rows);
        const select = view.byteLength === view.buffer.byteLength ? view : view.slice();
        outB = arenaFor('b');
        b = executor.run({
          op: 'b',
          id: nextId++,
          buffer: chunk.slot.buffer,
          offset: chunk.offset,
          length: a.consumed,
          rowStarts: a.rowStarts,
          select,
          out: outB,
        });
        b.catch(() => undefined); // awaited in deliver, in file order
      }
      if (a.rows > 0 && rowsPerByte === 0) {
        rowsPerByte = a.rows / Math.max(1, a.consumed);
        const rowsPerChunk = Math.ceil(chunkBytes * rowsPerByte * 1.1) + 64;
        arenas.bytesA = arenaBytes(plan, rowsPerChunk, 'a');
        arenas.bytesB = scan.select ? arenaBytes(plan, rowsPerChunk, 'b') : 0;
      }
      ready.push({ chunk, a, outA, outB, b, firstRow: rows, firstLine: line });
      rows += a.rows;
      line += a.lines;
      if (ready.length >= maxReady) await deliver(ready.shift()!);
    }
    while (ready.length) await deliver(ready.shift()!);
    if (carry) throw new Error('CSV engine: a row was left over at the end of the file');
    if (rows === 0) throw new UserError(`${name}: the file has a header but no data rows`);
    return { header, rows, bytes: reader.bytesRead, sha256: await digest?.digest(), workers };
  } catch (err) {
    if (cancellation?.isCancellationRequested) throw new CancelledError();
    throw err;
  } finally {
    cancelled.dispose();
    await executor?.close().catch(() => undefined);
    await digest?.close().catch(() => undefined);
    await handle.close().catch(() => undefined);
  }
}

/** 'data.csv: 45% · 4,512,000 rows · 2.9M rows/s · 412 MB/s': what a long read shows while it runs. */
export function scanProgress(name: string, bytes: number, total: number, rows: number, ms: number): string {
  const pct = total > 0 ? Math.floor((100 * bytes) / total) : 0;
  const s = Math.max(0.001, ms / 1000);
  const rate = rows / s;
  const perSec =
    rate >= 1e6 ? `${(rate / 1e6).toFixed(1)}M` : rate >= 1e3 ? `${(rate / 1e3).toFixed(0)}k` : rate.toFixed(0);
  const mbs = (bytes / 1e6 / s).toFixed(0);
  return `${name}: ${pct}% · ${rows.toLocaleString('en-US')} rows · ${perSec} rows/s · ${mbs} MB/s`;
}
