// Worker-thread entry (dist/sha256Worker.js): the SHA-256 of one file, read in 4 MB blocks, posted back as hex.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { file } = workerData as { file: string };
try {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  parentPort?.postMessage({ hex: hash.digest('hex') });
} catch (err) {
  parentPort?.postMessage({ error: String((err as Error)?.message ?? err) });
}
