import { hasCode, parseCells, type CellMarkerSettings } from './cells';
import { callArguments, type CallArguments } from './callArgs';
import { closingBracket, lexPython, lineOf, type LexedSource, type StringLiteral } from './lexer';

/**
 * Finds where a Python training script wants Flowbench: its '# %%' cells, its validation-split calls, its ONNX
 * exports and model paths, and its training entry points. Pure and fast (one lexing pass plus a few regular
 * expressions over the masked text) so it can rerun on every edit of a long script without a Python process.
 */

export type LensKind = 'timeCell' | 'split' | 'onnx' | 'focus' | 'loader';

export interface CellSite {
  kind: 'timeCell';
  line: number;
  /** Index among all the file's cells, markdown included (what the timing history records). */
  cell: number;
  /** The number users see: code cells from 1 (see PercentCell.number). */
  number: number;
  endLine: number;
  /** The cell's code identity, as the timing history records it. */
  hash: string;
  title: string;
}

export interface SplitSite {
  kind: 'split';
  line: number;
  character: number;
  /** The class or function called: train_test_split, KFold, StratifiedGroupKFold, TimeSeriesSplit, ... */
  callee: string;
  /** The call's source text, from the callee's name to its closing parenthesis. */
  callText: string;
  args: CallArguments;
  /** The nearest '.csv'/'.tsv' path literal before the call (else the first in the file): the data it likely splits. */
  dataPath?: string;
}

export interface OnnxSite {
  kind: 'onnx';
  line: number;
  character: number;
  /** 'export' for torch.onnx.export / skl2onnx conversions, 'path' for a bare '.onnx' string literal. */
  source: 'export' | 'path';
  callee?: string;
  /** The model path as written in the script (relative paths are the caller's to resolve). */
  modelPath?: string;
  /** The nearest '.csv'/'.tsv' path literal before the site (else the first in the file): data to evaluate on. */
  dataPath?: string;
}

export type EntryKind = 'def train' | 'def main' | '__main__' | 'epoch loop';

export interface FocusSite {
  kind: 'focus';
  line: number;
  character: number;
  entry: EntryKind;
}

/** `name = DataLoader(…)` (any `….DataLoader(` or `…DataLoader(` callee): a data loader the timing feature can time. */
export interface LoaderSite {
  kind: 'loader';
  line: number;
  character: number;
  /** The name the loader is bound to. */
  name: string;
  /** The callee as written: DataLoader, torch.utils.data.DataLoader, StatefulDataLoader, ... */
  callee: string;
  /** 0-based line of the call's closing parenthesis (the statement's last line); the call's line when unclosed. */
  endLine: number;
  /** Unindented, so once the code around it runs the name is a global of the script. */
  topLevel: boolean;
}

export type LensSite = CellSite | SplitSite | OnnxSite | FocusSite | LoaderSite;

export interface ScanResult {
  isTrainingScript: boolean;
  /** Why the file counts as a training script: frameworks imported, 'training loop', '.fit( call'. */
  reasons: string[];
  /** Sorted by line, then by kind in LensKind order. */
  sites: LensSite[];
}

export interface ScanOptions {
  cellMarkers?: CellMarkerSettings;
  /** Scan for sites even when the file does not look like a training script (tests, explicit requests). */
  force?: boolean;
}

const FRAMEWORKS = [
  'torch',
  'tensorflow',
  'keras',
  'sklearn',
  'lightgbm',
  'xgboost',
  'catboost',
  'fastai',
  'lightning',
  'pytorch_lightning',
];

const SPLIT_CALLEES = [
  'train_test_split',
  'KFold',
  'StratifiedKFold',
  'GroupKFold',
  'StratifiedGroupKFold',
  'RepeatedKFold',
  'RepeatedStratifiedKFold',
  'ShuffleSplit',
  'StratifiedShuffleSplit',
  'GroupShuffleSplit',
  'TimeSeriesSplit',
];

// torch.onnx.export / dynamo_export, skl2onnx's convert_sklearn and to_onnx, onnxmltools' convert_<library>.
const ONNX_CALL =
  /(?:\btorch\.onnx\.(?:export|dynamo_export)|(?<![\w.])(?:skl2onnx\.|onnxmltools\.)?(?:convert_sklearn|to_onnx|convert_(?:lightgbm|xgboost|catboost|keras|sparkml))|\.to_onnx)\s*\(/g;
const SPLIT_CALL = new RegExp(`(?<![\\w])(?:[A-Za-z_][\\w.]*\\.)?(${SPLIT_CALLEES.join('|')})\\s*\\(`, 'g');
const IMPORT_LINE = /^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([^\n]+))/gm;
const FIT_CALL = /\.fit(?:_generator)?\s*\(/;
const EPOCH_LOOP = /^([ \t]*)(?:async[ \t]+)?for[ \t]+\(?[ \t]*epoch\w*\b[^\n]*?\bin\b/gm;
const DEF_ENTRY = /^([ \t]*)(?:async[ \t]+)?def[ \t]+(train|main)[ \t]*\(/gm;
const MAIN_GUARD =
  /^if[ \t]+(?:__name__[ \t]*==[ \t]*(['"])__main__\1|(['"])__main__\2[ \t]*==[ \t]*__name__)[ \t]*:/gm;
// `name = DataLoader(`, `name: T = torch.utils.data.DataLoader(`, `name = StatefulDataLoader(`: indent, name, callee.
const LOADER_ASSIGN = new RegExp(
  String.raw`^([ \t]*)([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*` +
    String.raw`((?:[A-Za-z_]\w*[ \t]*\.[ \t]*)*(?:[A-Za-z_]\w*)?DataLoader)[ \t]*\(`,
  'gm',
);
const ONNX_PATH = /^[^\s'"{}]*\.onnx$/i;
const DATA_PATH = /^[^\s'"{}]*\.(?:csv|tsv)$/i;
/** How far below a conversion call its model path may be written (skl2onnx: `with open("m.onnx", "wb")`). */
const EXPORT_PATH_LOOKAHEAD_LINES = 8;

function isCode(lexed: LexedSource, offset: number): boolean {
  return lexed.masked.charCodeAt(offset) === lexed.text.charCodeAt(offset);
}

export function detectTrainingScript(lexed: LexedSource): string[] {
  const reasons = new Set<string>();
  for (const m of lexed.masked.matchAll(IMPORT_LINE)) {
    const modules = m[1] ? [m[1]] : m[2].split(',').map((s) => s.trim().split(/\s+/)[0]);
    for (const mod of modules) {
      const root = mod.replace(/^\(/, '').split('.')[0];
      if (FRAMEWORKS.includes(root)) reasons.add(root === 'pytorch_lightning' || root === 'lightning' ? 'torch' : root);
    }
  }
  if (FIT_CALL.test(lexed.masked)) reasons.add('.fit( call');
  EPOCH_LOOP.lastIndex = 0;
  if (EPOCH_LOOP.test(lexed.masked) || /\.backward\s*\(\s*\)[\s\S]{0,400}?\.step\s*\(/.test(lexed.masked))
    reasons.add('training loop');
  return [...reasons];
}

export function scanPython(text: string, options: ScanOptions = {}): ScanResult {
  const lexed = lexPython(text);
  const reasons = detectTrainingScript(lexed);
  const isTrainingScript = reasons.length > 0;
  if (!isTrainingScript && !options.force) return { isTrainingScript, reasons, sites: [] };

  const sites: LensSite[] = [
    ...cellSites(text, options.cellMarkers),
    ...splitSites(lexed),
    ...onnxSites(lexed),
    ...focusSites(lexed),
    ...loaderSites(lexed),
  ];
  const order: LensKind[] = ['timeCell', 'split', 'onnx', 'focus', 'loader'];
  sites.sort((a, b) => a.line - b.line || order.indexOf(a.kind) - order.indexOf(b.kind));
  return { isTrainingScript, reasons, sites };
}

function cellSites(text: string, markers: CellMarkerSettings | undefined): CellSite[] {
  // Markdown cells and cells of only comments have nothing to time.
  return parseCells(text, markers)
    .filter((c) => c.kind === 'code' && hasCode(c.source))
    .map((c) => ({
      kind: 'timeCell',
      line: c.startLine,
      cell: c.index,
      number: c.number!,
      endLine: c.endLine,
      hash: c.hash,
      title: c.title,
    }));
}

function openParenAfter(lexed: LexedSource, matchEnd: number): number {
  return lexed.masked.lastIndexOf('(', matchEnd);
}

/** The data file a site most likely works on: the last CSV/TSV path written before it, else the first after. */
function nearestDataPath(dataPaths: StringLiteral[], offset: number): { dataPath: string } | Record<string, never> {
  const after = firstFrom(dataPaths, offset);
  const data = after > 0 ? dataPaths[after - 1] : dataPaths[0];
  return data ? { dataPath: data.value } : {};
}

function dataPathsOf(lexed: LexedSource): StringLiteral[] {
  return lexed.strings.filter((s) => usablePath(s, DATA_PATH));
}

function splitSites(lexed: LexedSource): SplitSite[] {
  const dataPaths = dataPathsOf(lexed);
  const out: SplitSite[] = [];
  for (const m of lexed.masked.matchAll(SPLIT_CALL)) {
    const nameAt = m.index + m[0].lastIndexOf(m[1]);
    // `def train_test_split(` defines, it does not split.
    if (/\bdef[ \t]+$/.test(lexed.masked.slice(Math.max(0, m.index - 8), m.index))) continue;
    const open = openParenAfter(lexed, m.index + m[0].length - 1);
    const close = closingBracket(lexed, open);
    const end = close === -1 ? lineEnd(lexed, open) : close + 1;
    const line = lineOf(lexed.lineStarts, nameAt);
    out.push({
      kind: 'split',
      line,
      character: nameAt - lexed.lineStarts[line],
      callee: m[1],
      callText: lexed.text.slice(m.index, end),
      args: callArguments(lexed, open),
      ...nearestDataPath(dataPaths, m.index),
    });
  }
  return out;
}

/** Index of the first literal starting at or after `offset` in a list sorted by start (binary search). */
function firstFrom(list: StringLiteral[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lineEnd(lexed: LexedSource, offset: number): number {
  const eol = lexed.text.indexOf('\n', offset);
  return eol === -1 ? lexed.text.length : eol;
}

function usablePath(s: StringLiteral, pattern: RegExp): boolean {
  return s.terminated && !s.triple && !s.hasPlaceholder && !/[bB]/.test(s.prefix) && pattern.test(s.value);
}

function onnxSites(lexed: LexedSource): OnnxSite[] {
  const paths = lexed.strings.filter((s) => usablePath(s, ONNX_PATH));
  const dataPaths = dataPathsOf(lexed);
  const used = new Set<StringLiteral>();
  const out: OnnxSite[] = [];
  for (const m of lexed.masked.matchAll(ONNX_CALL)) {
    const open = openParenAfter(lexed, m.index + m[0].length - 1);
    const close = closingBracket(lexed, open);
    const end = close === -1 ? lineEnd(lexed, open) : close;
    const startAt = m[0].startsWith('.') ? m.index + 1 : m.index;
    const line = lineOf(lexed.lineStarts, startAt);
    // The path is an argument of the call (torch.onnx.export(model, x, "m.onnx")), or written just below it.
    const endLine = lineOf(lexed.lineStarts, end);
    const limit = lexed.lineStarts[Math.min(lexed.lineStarts.length - 1, endLine + EXPORT_PATH_LOOKAHEAD_LINES)];
    const inside = paths[firstFrom(paths, open)];
    let path = inside && inside.start < end ? inside : undefined;
    for (let k = firstFrom(paths, end); !path && k < paths.length && paths[k].start < limit; k++)
      if (!used.has(paths[k])) path = paths[k];
    if (path) used.add(path);
    out.push({
      kind: 'onnx',
      line,
      character: startAt - lexed.lineStarts[line],
      source: 'export',
      callee: lexed.masked.slice(startAt, open).trim(),
      ...(path ? { modelPath: path.value } : {}),
      ...nearestDataPath(dataPaths, m.index),
    });
  }
  const linesWithLens = new Set(out.map((s) => s.line));
  for (const s of paths) {
    if (used.has(s)) continue;
    const line = lineOf(lexed.lineStarts, s.start);
    if (linesWithLens.has(line)) continue; // one set of ONNX lenses per line
    linesWithLens.add(line);
    out.push({
      kind: 'onnx',
      line,
      character: s.start - lexed.lineStarts[line],
      source: 'path',
      modelPath: s.value,
      ...nearestDataPath(dataPaths, s.start),
    });
  }
  return out;
}

function indentOf(s: string): number {
  return s.replace(/\t/g, '        ').length;
}

function focusSites(lexed: LexedSource): FocusSite[] {
  const out: FocusSite[] = [];
  const defs: Array<{ line: number; indent: number }> = [];
  const add = (offset: number, entry: EntryKind) => {
    const line = lineOf(lexed.lineStarts, offset);
    out.push({ kind: 'focus', line, character: offset - lexed.lineStarts[line], entry });
  };
  for (const m of lexed.masked.matchAll(DEF_ENTRY)) {
    add(m.index + m[1].length, m[2] === 'train' ? 'def train' : 'def main');
    defs.push({ line: lineOf(lexed.lineStarts, m.index), indent: indentOf(m[1]) });
  }
  // The guard's '__main__' is a string, so it is matched on the real text and kept only where 'if' is code.
  for (const m of lexed.text.matchAll(MAIN_GUARD)) {
    if (!isCode(lexed, m.index)) continue;
    add(m.index, '__main__');
    defs.push({ line: lineOf(lexed.lineStarts, m.index), indent: 0 });
  }
  for (const m of lexed.masked.matchAll(EPOCH_LOOP)) {
    const line = lineOf(lexed.lineStarts, m.index);
    // A loop inside `def train` / `def main` / the __main__ guard already has that block's lens: one per entry point.
    if (insideEntryDef(lexed, line, indentOf(m[1]), defs)) continue;
    add(m.index + m[1].length, 'epoch loop');
  }
  return out;
}

function insideEntryDef(
  lexed: LexedSource,
  line: number,
  indent: number,
  defs: Array<{ line: number; indent: number }>,
): boolean {
  if (indent === 0) return false;
  let want = indent;
  for (let l = line - 1; l >= 0 && want > 0; l--) {
    const code = lexed.masked.slice(lexed.lineStarts[l], (lexed.lineStarts[l + 1] ?? lexed.masked.length + 1) - 1);
    if (code.trim() === '') continue;
    const ind = indentOf(/^[ \t]*/.exec(code)![0]);
    if (ind >= want) continue;
    if (defs.some((d) => d.line === l)) return true;
    want = ind;
  }
  return false;
}

function loaderSites(lexed: LexedSource): LoaderSite[] {
  const out: LoaderSite[] = [];
  for (const m of lexed.masked.matchAll(LOADER_ASSIGN)) {
    const at = m.index + m[1].length;
    const line = lineOf(lexed.lineStarts, at);
    const open = openParenAfter(lexed, m.index + m[0].length - 1);
    const close = closingBracket(lexed, open);
    out.push({
      kind: 'loader',
      line,
      character: at - lexed.lineStarts[line],
      name: m[2],
      callee: m[3].replace(/\s+/g, ''),
      endLine: close === -1 ? line : lineOf(lexed.lineStarts, close),
      topLevel: m[1] === '',
    });
  }
  return out;
}

/** The `name = DataLoader(…)` assignments of a script, in file order (what the loader timing binds by default). */
export function dataLoaderAssignments(text: string): LoaderSite[] {
  return loaderSites(lexPython(text));
}
