import { sha256 } from '../util/hash';

/**
 * Percent-format cells ('# %%') in .py files, delimited exactly as the Jupyter extension does
 * (vscode-jupyter src/interactive-window/editor-integration/cellMatcher.ts and cellFactory.ts): a cell starts at
 * each line whose trimmed text matches the code or markdown expression and runs to the line before the next
 * marker; the last cell runs to the end of the file; text before the first marker belongs to no cell.
 */

export type CellKind = 'code' | 'markdown';

export interface PercentCell {
  /**
   * 0-based position among all cells of the file, markdown cells included (as in the notebook the file converts to).
   */
  index: number;
  /**
   * The number users see: code cells counted from 1 in file order, markdown cells not counted (undefined for them).
   * Lenses sit above code cells only, so "cell 3" is the third cell with a Time cell lens.
   */
  number?: number;
  kind: CellKind;
  /** 0-based line of the marker. */
  startLine: number;
  /** 0-based last line of the cell (inclusive). */
  endLine: number;
  /** Text after the marker ('# %% Load data' → 'Load data'), as Jupyter's CellMatcher.exec reads it. */
  title: string;
  /** The cell's lines below the marker, joined with '\n'. */
  source: string;
  /** Identity of the cell's code, stable under trailing whitespace and blank lines at either end. */
  hash: string;
}

export interface CellMarkerSettings {
  /** Replaces the code-cell expression (jupyter.interactiveWindow.cellMarker.codeRegex); empty = Jupyter's default. */
  codeRegex?: string;
  /** Replaces the markdown-cell expression (…cellMarker.markdownRegex); empty = Jupyter's default. */
  markdownRegex?: string;
  /** A line equal to this (trimmed) also starts a code cell (…cellMarker.default, '# %%'). */
  defaultMarker?: string;
}

// RegExpValues.PythonCellMarker / PythonMarkdownCellMarker in vscode-jupyter.
export const DEFAULT_CODE_REGEX = /^(#\s*%%|#\s*<codecell>|#\s*In\[\d*?\]|#\s*In\[ \])/;
export const DEFAULT_MARKDOWN_REGEX = /^(#\s*%%\s*\[markdown\]|#\s*<markdowncell>)/;

export class CellMatcher {
  readonly code: RegExp;
  readonly markdown: RegExp;
  readonly defaultMarker: string;

  constructor(settings: CellMarkerSettings = {}) {
    this.code = compileOr(settings.codeRegex, DEFAULT_CODE_REGEX);
    this.markdown = compileOr(settings.markdownRegex, DEFAULT_MARKDOWN_REGEX);
    this.defaultMarker = settings.defaultMarker?.trim() || '# %%';
  }

  isMarkdown(line: string): boolean {
    return this.markdown.test(line.trim());
  }

  isCode(line: string): boolean {
    const t = line.trim();
    return this.code.test(t) || t === this.defaultMarker;
  }

  isCell(line: string): boolean {
    return this.isCode(line) || this.isMarkdown(line);
  }

  /** Markdown wins: the default code expression also matches '# %% [markdown]'. */
  kind(line: string): CellKind {
    return this.isMarkdown(line) ? 'markdown' : 'code';
  }

  title(line: string): string {
    const t = line.trim();
    const re = this.isMarkdown(t) ? this.markdown : this.code;
    const m = re.exec(t);
    if (!m) return t === this.defaultMarker ? '' : t;
    return t.slice(m.index + m[0].length).trim();
  }
}

function compileOr(source: string | undefined, fallback: RegExp): RegExp {
  // Like Jupyter: an invalid user expression silently falls back to the default rather than losing all cells.
  if (source && source.trim() !== '') {
    try {
      return new RegExp(source);
    } catch {
      /* fall through */
    }
  }
  return fallback;
}

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function parseCells(text: string, settings: CellMarkerSettings = {}): PercentCell[] {
  const matcher = new CellMatcher(settings);
  const lines = splitLines(text);
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (matcher.isCell(lines[i])) starts.push(i);
  // A file ending in '\n' has no extra line in VS Code's model either, but keeping it is harmless: it is blank.
  let code = 0;
  return starts.map((startLine, index) => {
    const endLine = index + 1 < starts.length ? starts[index + 1] - 1 : lines.length - 1;
    const body = lines.slice(startLine + 1, endLine + 1).join('\n');
    const kind = matcher.kind(lines[startLine]);
    return {
      index,
      number: kind === 'code' ? ++code : undefined,
      kind,
      startLine,
      endLine,
      title: matcher.title(lines[startLine]),
      source: body,
      hash: cellHash(body),
    };
  });
}

/**
 * First 16 hex digits of sha256 over the code with line ends normalised and outer blank lines/trailing spaces dropped.
 */
export function cellHash(source: string): string {
  const normalised = splitLines(source)
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
  return sha256(normalised).slice(0, 16);
}

/** The code cell users call "cell n" (counted from 1, markdown cells not counted), or undefined. */
export function cellByNumber(cells: PercentCell[], n: number): PercentCell | undefined {
  return cells.find((c) => c.number === n);
}

/** 'cell 3' for a code cell, 'markdown cell at line 12' for the others: how messages name a cell. */
export function cellName(c: Pick<PercentCell, 'number' | 'startLine'>): string {
  return c.number !== undefined ? `cell ${c.number}` : `the markdown cell at line ${c.startLine + 1}`;
}

/** The cell containing a 0-based line, or undefined for lines before the first marker. */
export function cellAtLine(cells: PercentCell[], line: number): PercentCell | undefined {
  return cells.find((c) => line >= c.startLine && line <= c.endLine);
}

/** True when the cell holds nothing but comments and blank lines, so there is nothing to time. */
export function hasCode(source: string): boolean {
  return splitLines(source).some((l) => {
    const t = l.trim();
    return t !== '' && !t.startsWith('#');
  });
}

/**
 * Lines before the first marker: not a cell for Jupyter, but the imports a script runs first, so setup includes them.
 */
export function preamble(text: string, cells: PercentCell[]): string {
  const lines = splitLines(text);
  const end = cells.length > 0 ? cells[0].startLine : lines.length;
  return lines.slice(0, end).join('\n');
}
