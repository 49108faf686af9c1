/**
 * A single-pass, forgiving lexer for Python source: enough to tell code from strings and comments, to read string
 * literals and to match brackets. It never throws: unterminated strings end at the line end (single-quoted) or at the
 * end of the file (triple-quoted), like an editor's highlighter, so a half-typed script still gets its lenses.
 */

export interface StringLiteral {
  /** Offset of the first character of the token (its prefix, if any). */
  start: number;
  /** Offset just after the closing quote (or the end of what was read when unterminated). */
  end: number;
  /** The characters between the quotes, with simple escapes decoded (not for raw strings). */
  value: string;
  prefix: string;
  /** f-strings (and t-strings) whose value holds a replacement field cannot be read as a constant. */
  hasPlaceholder: boolean;
  triple: boolean;
  terminated: boolean;
}

export interface LexedSource {
  text: string;
  /**
   * The text with every string token and comment blanked (same length, newlines kept, quotes kept as `"`): regular
   * expressions and bracket matching on it never see code-like text inside strings or comments.
   */
  masked: string;
  strings: StringLiteral[];
  /** Offset of the first character of each line. */
  lineStarts: number[];
}

/** Brackets further apart than this are treated as unclosed: a half-typed call must not cost a scan to the end. */
const MAX_CALL_CHARS = 64 * 1024;

/**
 * The offset of the bracket closing the one at `open` in code, or -1 when it is not closed (within MAX_CALL_CHARS).
 * Computed on demand: only the few calls that get lenses need it, not every bracket of the file.
 */
export function closingBracket(lexed: LexedSource, open: number): number {
  const m = lexed.masked;
  const end = Math.min(m.length, open + MAX_CALL_CHARS);
  let depth = 0;
  for (let i = open; i < end; i++) {
    const c = m.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The string token starting exactly at `offset` (binary search over tokens in file order). */
export function stringAt(lexed: LexedSource, offset: number): StringLiteral | undefined {
  const list = lexed.strings;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = list[mid].start;
    if (start === offset) return list[mid];
    if (start < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

const STRING_PREFIX = /^(?:[rRbBuUfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function decodeEscapes(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(\n|.)/g, (all, c: string) => (c === '\n' ? '' : (SIMPLE_ESCAPES[c] ?? all)));
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

/** Zero-based line of an offset (binary search over line starts). */
export function lineOf(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function lexPython(text: string): LexedSource {
  const n = text.length;
  // Masking happens in place on a copy of the UTF-16 code units: far cheaper than building strings per token.
  const bytes = Buffer.from(text, 'utf16le');
  const out =
    bytes.byteOffset % 2 === 0
      ? new Uint16Array(bytes.buffer, bytes.byteOffset, n)
      : new Uint16Array(Uint8Array.from(bytes).buffer);
  const strings: StringLiteral[] = [];
  let i = 0;

  // Blank [from, to), keeping newlines so line numbers stay put; string tokens keep a quote at each end.
  const blank = (from: number, to: number, keepQuotes: boolean) => {
    for (let k = from; k < to; k++) if (out[k] !== 10) out[k] = 32;
    if (keepQuotes && to > from) {
      out[from] = 34;
      out[to - 1] = 34;
    }
  };

  while (i < n) {
    const c = out[i];
    if (c === 35 /* # */) {
      let end = text.indexOf('\n', i);
      if (end === -1) end = n;
      blank(i, end, false);
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(out[j])) j++;
      const q = out[j];
      if ((q === 34 || q === 39) && j - i <= 2 && STRING_PREFIX.test(text.slice(i, j))) {
        i = readString(i, j);
      } else {
        i = j;
      }
      continue;
    }
    if (c === 34 || c === 39) {
      i = readString(i, i);
      continue;
    }
    i++;
  }
  const masked = Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('utf16le');
  return { text, masked, strings, lineStarts: lineStartsOf(text) };

  function readString(tokenStart: number, quoteAt: number): number {
    const quote = out[quoteAt];
    const prefix = text.slice(tokenStart, quoteAt);
    const raw = /[rR]/.test(prefix);
    const formatted = /[fFtT]/.test(prefix);
    const triple = out[quoteAt + 1] === quote && out[quoteAt + 2] === quote;
    const delimLength = triple ? 3 : 1;
    const bodyStart = quoteAt + delimLength;
    let j = bodyStart;
    let terminated = false;
    let bodyEnd = n;
    while (j < n) {
      const cj = out[j];
      if (cj === 92 /* backslash */) {
        j += 2;
        continue;
      }
      if (!triple && cj === 10) {
        bodyEnd = j;
        break;
      }
      if (cj === quote && (!triple || (out[j + 1] === quote && out[j + 2] === quote))) {
        bodyEnd = j;
        terminated = true;
        j += delimLength;
        break;
      }
      j++;
    }
    const end = terminated ? j : Math.min(bodyEnd, n);
    const body = text.slice(bodyStart, Math.min(bodyEnd, n));
    strings.push({
      start: tokenStart,
      end,
      value: raw ? body : decodeEscapes(body),
      prefix,
      hasPlaceholder: formatted && /\{(?!\{)/.test(body.replace(/\{\{/g, '')),
      triple,
      terminated,
    });
    blank(tokenStart, end, true);
    return end;
  }
}
