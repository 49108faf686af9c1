import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Streams the file so hashing a multi-gigabyte dataset stays in bounded memory. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * SHA-256 of a file computed on another thread, so hashing a large dataset overlaps with parsing it instead of
 * adding to it. Resolves with the hex digest; `terminate()` stops it when the split fails early.
 */
export function sha256FileOnWorker(file: string): { digest: Promise<string>; terminate(): void } {
  // The entry sits beside this module: dist/sha256Worker.js in the bundles, out/src/util/sha256Worker.js under tsc.
  const worker = new Worker(path.join(__dirname, 'sha256Worker.js'), { workerData: { file } });
  const digest = new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { hex?: string; error?: string }) => (m.hex ? resolve(m.hex) : reject(new Error(`hashing ${file}: ${m.error}`))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`hash worker exited with code ${code}`)));
  });
  // Settled elsewhere or abandoned on early failure: never an unhandled rejection.
  digest.catch(() => undefined);
  return { digest, terminate: () => void worker.terminate() };
}
