import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The WebAssembly half of the CSV engine (csvIndex.wat): one instance per thread, with its memory laid out as
 *   [data: the chunk's bytes + 16 readable padding bytes][positions: i32 per structural byte][runs][row hashes]
 * and grown as chunks need. The bundles load dist/csvIndex.wasm; tsc's unit-test build has no .wasm, so there the
 * text is assembled on the fly with wabt (a devDependency).
 */

interface Exports {
  memory: WebAssembly.Memory;
  index(
    src: number,
    len: number,
    out: number,
    delim: number,
    nl: number,
    nlCap: number,
    qt: number,
    qtCap: number,
  ): [number, number, number];
  hashRows(src: number, runs: number, nRuns: number, out: number): void;
}

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<WebAssembly.Module> | undefined;

function packageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'flowbench') return dir;
    } catch {
      // not here: keep climbing
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function compile(): Promise<WebAssembly.Module> {
  const built = path.join(__dirname, 'csvIndex.wasm');
  if (fs.existsSync(built)) return new WebAssembly.Module(fs.readFileSync(built));
  const root = packageRoot(__dirname);
  const source = root && path.join(root, 'src', 'data', 'csvIndex.wat');
  if (!source || !fs.existsSync(source))
    throw new Error(`the CSV engine's csvIndex.wasm is missing beside ${__dirname}`);
  // Only in development and tests: the packaged extension ships the assembled .wasm.
  const wabt = await ((await import('wabt')).default as unknown as () => Promise<WabtModule>)();
  const mod = wabt.parseWat(source, fs.readFileSync(source, 'utf8'), { simd: true, multi_value: true });
  try {
    return new WebAssembly.Module(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

interface WabtModule {
  parseWat(
    name: string,
    text: string,
    features: Record<string, boolean>,
  ): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
}

/** Compiles the module once per thread (the first caller waits; later ones get it at once). */
export async function loadCsvModule(): Promise<WebAssembly.Module> {
  if (compiled) return compiled;
  compiling ??= compile().then((m) => (compiled = m));
  return compiling;
}

const PAGE = 65536;
const align = (n: number, a: number): number => Math.ceil(n / a) * a;

export class CsvKernel {
  private readonly ex: Exports;
  /** Bytes of the current chunk (a view into wasm memory; renewed when memory grows). */
  data!: Uint8Array;
  positions!: Int32Array;
  /** Line ends (LF, CR) alone and quotes alone, each with a sentinel after its last entry. */
  newlines!: Int32Array;
  quotes!: Int32Array;
  private dataCap = 0;
  private posOff = 0;
  private nlOff = 0;
  private qtOff = 0;
  private sideCap = 0;
  private runsOff = 0;
  private runsCap = 0;
  private hashOff = 0;
  private hashCap = 0;
  runs!: Int32Array;

  constructor(module: WebAssembly.Module) {
    this.ex = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  }

  /**
   * Makes room for a chunk of `bytes` bytes and `rows` rows (hash and run space), laying the regions out again
   * when it grows; returns the data view to copy the chunk into.
   */
  reserve(bytes: number, rows = 0, runsPerRow = 0): Uint8Array {
    const needRuns = 2 * (rows * runsPerRow + 16);
    if (bytes + 16 > this.dataCap || needRuns > this.runsCap || rows > this.hashCap) {
      this.dataCap = Math.max(align(bytes + 16, PAGE), this.dataCap);
      this.runsCap = Math.max(needRuns, this.runsCap, 1 << 16);
      this.hashCap = Math.max(rows, this.hashCap, 1 << 14);
      this.posOff = this.dataCap;
      // Every byte can be structural: the positions region is as long as the data, in i32s. Line ends and quotes
      // get an eighth of that each; a chunk with more (rows under 8 bytes) is parsed from the positions alone.
      this.sideCap = (this.dataCap >> 3) + 16;
      this.nlOff = this.posOff + 4 * this.dataCap;
      this.qtOff = this.nlOff + 4 * (this.sideCap + 1);
      this.runsOff = this.qtOff + 4 * (this.sideCap + 1);
      this.hashOff = align(this.runsOff + 4 * this.runsCap, 8);
      const need = this.hashOff + 8 * this.hashCap;
      const have = this.ex.memory.buffer.byteLength;
      if (need > have) this.ex.memory.grow(Math.ceil((need - have) / PAGE));
    }
    const buf = this.ex.memory.buffer;
    this.data = new Uint8Array(buf, 0, this.dataCap);
    this.positions = new Int32Array(buf, this.posOff, this.dataCap);
    this.newlines = new Int32Array(buf, this.nlOff, this.sideCap + 1);
    this.quotes = new Int32Array(buf, this.qtOff, this.sideCap + 1);
    this.runs = new Int32Array(buf, this.runsOff, this.runsCap);
    return this.data;
  }

  /**
   * Indexes data[0, len): the offsets of every delimiter, LF, CR and quote, in order (their count comes back), and of
   * the line ends and the quotes alone (`sides`: false when a chunk had too many to keep apart).
   */
  index(len: number, delimiter: number): { positions: number; sides: boolean } {
    // The SIMD loop reads whole 16-byte blocks; zeroed padding is never structural.
    this.data.fill(0, len, len + 16);
    const [n, nl, qt] = this.ex.index(
      0,
      len,
      this.posOff,
      delimiter,
      this.nlOff,
      this.sideCap,
      this.qtOff,
      this.sideCap,
    );
    // Sentinels after the last entries let the parser run without bounds checks of its own.
    this.positions[n] = len;
    if (nl >= 0) this.newlines[nl] = len;
    if (qt >= 0) this.quotes[qt] = 0x7fffffff;
    return { positions: n, sides: nl >= 0 && qt >= 0 };
  }

  /** Hashes `rows` rows whose ranges fill runs[0, nRunInts) (pairs; a -1 start ends a row): a 53-bit integer each. */
  hashRows(nRunInts: number, rows: number): Float64Array {
    if (rows > this.hashCap) throw new Error('hashRows: more rows than reserved');
    this.ex.hashRows(0, this.runsOff, nRunInts >> 1, this.hashOff);
    return new Float64Array(this.ex.memory.buffer, this.hashOff, rows);
  }
}
