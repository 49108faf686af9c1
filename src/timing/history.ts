import { flowbenchPath, portablePath } from '../util/flowbenchDir';
import { appendJsonl, readJsonl } from '../util/jsonl';
import { readGitState, type GitState } from '../util/git';
import { formatG, formatTime, MICRO_SIGN } from './format';
import { timeitStats, type TimeitStats } from './stats';
import type { TimeCellResult } from './timeCell';

export type TimingKind = 'timeit' | 'kernel-timeit' | 'notebook-run';

/** One line of .flowbench/timings.jsonl. Version 1; readers skip what they do not understand. */
export interface TimingRecord extends TimeitStats {
  v: 1;
  /** How it was measured: the %timeit harness (default), %timeit in a notebook's kernel, or VS Code's cell duration. */
  kind?: TimingKind;
  /** Path relative to the history root, '/'-separated, so the history survives moving the project. */
  file: string;
  /** Index among all the file's cells, markdown included, when it was timed (the position the history pairs by). */
  cell: number;
  /** The number users saw: code cells counted from 1 (absent in records written before it existed). */
  number?: number;
  /** 1-based line of the cell's marker when it was timed. */
  cellLine: number;
  hash: string;
  title?: string;
  /** IPython's line as shown. */
  line: string;
  setup: 'above' | 'none';
  interpreter: { path: string; executable?: string; version: string };
  /** ISO 8601. */
  time: string;
  git: GitState | null;
}

export const HISTORY_FILE = 'timings.jsonl';

export function historyFile(root: string): string {
  return flowbenchPath(root, HISTORY_FILE);
}

/** What every timing source knows about what it measured; the factory adds the rest of a record. */
export interface TimingRecordInput {
  kind: TimingKind;
  /** Absolute path of the .py file or notebook. */
  file: string;
  cell: number;
  number?: number;
  cellLine: number;
  hash: string;
  title?: string;
  stats: TimeitStats;
  line: string;
  setup?: 'above' | 'none';
  interpreter?: TimingRecord['interpreter'];
  git?: GitState | null;
  time?: Date;
}

/** The one way a history line is made, for the harness, the kernel and the notebook's own durations alike. */
export function timingRecord(root: string, input: TimingRecordInput): TimingRecord {
  return {
    v: 1,
    // The harness is the default reader's assumption, so its records stay as they were written before kinds existed.
    kind: input.kind === 'timeit' ? undefined : input.kind,
    file: portablePath(root, input.file),
    cell: input.cell,
    number: input.number,
    cellLine: input.cellLine,
    hash: input.hash,
    title: input.title || undefined,
    ...timeitStats(input.stats),
    line: input.line,
    setup: input.setup ?? 'none',
    interpreter: input.interpreter ?? { path: '', version: '' },
    time: (input.time ?? new Date()).toISOString(),
    git: input.git ?? null,
  };
}

/** A harness timing of a '# %%' cell as a history line. */
export function timeCellRecord(root: string, r: TimeCellResult, git: GitState | null, now = new Date()): TimingRecord {
  return timingRecord(root, {
    kind: 'timeit',
    file: r.file,
    cell: r.cell,
    number: r.cellNumber,
    cellLine: r.cellLine,
    hash: r.hash,
    title: r.title,
    stats: r,
    line: r.line,
    setup: r.setup,
    interpreter: { path: r.interpreter.path, executable: r.interpreter.executable, version: r.interpreter.version },
    git,
    time: now,
  });
}

/** Appends one timing (crash-safe, one line) with the git HEAD of the root, and returns what was written. */
export async function recordTiming(
  root: string,
  r: TimeCellResult,
  append: (root: string, record: TimingRecord) => Promise<void> = appendTiming,
): Promise<TimingRecord> {
  let git: GitState | null;
  try {
    git = await readGitState(root);
  } catch {
    git = null; // no git binary: the timing still counts
  }
  const rec = timeCellRecord(root, r, git);
  await append(root, rec);
  return rec;
}

export async function appendTiming(root: string, record: TimingRecord | { kind: 'loader' }): Promise<void> {
  await appendJsonl(historyFile(root), record);
}

/** A cell timing line (a loader timing, kind 'loader', is not one: see loaderHistory.ts). */
export function isRecord(x: unknown): x is TimingRecord {
  const r = x as TimingRecord;
  return (
    !!r &&
    typeof r === 'object' &&
    (r.kind as string) !== 'loader' &&
    typeof r.file === 'string' &&
    typeof r.hash === 'string' &&
    typeof r.mean === 'number' &&
    typeof r.cell === 'number' &&
    typeof r.time === 'string'
  );
}

export async function readHistory(root: string): Promise<{ records: TimingRecord[]; skipped: number[] }> {
  const { records, skipped } = await readJsonl<unknown>(historyFile(root));
  return { records: records.filter(isRecord), skipped };
}

export interface CellKey {
  /** Relative key (see relativeKey). */
  file: string;
  hash: string;
  cell: number;
}

export interface CellHistorySummary {
  /** The latest timing of this code, else (code edited since) the latest at this position. */
  last: TimingRecord;
  /** The timing before `last` of the same cell (same code or same position). */
  previous?: TimingRecord;
  /** (last − previous) / previous of the mean, e.g. −0.18. */
  change?: number;
  /** Whether the change is larger than the two timings' combined spread (see changeIsClear). */
  clearChange?: boolean;
  /** '−18%', or 'no clear change' when the change is within the noise; undefined for a first timing. */
  changeText?: string;
  /** True when `last` timed different code (the cell was edited since). */
  stale: boolean;
  /** Every timing of the cell (same code or same position), oldest first: what the history page charts. */
  records: TimingRecord[];
  /** '$(watch) 12.3 ms ± 0.4 · −18%' (a codicon: the lens renders it). */
  lensText: string;
  /** Longer text for a hover: IPython's line, when, interpreter, commit. */
  tooltip: string;
}

/**
 * The cell's history: timings of the same file with the same code (content hash), falling back to the same
 * position when the code changed, oldest first. Pure: works on records already read.
 */
export function cellHistory(records: TimingRecord[], key: CellKey): TimingRecord[] {
  return records
    .filter((r) => r.file === key.file && (r.hash === key.hash || r.cell === key.cell))
    .sort((a, b) => a.time.localeCompare(b.time));
}

/** Spread of one timing: the std. dev. of its runs (0 for a single run, whose spread is unknown). */
const spreadOf = (r: Pick<TimingRecord, 'stdev' | 'runs'>): number => (r.runs > 1 ? r.stdev : 0);

/**
 * A change counts only when the means differ by more than the two timings' combined spread (their run std. devs.
 * added in quadrature): 43.3 µs ± 2.8 → 43.8 µs ± 11 is no clear change, 10 ms ± 0.1 → 12 ms ± 0.1 is +20%.
 */
export function changeIsClear(
  previous: Pick<TimingRecord, 'mean' | 'stdev' | 'runs'>,
  last: Pick<TimingRecord, 'mean' | 'stdev' | 'runs'>,
): boolean {
  return Math.abs(last.mean - previous.mean) > Math.hypot(spreadOf(previous), spreadOf(last));
}

/** The change as the lens and the history page say it: '−18%', or 'no clear change' within the noise. */
export function changeText(
  previous: Pick<TimingRecord, 'mean' | 'stdev' | 'runs'>,
  last: Pick<TimingRecord, 'mean' | 'stdev' | 'runs'>,
): string | undefined {
  if (!(previous.mean > 0)) return undefined;
  return changeIsClear(previous, last) ? formatChange((last.mean - previous.mean) / previous.mean) : 'no clear change';
}

/** A cell as messages, the lens tooltip and the history page name it: 'cell 3' (code cells from 1), else its line. */
export function recordCellName(r: Pick<TimingRecord, 'number' | 'cellLine'>): string {
  return r.number !== undefined ? `cell ${r.number}` : `the cell at line ${r.cellLine}`;
}

export function summarizeCell(
  records: TimingRecord[],
  key: CellKey,
  micro = MICRO_SIGN,
): CellHistorySummary | undefined {
  const hist = cellHistory(records, key);
  if (hist.length === 0) return undefined;
  let lastIdx = -1;
  for (let i = hist.length - 1; i >= 0; i--) {
    if (hist[i].hash === key.hash) {
      lastIdx = i;
      break;
    }
  }
  const stale = lastIdx < 0;
  if (stale) lastIdx = hist.length - 1;
  const last = hist[lastIdx];
  const previous = lastIdx > 0 ? hist[lastIdx - 1] : undefined;
  const change = previous && previous.mean > 0 ? (last.mean - previous.mean) / previous.mean : undefined;
  const text = previous ? changeText(previous, last) : undefined;
  let lensText = `$(watch) ${meanAndSpread(last, micro)}`;
  if (text !== undefined) lensText += ` · ${text}`;
  if (stale) lensText += ' (before edit)';
  const tooltip = [
    last.line,
    `timed ${last.time}` +
      (last.git?.head ? ` at ${last.git.head.slice(0, 8)}${last.git.dirty ? ' (uncommitted changes)' : ''}` : ''),

    `Python ${last.interpreter.version} (${last.interpreter.path})`,
    previous ? `previous: ${previous.line} (${previous.time})` : 'first timing of this cell',
    previous && text === 'no clear change' ? 'the difference is within the spread of the two timings' : '',
    stale ? 'the cell was edited since this timing' : '',
  ]
    .filter((s) => s !== '')
    .join('\n');
  return {
    last,
    previous,
    change,
    clearChange: previous ? changeIsClear(previous, last) : undefined,
    changeText: text,
    stale,
    records: hist,
    lensText,
    tooltip,
  };
}

/** '12.3 ms ± 0.4' (spread in the mean's unit), '1min 5s ± 2.1 s' above a minute, '4.2 s (1 run)' when capped. */
export function meanAndSpread(r: Pick<TimingRecord, 'mean' | 'stdev' | 'runs'>, micro = MICRO_SIGN): string {
  const mean = formatTime(r.mean, { micro });
  if (r.runs <= 1) return `${mean} (1 run)`;
  if (r.mean >= 60) return `${mean} ± ${formatTime(r.stdev, { micro })}`;
  const unit = mean.slice(mean.indexOf(' ') + 1);
  const scale = { s: 1, ms: 1e3, ns: 1e9 }[unit] ?? 1e6;
  // Two significant digits, never an exponent: a spread of 123 µs on a 659 µs mean reads '± 120', not '± 1.2e+02'.
  const spread = r.stdev * scale;
  return `${mean} ± ${spread >= 100 ? String(Math.round(Number(spread.toPrecision(2)))) : formatG(spread, 2)}`;
}

/** −18% / +12% / ±0% with a real minus sign, rounded to whole percent (one decimal under 1%). */
export function formatChange(change: number): string {
  const pct = change * 100;
  const abs = Math.abs(pct);
  const text = abs < 1 ? formatG(Number(abs.toFixed(1)), 2) : String(Math.round(abs));
  if (text === '0') return '±0%';
  return `${pct < 0 ? '\u2212' : '+'}${text}%`;
}

export interface TimedCellOverview {
  file: string;
  /** Index among the file's cells (the position), as the records store it. */
  cell: number;
  /** The number users see (code cells from 1): from the file as it is now, else as recorded. */
  number?: number;
  hash: string;
  title?: string;
  count: number;
  last: TimingRecord;
  previous?: TimingRecord;
  /** As the lens says it: '−18%', 'no clear change', or undefined for a first timing. */
  changeText?: string;
  /** The last timing is of code that has been edited since. */
  stale: boolean;
  /** The cell is no longer in the file (only its old timings remain). */
  gone: boolean;
  /** Means in time order, for a chart. */
  means: number[];
  records: TimingRecord[];
}

/** A cell of a file as it is now: its code's hash, its position, the number users see. */
export interface CurrentCell extends CellKey {
  number?: number;
  title?: string;
}

/**
 * Every timed cell, newest first, for the history page, paired exactly as the lens pairs them (summarizeCell): for a
 * file whose current cells are known, one row per current cell with a timing (same code, or same position after an
 * edit); timings that no current cell claims are listed as cells no longer in the file. For a file that cannot be
 * read, each position stands for the cell last timed there.
 */
export function overview(
  records: TimingRecord[],
  currentCells: (file: string) => CurrentCell[] | undefined = () => undefined,
): TimedCellOverview[] {
  const byFile = new Map<string, TimingRecord[]>();
  for (const r of [...records].sort((a, b) => a.time.localeCompare(b.time))) {
    const list = byFile.get(r.file) ?? [];
    list.push(r);
    byFile.set(r.file, list);
  }
  const out: TimedCellOverview[] = [];
  for (const [file, list] of byFile) {
    const known = currentCells(file);
    let keys: CurrentCell[];
    if (known) keys = known.map((k) => ({ ...k, file }));
    else {
      const latestAt = new Map<number, TimingRecord>();
      for (const r of list) latestAt.set(r.cell, r);
      keys = [...latestAt.values()].map((r) => ({
        file,
        hash: r.hash,
        cell: r.cell,
        number: r.number,
        title: r.title,
      }));
    }
    const claimed = new Set<TimingRecord>();
    for (const key of keys) {
      const s = summarizeCell(list, key);
      if (!s) continue;
      for (const r of s.records) claimed.add(r);
      out.push({
        file,
        cell: key.cell,
        number: key.number,
        hash: key.hash,
        title: key.title ?? s.last.title,
        count: s.records.length,
        last: s.last,
        previous: s.previous,
        changeText: s.changeText,
        stale: s.stale,
        gone: false,
        means: s.records.map((r) => r.mean),
        records: s.records,
      });
    }
    // Cells deleted (or edited and moved) since: their timings grouped by code.
    const left = new Map<string, TimingRecord[]>();
    for (const r of list) if (!claimed.has(r)) left.set(r.hash, [...(left.get(r.hash) ?? []), r]);
    for (const group of left.values()) {
      const last = group[group.length - 1];
      const previous = group.length > 1 ? group[group.length - 2] : undefined;
      out.push({
        file,
        cell: last.cell,
        number: undefined,
        hash: last.hash,
        title: last.title,
        count: group.length,
        last,
        previous,
        changeText: previous ? changeText(previous, last) : undefined,
        stale: false,
        gone: true,
        means: group.map((r) => r.mean),
        records: group,
      });
    }
  }
  return out.sort((a, b) => Number(a.gone) - Number(b.gone) || b.last.time.localeCompare(a.last.time));
}
