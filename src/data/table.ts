import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { UserError, type Cancellation } from '../util/errors';
import { fieldText, scanCsv } from './csv';
import { parseNumber, parsesAsNumber } from './labels';

/** A CSV held column by column as text (the split feature's streaming reader does the parsing). */
export interface Table {
  file: string;
  name: string;
  columns: string[];
  cells: string[][];
  /** 1-based file line of each data row, for error messages. */
  lines: Int32Array;
  rows: number;
  /** SHA-256 of the file, hashed from the chunks the parser read (no second read). */
  sha256: string;
}

export async function readTable(file: string, cancellation?: Cancellation): Promise<Table> {
  let columns: string[] = [];
  let cells: string[][] = [];
  let lines = new Int32Array(1024);
  const hash = createHash('sha256');
  const result = await scanCsv(
    file,
    (h) => {
      columns = h.columns.map((c) => c.trim());
      cells = columns.map(() => []);
    },
    (row) => {
      for (let j = 0; j < columns.length; j++) cells[j].push(fieldText(row, j));
      if (row.index >= lines.length) {
        const grown = new Int32Array(lines.length * 2);
        grown.set(lines);
        lines = grown;
      }
      lines[row.index] = row.line;
    },
    { cancellation, onChunk: (chunk) => hash.update(chunk) },
  );
  return {
    file,
    name: path.basename(file),
    columns,
    cells,
    lines: lines.subarray(0, result.rows),
    rows: result.rows,
    sha256: hash.digest('hex'),
  };
}

export function columnIndex(t: Table, name: string, role = 'column'): number {
  const j = t.columns.indexOf(name);
  if (j < 0) throw new UserError(`${role} '${name}' is not in ${t.name} (columns: ${t.columns.join(', ')})`);
  return j;
}

/** A number from a cell, or a UserError naming the file, line and column for empty, NaN and text cells. */
export function cellNumber(t: Table, j: number, i: number): number {
  const s = t.cells[j][i];
  const where = `column '${t.columns[j]}' on line ${t.lines[i]} of ${t.name}`;
  if (s.trim() === '') throw new UserError(`empty cell in ${where}; fill or drop rows without a value`);
  if (!parsesAsNumber(s)) {
    if (/^\s*[+-]?nan\s*$/i.test(s))
      throw new UserError(`NaN in ${where}; fill or drop missing values before inference`);
    throw new UserError(`text '${s.length > 40 ? s.slice(0, 40) + '…' : s}' where a number is expected in ${where}`);
  }
  return parseNumber(s);
}

/** Empty cells and NaN spellings count as missing when a column is typed, never as text. */
const MISSING = /^\s*(?:[+-]?nan)?\s*$/i;

/**
 * Whether values make a numeric column: every value that is not missing (empty, NaN) parses as a number, and at
 * least one is present. Typing looks at every value given, never at the first row alone.
 */
export function isNumericColumn(values: Iterable<string>): boolean {
  let seen = false;
  for (const v of values) {
    if (MISSING.test(v)) continue;
    if (!parsesAsNumber(v)) return false;
    seen = true;
  }
  return seen;
}

/** Numeric columns (the whole column typed, see isNumericColumn): the default features, in file order. */
export function numericColumns(t: Table, exclude: readonly string[] = []): string[] {
  return t.columns.filter((c, j) => !exclude.includes(c) && isNumericColumn(t.cells[j]));
}
