import { ChunkParser, OutputArena, type PhaseAResult, type PhaseResult, type ScanPlan } from './chunkParser';
import { CsvKernel } from './csvKernel';

/**
 * The jobs a scan hands out, and the one function that runs them: in a scan worker (scanWorker.ts) for big files,
 * on the calling thread for small ones. A chunk is a byte range of a SharedArrayBuffer, so no job copies it.
 */
export interface PhaseAJob {
  op: 'a';
  id: number;
  buffer: SharedArrayBuffer;
  offset: number;
  length: number;
  eof: boolean;
  estimatedRows: number;
  /** Where the per-row outputs go (the coordinator reuses it once the chunk is taken); absent: fresh arrays. */
  out?: SharedArrayBuffer;
}

export interface PhaseBJob {
  op: 'b';
  id: number;
  buffer: SharedArrayBuffer;
  offset: number;
  length: number;
  rowStarts: Int32Array;
  select: Uint8Array;
  out?: SharedArrayBuffer;
}

export type ChunkJob = PhaseAJob | PhaseBJob;
export type ChunkJobResult = { id: number; a: PhaseAResult } | { id: number; b: PhaseResult };

export class ChunkRunner {
  private readonly parser: ChunkParser;

  constructor(module: WebAssembly.Module, plan: ScanPlan) {
    this.parser = new ChunkParser(new CsvKernel(module), plan);
  }

  run(job: ChunkJob): ChunkJobResult {
    const bytes = new Uint8Array(job.buffer, job.offset, job.length);
    const { positions, sides } = this.parser.load(bytes);
    const arena = new OutputArena(job.out);
    if (job.op === 'a') {
      return { id: job.id, a: this.parser.phaseA(job.length, positions, job.eof, job.estimatedRows, sides, arena) };
    }
    return { id: job.id, b: this.parser.phaseB(job.length, positions, job.rowStarts, job.select, sides, arena) };
  }
}

/** The typed arrays of a result, for postMessage's transfer list (they are the worker's to give away). */
export function transferables(r: ChunkJobResult): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined) => {
    if (a && a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)
      out.add(a.buffer);
  };
  const p = 'a' in r ? r.a : r.b;
  if ('a' in r) add(r.a.rowStarts);
  add(p.hashes);
  for (const c of p.columns) {
    add(c?.codes);
    add(c?.values);
    add(c?.dict?.raw);
  }
  return [...out];
}
