import * as fs from 'node:fs';
import * as path from 'node:path';
import { keepOutOfGit } from './flowbenchDir';

export interface JsonlReadResult<T> {
  records: T[];
  /** 1-based line numbers of lines that were not valid JSON (a crash mid-append, a hand edit). */
  skipped: number[];
}

/** Parses JSON-lines text; broken lines are reported and skipped, never fatal, so one bad line cannot hide the rest. */
export function parseJsonl<T>(text: string): JsonlReadResult<T> {
  const records: T[] = [];
  const skipped: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped.push(i + 1);
    }
  }
  return { records, skipped };
}

export async function readJsonl<T>(file: string): Promise<JsonlReadResult<T>> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
    throw err;
  }
  return parseJsonl<T>(text);
}

/**
 * Appends one record as a single line with one write call (O_APPEND), so concurrent appenders never interleave
 * within a line. If the file ends without a newline (a previous writer crashed mid-line), a newline is written
 * first so the torn line stays isolated and the new record stays parseable.
 */
export async function appendJsonl(file: string, record: unknown): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await keepOutOfGit(path.dirname(file));
  const line = JSON.stringify(record);
  if (line.includes('\n')) throw new Error('internal: JSON.stringify produced a newline');
  let prefix = '';
  const fh = await fs.promises.open(file, 'a+');
  try {
    const { size } = await fh.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await fh.appendFile(prefix + line + '\n', 'utf8');
  } finally {
    await fh.close();
  }
}
