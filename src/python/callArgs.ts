import { closingBracket, stringAt, type LexedSource } from './lexer';

/** A Python constant read from source: only what can be known without running anything. */
export type PythonLiteral = string | number | boolean | null;

export interface CallArgument {
  /** Keyword name, or undefined for a positional argument. */
  name?: string;
  /** The argument's source text, trimmed (for expressions such as `df["species"]`). */
  text: string;
  /** The constant value when the argument is a literal (number, string, True/False/None), else undefined. */
  value?: PythonLiteral;
  isLiteral: boolean;
}

export interface CallArguments {
  positional: CallArgument[];
  keywords: Record<string, CallArgument>;
}

const NUMBER = /^[+-]?(?:\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)$/;

function literalOf(
  text: string,
  lexed: LexedSource,
  start: number,
  end: number,
): { ok: boolean; value?: PythonLiteral } {
  if (text === 'True') return { ok: true, value: true };
  if (text === 'False') return { ok: true, value: false };
  if (text === 'None') return { ok: true, value: null };
  if (NUMBER.test(text)) return { ok: true, value: Number(text.replace(/_/g, '')) };
  if (/^[+-]?0[xX][0-9a-fA-F_]+$/.test(text)) {
    const neg = text.startsWith('-');
    const v = Number(text.replace(/^[+-]/, '').replace(/_/g, ''));
    return { ok: true, value: neg ? -v : v };
  }
  // One string token spanning the whole argument (implicit concatenation of several is rare in these calls).
  const s = stringAt(lexed, start);
  if (s && s.end === end && s.terminated && !s.hasPlaceholder && !/[bB]/.test(s.prefix))
    return { ok: true, value: s.value };
  return { ok: false };
}

/**
 * The arguments of the call whose opening parenthesis is at `openParen`, split at top-level commas. Values that are
 * literals are read; anything else keeps only its text. An unclosed call reads up to the end of its first line.
 */
export function callArguments(lexed: LexedSource, openParen: number): CallArguments {
  const { text, masked } = lexed;
  let close = closingBracket(lexed, openParen);
  if (close === -1) {
    const eol = text.indexOf('\n', openParen);
    close = eol === -1 ? text.length : eol;
  }
  const result: CallArguments = { positional: [], keywords: {} };
  let depth = 0;
  let argStart = openParen + 1;
  const pieces: Array<[number, number]> = [];
  for (let i = openParen + 1; i < close; i++) {
    const ch = masked[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      pieces.push([argStart, i]);
      argStart = i + 1;
    }
  }
  pieces.push([argStart, close]);
  for (const [from, to] of pieces) {
    const raw = masked.slice(from, to);
    if (raw.trim() === '') continue;
    const kw = /^\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(raw);
    // Bounds come from the masked text so a trailing comment never becomes part of the value.
    let valueStart = kw ? from + kw[0].length : from;
    let valueEnd = to;
    while (valueStart < valueEnd && /\s/.test(masked[valueStart])) valueStart++;
    while (valueEnd > valueStart && /\s/.test(masked[valueEnd - 1])) valueEnd--;
    const valueText = text.slice(valueStart, valueEnd);
    if (valueText.startsWith('*')) continue; // *args / **kwargs cannot be read statically
    const lit = literalOf(valueText, lexed, valueStart, valueEnd);
    const arg: CallArgument = { text: valueText, isLiteral: lit.ok, ...(lit.ok ? { value: lit.value } : {}) };
    if (kw) {
      arg.name = kw[1];
      result.keywords[kw[1]] = arg;
    } else {
      result.positional.push(arg);
    }
  }
  return result;
}
