import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, type Cancellation } from '../util/errors';
import { sha256File } from '../util/hash';
import { fieldText, scanCsv } from '../splits/csvReader';
import { parseNumber, parsesAsNumber } from '../splits/labels';

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
  return { file, name: path.basename(file), columns, cells, lines: lines.subarray(0, result.rows), rows: result.rows, sha256: hash.digest('hex') };
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
    if (/^\s*[+-]?nan\s*$/i.test(s)) throw new UserError(`NaN in ${where}; fill or drop missing values before inference`);
    throw new UserError(`text '${s.length > 40 ? s.slice(0, 40) + '…' : s}' where a number is expected in ${where}`);
  }
  return parseNumber(s);
}

/** Columns whose first non-empty value parses as a number: the default features, in file order. */
export function numericColumns(t: Table, exclude: readonly string[] = []): string[] {
  return t.columns.filter((c, j) => {
    if (exclude.includes(c)) return false;
    const col = t.cells[j];
    for (let i = 0; i < col.length; i++) if (col[i].trim() !== '') return parsesAsNumber(col[i]) && !/nan/i.test(col[i]);
    return false;
  });
}

export interface SplitRows {
  file: string;
  /** 'split' column (train/valid/unused) or 'fold' column (fold number, -1 never validated). */
  kind: 'split' | 'fold';
  fold: number | null;
  train: number[];
  valid: number[];
  /** SHA-256 of the manifest FOLDS.csv.json when present, else of FOLDS.csv itself. */
  manifestHash: string;
  manifestFile: string;
}

/**
 * Reads a Flowbench split (FOLDS.csv, one line per data row). Validation rows: split == valid, or fold == K; train
 * rows: split == train, or every other fold (rows that are never validated, fold -1, count as train).
 */
export async function readSplit(file: string, dataRows: number, fold?: number, cancellation?: Cancellation): Promise<SplitRows> {
  const t = await readTable(file, cancellation);
  if (t.rows !== dataRows) {
    throw new UserError(`${t.name} has ${t.rows} rows but the data has ${dataRows}; the split was made for another file`);
  }
  const train: number[] = [];
  const valid: number[] = [];
  let kind: SplitRows['kind'];
  let k: number | null = null;
  if (t.columns.includes('split')) {
    kind = 'split';
    const col = t.cells[columnIndex(t, 'split')];
    for (let i = 0; i < col.length; i++) {
      const v = col[i].trim().toLowerCase();
      if (v === 'valid' || v === 'validation' || v === 'test') valid.push(i);
      else if (v === 'train') train.push(i);
      else if (v !== 'unused') throw new UserError(`${t.name} line ${t.lines[i]}: split '${col[i]}' is not train, valid or unused`);
    }
  } else if (t.columns.includes('fold')) {
    kind = 'fold';
    const j = columnIndex(t, 'fold');
    const folds = Array.from({ length: t.rows }, (_, i) => cellNumber(t, j, i));
    const available = [...new Set(folds.filter((f) => f >= 0))].sort((a, b) => a - b);
    k = fold ?? available[0] ?? 0;
    if (!available.includes(k)) throw new UserError(`fold ${k} is not in ${t.name} (folds: ${available.join(', ') || 'none'})`);
    folds.forEach((f, i) => (f === k ? valid : train).push(i));
  } else {
    throw new UserError(`${t.name} has neither a 'split' nor a 'fold' column; make one with 'flowbench split'`);
  }
  if (valid.length === 0) throw new UserError(`${t.name} has no validation rows${k !== null ? ` for fold ${k}` : ''}`);
  const manifest = `${file}.json`;
  const manifestFile = fs.existsSync(manifest) ? manifest : file;
  return { file, kind, fold: k, train, valid, manifestHash: await sha256File(manifestFile), manifestFile };
}

/** What a split's manifest (FOLDS.csv.json, written by `flowbench split`) says about the data it was made for. */
export interface SplitManifestHints {
  target?: string;
  dataFile?: string;
  dataSha256?: string;
}

/** Reads FOLDS.csv.json when present; a missing or unreadable manifest gives no hints rather than an error. */
export function readSplitManifest(foldsFile: string): SplitManifestHints {
  try {
    const m = JSON.parse(fs.readFileSync(`${foldsFile}.json`, 'utf8')) as { parameters?: { target?: unknown }; input?: { file?: unknown; sha256?: unknown } };
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
    const dataFile = str(m.input?.file);
    return {
      target: str(m.parameters?.target),
      dataFile: dataFile ? path.resolve(path.dirname(foldsFile), dataFile) : undefined,
      dataSha256: str(m.input?.sha256),
    };
  } catch {
    return {};
  }
}
