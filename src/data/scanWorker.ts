// Worker-thread entry of the CSV engine (dist/scanWorker.js): parses the chunks the scan coordinator
// (parallelScan.ts) sends, one at a time, and posts each result back with its arrays transferred, not copied;
// or, started with `sha256`, hashes the file's chunks in order.
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkRunner, transferables, type ChunkJob } from './chunkJobs';
import type { ScanPlan } from './chunkParser';

// Not named `module`: that would shadow CommonJS's own and make Node load this file as an ES module.
const { wasm, plan, sha256 } = workerData as { wasm: WebAssembly.Module; plan: ScanPlan; sha256?: boolean };

if (sha256) {
  // The file digest thread: shared chunks arrive in file order; each is acknowledged once hashed.
  const hash = createHash('sha256');
  parentPort!.on('message', (m: { buffer: SharedArrayBuffer; offset: number; length: number } | { done: true }) => {
    if ('done' in m) parentPort!.postMessage({ hex: hash.digest('hex') });
    else {
      hash.update(new Uint8Array(m.buffer, m.offset, m.length));
      parentPort!.postMessage({});
    }
  });
} else {
  const runner = new ChunkRunner(wasm, plan);
  parentPort!.on('message', (job: ChunkJob) => {
    try {
      const result = runner.run(job);
      parentPort!.postMessage(result, transferables(result));
    } catch (err) {
      parentPort!.postMessage({ id: job.id, crash: String((err as Error)?.stack ?? err) });
    }
  });
}
