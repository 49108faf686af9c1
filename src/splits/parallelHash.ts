import { Worker } from 'node:worker_threads';

// Plain JS so it runs from any bundle (CLI, extension host) without a separate worker file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const hash = require('node:crypto').createHash('sha256');
try {
  const fd = fs.openSync(workerData.file, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let n;
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  fs.closeSync(fd);
  parentPort.postMessage({ hex: hash.digest('hex') });
} catch (err) {
  parentPort.postMessage({ error: String(err && err.message || err) });
}
`;

/**
 * SHA-256 of a file computed on another thread, so hashing a large dataset overlaps with parsing it instead of
 * adding to it. Resolves with the hex digest; `terminate()` stops it when the split fails early.
 */
export function sha256FileOnWorker(file: string): { digest: Promise<string>; terminate(): void } {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file } });
  const digest = new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { hex?: string; error?: string }) => (m.hex ? resolve(m.hex) : reject(new Error(`hashing ${file}: ${m.error}`))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`hash worker exited with code ${code}`)));
  });
  // Settled elsewhere or abandoned on early failure: never an unhandled rejection.
  digest.catch(() => undefined);
  return { digest, terminate: () => void worker.terminate() };
}
