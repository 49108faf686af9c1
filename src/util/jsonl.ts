import * as fs from 'node:fs';
import { OutputSet } from './outputs';
import { fsUserError } from './fsErrors';
import { readCheckedInput } from './inputs';

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

/** Read a whole log at most this big; one is appended a line per timing or experiment, so this is years of use. */
export const MAX_JSONL_BYTES = 1 << 30;

export async function readJsonl<T>(file: string): Promise<JsonlReadResult<T>> {
  try {
    fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
    throw fsUserError(err, { path: file, action: 'read' });
  }
  const text = (await readCheckedInput(file, { what: 'log file', maxBytes: MAX_JSONL_BYTES })).toString('utf8');
  return parseJsonl<T>(text);
}

/**
 * Appends one record as a single line with one write call (O_APPEND), so concurrent appenders never interleave
 * within a line. If the file ends without a newline (a previous writer crashed mid-line), a newline is written
 * first so the torn line stays isolated and the new record stays parseable. Paths that cannot hold the file (a
 * folder named like it, a parent that is a file) are a UserError, through the output layer.
 */
export async function appendJsonl(file: string, record: unknown): Promise<void> {
  const outs = new OutputSet();
  outs.jsonl(file).add(record);
  await outs.commitAll();
}
