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
  cell: number;
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
  /** True when `last` timed different code (the cell was edited since). */
  stale: boolean;
  /** '⏱ 12.3 ms ± 0.4 · −18%'. */
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
  let lensText = `⏱ ${meanAndSpread(last, micro)}`;
  if (change !== undefined) lensText += ` · ${formatChange(change)}`;
  if (stale) lensText += ' (before edit)';
  const tooltip = [
    last.line,
    `timed ${last.time}${last.git?.head ? ` at ${last.git.head.slice(0, 8)}${last.git.dirty ? ' (uncommitted changes)' : ''}` : ''}`,
    `Python ${last.interpreter.version} (${last.interpreter.path})`,
    previous ? `previous: ${previous.line} (${previous.time})` : 'first timing of this cell',
    stale ? 'the cell was edited since this timing' : '',
  ]
    .filter((s) => s !== '')
    .join('\n');
  return { last, previous, change, stale, lensText, tooltip };
}

/** '12.3 ms ± 0.4' (spread in the mean's unit), '1min 5s ± 2.1 s' above a minute, '4.2 s (1 run)' when capped. */
export function meanAndSpread(r: Pick<TimingRecord, 'mean' | 'stdev' | 'runs'>, micro = MICRO_SIGN): string {
  const mean = formatTime(r.mean, { micro });
  if (r.runs <= 1) return `${mean} (1 run)`;
  if (r.mean >= 60) return `${mean} ± ${formatTime(r.stdev, { micro })}`;
  const unit = mean.slice(mean.indexOf(' ') + 1);
  const scale = { s: 1, ms: 1e3, ns: 1e9 }[unit] ?? 1e6;
  return `${mean} ± ${formatG(r.stdev * scale, 2)}`;
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
  cell: number;
  hash: string;
  title?: string;
  count: number;
  last: TimingRecord;
  /** Means in time order, for a sparkline. */
  means: number[];
  records: TimingRecord[];
}

/** Every timed cell (file + content hash), newest first, for the history view. */
export function overview(records: TimingRecord[]): TimedCellOverview[] {
  const groups = new Map<string, TimingRecord[]>();
  for (const r of [...records].sort((a, b) => a.time.localeCompare(b.time))) {
    const k = `${r.file}\u0000${r.hash}`;
    const list = groups.get(k) ?? [];
    list.push(r);
    groups.set(k, list);
  }
  return [...groups.values()]
    .map((list) => {
      const last = list[list.length - 1];
      return {
        file: last.file,
        cell: last.cell,
        hash: last.hash,
        title: last.title,
        count: list.length,
        last,
        means: list.map((r) => r.mean),
        records: list,
      };
    })
    .sort((a, b) => b.last.time.localeCompare(a.last.time));
}

/** A small inline SVG line chart of means (seconds), for the history webview; no script, no external resources. */
export function sparklineSvg(means: number[], width = 160, height = 32): string {
  if (means.length === 0) return '';
  const max = Math.max(...means);
  const min = Math.min(...means);
  const span = max - min || max || 1;
  const step = means.length > 1 ? (width - 4) / (means.length - 1) : 0;
  const pts = means.map((m, i) => {
    const x = 2 + i * step;
    const y = height - 2 - ((m - min) / span) * (height - 4);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const last = pts[pts.length - 1].split(',');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">` +
    `<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${pts.join(' ')}"/>` +
    `<circle cx="${last[0]}" cy="${last[1]}" r="2.5" fill="currentColor"/></svg>`
  );
}
