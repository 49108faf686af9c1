// Worker-thread entry of the CSV engine (dist/scanWorker.js): parses the chunks the scan coordinator
// (parallelScan.ts) sends, one at a time, and posts each result back with its arrays transferred, not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkRunner, transferables, type ChunkJob } from './chunkJobs';
import type { ScanPlan } from './chunkParser';

// Not named `module`: that would shadow CommonJS's own and make Node load this file as an ES module.
const { wasm, plan } = workerData as { wasm: WebAssembly.Module; plan: ScanPlan };
const runner = new ChunkRunner(wasm, plan);

parentPort!.on('message', (job: ChunkJob) => {
  try {
    const result = runner.run(job);
    parentPort!.postMessage(result, transferables(result));
  } catch (err) {
    parentPort!.postMessage({ id: job.id, crash: String((err as Error)?.stack ?? err) });
  }
});
