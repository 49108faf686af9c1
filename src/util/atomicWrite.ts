import * as fs from 'node:fs';
import * as path from 'node:path';
import { keepOutOfGit } from './flowbenchDir';

/** Path of a temp file beside `target`, so the final rename stays on one filesystem and is atomic. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(
    dir,
    `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
}

/**
 * Writes the whole file or nothing: readers never see a half-written file, and a failure leaves no temp file behind.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  await keepOutOfGit(path.dirname(target));
  const tmp = tempPathFor(target);
  try {
    await fs.promises.writeFile(tmp, data);
    await fs.promises.rename(tmp, target);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * A streamed atomic write: callers write through `stream`, then `commit()` renames into place,
 * or `abort()` removes the temp file (on error or cancellation).
 */
export class AtomicFileWriter {
  readonly tmp: string;
  private readonly fd: number;
  private closed = false;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(readonly target: string) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    this.tmp = tempPathFor(target);
    this.fd = fs.openSync(this.tmp, 'w');
  }

  write(chunk: string | Uint8Array): void {
    if (typeof chunk !== 'string') {
      // Bytes go straight to the file, after whatever text is still buffered.
      this.flush();
      for (let at = 0; at < chunk.length;) at += fs.writeSync(this.fd, chunk, at, chunk.length - at);
      return;
    }
    this.buffer.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.buffered = 0;
  }

  commit(): void {
    if (this.closed) throw new Error(`AtomicFileWriter for ${this.target} already closed`);
    try {
      this.flush();
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
      this.closed = true;
    }
    fs.renameSync(this.tmp, this.target);
  }

  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    fs.rmSync(this.tmp, { force: true });
  }
}
