import type { SplitCheck } from '../data/splitFile';
import type { EncodedColumn } from '../data/labels';
import { parsesAsNumber, parseNumber } from '../data/labels';
import type { ColumnSample } from '../data/sample';
import type { Suggestion } from './suggest';
import { parseTimestamp } from '../data/dates';
import { cramersVFromCounts } from './driftStats';

/**
 * One fold's sides: side[row] is 1 for train, 2 for valid, 0 for neither. The folds of a split may share one buffer
 * (filled for the fold last asked for): read `side` once per pass over a fold, and never keep two folds' at once.
 */
export interface FoldView {
  fold: number;
  rows: number;
  readonly side: Uint8Array;
  /** Memo for sideCounts: one pass per fold and column, shared by the manifest summary and the checks. */
  counts?: Map<EncodedColumn | null, SideCounts>;
}

export interface SideCounts {
  train: number;
  valid: number;
  /** Rows per label code on each side (empty without a column). */
  trainByLabel: Int32Array;
  validByLabel: Int32Array;
}

/** Train/valid row counts of a fold, overall and per label of `col`, computed once per fold and column. */
export function sideCounts(view: FoldView, col?: EncodedColumn): SideCounts {
  const key = col ?? null;
  const memo = view.counts ?? (view.counts = new Map());
  const hit = memo.get(key);
  if (hit) return hit;
  const side = view.side;
  const k = col ? col.labels.length : 0;
  const trainByLabel = new Int32Array(k);
  const validByLabel = new Int32Array(k);
  let train = 0;
  let valid = 0;
  if (col) {
    const codes = col.codes;
    for (let i = 0; i < side.length; i++) {
      const s = side[i];
      if (s === 1) {
        train++;
        trainByLabel[codes[i]]++;
      } else if (s === 2) {
        valid++;
        validByLabel[codes[i]]++;
      }
    }
  } else {
    for (let i = 0; i < side.length; i++) {
      const s = side[i];
      if (s === 1) train++;
      else if (s === 2) valid++;
    }
  }
  const out = { train, valid, trainByLabel, validByLabel };
  memo.set(key, out);
  return out;
}

/** The manifest's check record is the check result: the split format owns the shape. */
export type CheckResult = SplitCheck;

export interface CheckInput {
  folds: FoldView[];
  /** Rows repeated in the file (duplicateGroups of the row hashes, worked out before the split). */
  duplicates: DuplicateGroups;
  target?: EncodedColumn;
  group?: EncodedColumn;
  times?: Float64Array;
  sample: ColumnSample;
  exclude: Set<string>;
  suggestion: Suggestion;
}

export const THRESHOLDS = {
  duplicates: 0.05,
  groupOverlap: 0,
  timeOverlap: 0,
  drift: 0.2,
  labelDrift: 0.15,
  minSamples: 10,
} as const;

const pct = (x: number): string => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;

export function runChecks(input: CheckInput): CheckResult[] {
  return [
    duplicateCheck(input),
    groupOverlapCheck(input),
    timeOverlapCheck(input),
    labelCheck(input),
    driftCheck(input),
    {
      id: 'suggestion',
      title: 'Suggested strategy',
      status: 'info',
      detail: [
        `${input.suggestion.strategy}: ${input.suggestion.reason}`,
        ...input.suggestion.notes.map((n) => n[0].toUpperCase() + n.slice(1)),
      ].join('. '),
    },
  ];
}

/** The rows whose hash occurs more than once, with a group id per repeated hash (in row order). */
export interface DuplicateGroups {
  rows: Int32Array;
  group: Int32Array;
  groups: number;
}

/** Row hashes in blocks of a million, appended chunk by chunk: growing never copies what is already there. */
export class RowHashes {
  static readonly BLOCK = 1 << 20;
  readonly blocks: Float64Array[] = [];
  length = 0;

  append(h: Float64Array): void {
    let at = 0;
    while (at < h.length) {
      const inBlock = this.length % RowHashes.BLOCK;
      if (inBlock === 0) this.blocks.push(new Float64Array(RowHashes.BLOCK));
      const take = Math.min(h.length - at, RowHashes.BLOCK - inBlock);
      this.blocks[this.blocks.length - 1].set(h.subarray(at, at + take), inBlock);
      at += take;
      this.length += take;
    }
  }

  static of(h: Float64Array): RowHashes {
    const r = new RowHashes();
    r.append(h);
    return r;
  }
}

/** Rows above which the repeats are found a range of hash values at a time. */
const PARTITION_ROWS = 1 << 22;
const HASH_SPAN = 2 ** 53;

/**
 * A two-bit counter per hash bucket (8 to 16 bits a row) settles almost every row in one pass; only the rows of
 * buckets hit twice (about a tenth) are sorted by hash to find the real repeats. Beyond the hashes themselves memory
 * stays a few bytes a row, with no table of every hash. Big inputs are taken a quarter of the hash range at a time
 * (each pass reads every hash and keeps the rows in its range): the counters and candidates of a quarter of the rows,
 * 46 MB -> 12 MB at 10M rows, for two more reads of the hashes. Groups are numbered in ascending hash order either way.
 */
export function duplicateGroups(
  rowHashes: RowHashes,
  partitions = rowHashes.length > PARTITION_ROWS ? 4 : 1,
): DuplicateGroups {
  const parts: DuplicateGroups[] = [];
  let groups = 0;
  for (let p = 0; p < partitions; p++) {
    const part = duplicatesInRange(rowHashes, p, partitions, groups);
    parts.push(part);
    groups += part.groups;
  }
  if (parts.length === 1) return parts[0];
  // Each part lists its rows in row order: merged, so are the groups'.
  const total = parts.reduce((s, q) => s + q.rows.length, 0);
  const rows = new Int32Array(total);
  const group = new Int32Array(total);
  const at = new Array<number>(parts.length).fill(0);
  for (let d = 0; d < total; d++) {
    let best = -1;
    for (let q = 0; q < parts.length; q++) {
      if (at[q] < parts[q].rows.length && (best < 0 || parts[q].rows[at[q]] < parts[best].rows[at[best]])) best = q;
    }
    rows[d] = parts[best].rows[at[best]];
    group[d] = parts[best].group[at[best]++];
  }
  return { rows, group, groups };
}

/** The repeats among the rows whose hash lies in the p-th of `parts` equal ranges; group ids start at `firstGroup`. */
function duplicatesInRange(rowHashes: RowHashes, p: number, parts: number, firstGroup: number): DuplicateGroups {
  const n = rowHashes.length;
  const B = RowHashes.BLOCK;
  const span = HASH_SPAN / parts;
  // [lo, hi): out-of-range values (none are made) would still land in the first or last range, keeping the order.
  const lo = p === 0 ? -Infinity : p * span;
  const hi = p === parts - 1 ? Infinity : (p + 1) * span;
  const rowsHere = Math.max(1, n / parts);
  const BITS = Math.min(30, Math.max(16, Math.ceil(Math.log2(rowsHere)) + 3));
  const seen = new Uint32Array(1 << (BITS - 5));
  const twice = new Uint32Array(1 << (BITS - 5));
  const shift = 32 - BITS;
  const blocks = rowHashes.blocks;
  const inBlock = (k: number): number => (k === blocks.length - 1 ? n - k * B : B);
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k];
    const m = inBlock(k);
    for (let i = 0; i < m; i++) {
      const h = block[i];
      if (h < lo || h >= hi) continue;
      const b = Math.imul(h | 0, 0x9e3779b1) >>> shift;
      const word = b >>> 5;
      const bit = 1 << (b & 31);
      if (seen[word] & bit) twice[word] |= bit;
      else seen[word] |= bit;
    }
  }
  // Rows of buckets hit twice, in row order (about one in ten: the arrays start there and grow if need be).
  let candRows = new Int32Array(Math.ceil(rowsHere / 8) + 16);
  let candHash = new Float64Array(candRows.length);
  let candidates = 0;
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k];
    const m = inBlock(k);
    for (let i = 0; i < m; i++) {
      const h = block[i];
      if (h < lo || h >= hi) continue;
      const b = Math.imul(h | 0, 0x9e3779b1) >>> shift;
      if ((twice[b >>> 5] & (1 << (b & 31))) === 0) continue;
      if (candidates === candRows.length) {
        const rowsGrown = new Int32Array(candidates * 2);
        rowsGrown.set(candRows);
        candRows = rowsGrown;
        const hashGrown = new Float64Array(candidates * 2);
        hashGrown.set(candHash);
        candHash = hashGrown;
      }
      candRows[candidates] = k * B + i;
      candHash[candidates++] = h;
    }
  }
  candRows = candRows.subarray(0, candidates);
  candHash = candHash.subarray(0, candidates);
  // Repeated hash values: equal neighbours once sorted (a typed sort, native and in place on a copy).
  const sorted = candHash.slice().sort();
  const groupOf = new Map<number, number>();
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k] === sorted[k - 1] && !groupOf.has(sorted[k])) groupOf.set(sorted[k], firstGroup + groupOf.size);
  }
  let dup = 0;
  for (let w = 0; w < candidates; w++) if (groupOf.has(candHash[w])) dup++;
  const rows = new Int32Array(dup);
  const group = new Int32Array(dup);
  for (let w = 0, d = 0; d < dup; w++) {
    const g = groupOf.get(candHash[w]);
    if (g === undefined) continue;
    rows[d] = candRows[w];
    group[d++] = g;
  }
  return { rows, group, groups: groupOf.size };
}

/** deepchecks TrainTestSamplesMix: valid rows whose values (label included) also occur in train, ÷ valid rows. */
function duplicateCheck(input: CheckInput): CheckResult {
  const { folds, duplicates } = input;
  const { rows: dupRows, group: slotOf, groups } = duplicates;
  const nDup = dupRows.length;
  const marked = new Uint8Array(groups);
  let worst = 0;
  const perFold = folds.map((view) => {
    const { fold, side } = view;
    const valid = sideCounts(view, input.target).valid;
    marked.fill(0);
    for (let j = 0; j < nDup; j++) if (side[dupRows[j]] === 1) marked[slotOf[j]] = 1;
    let mixed = 0;
    for (let j = 0; j < nDup; j++) if (side[dupRows[j]] === 2 && marked[slotOf[j]] === 1) mixed++;
    const share = valid ? mixed / valid : 0;
    worst = Math.max(worst, share);
    return { fold, duplicatedValidRows: mixed, share };
  });
  const status = worst > THRESHOLDS.duplicates ? 'warn' : 'pass';
  return {
    id: 'duplicates',
    title: 'Rows duplicated across train and valid',
    status,
    value: worst,
    threshold: THRESHOLDS.duplicates,
    detail:
      worst === 0
        ? 'no valid row repeats a train row'
        : `up to ${pct(worst)} of valid rows repeat a train row exactly` +
          (status === 'warn'
            ? ' (above 5%: scores will look better than they are; drop duplicates or group them)'
            : ''),

    perFold,
  };
}

function groupOverlapCheck({ folds, group }: CheckInput): CheckResult {
  if (!group)
    return { id: 'group-overlap', title: 'Groups on both sides', status: 'skip', detail: 'no group column given' };
  let worst = 0;
  const perFold = folds.map(({ fold, side }) => {
    const seen = new Uint8Array(group.labels.length);
    for (let i = 0; i < side.length; i++) seen[group.codes[i]] |= side[i];
    let both = 0;
    const examples: string[] = [];
    for (let g = 0; g < seen.length; g++) {
      if (seen[g] === 3) {
        both++;
        if (examples.length < 5) examples.push(group.labels[g]);
      }
    }
    worst = Math.max(worst, both);
    return { fold, sharedGroups: both, examples };
  });
  return {
    id: 'group-overlap',
    title: `Groups of '${group.name}' on both sides`,
    status: worst > THRESHOLDS.groupOverlap ? 'warn' : 'pass',
    value: worst,
    threshold: THRESHOLDS.groupOverlap,
    detail:
      worst === 0
        ? 'every group is entirely in train or entirely in valid'
        : `up to ${worst} group(s) appear in both train and valid (use a group strategy)`,
    perFold,
  };
}

/** deepchecks DateTrainTestLeakageOverlap: valid rows dated before the latest train row. */
function timeOverlapCheck({ folds, times }: CheckInput): CheckResult {
  if (!times) return { id: 'time-overlap', title: 'Time overlap', status: 'skip', detail: 'no time column given' };
  let worst = 0;
  const perFold = folds.map(({ fold, side }) => {
    let maxTrain = -Infinity;
    let valid = 0;
    for (let i = 0; i < side.length; i++) if (side[i] === 1 && times[i] > maxTrain) maxTrain = times[i];
    let early = 0;
    let ties = 0;
    for (let i = 0; i < side.length; i++) {
      if (side[i] !== 2) continue;
      valid++;
      if (times[i] < maxTrain) early++;
      else if (times[i] === maxTrain) ties++;
    }
    const share = valid ? early / valid : 0;
    worst = Math.max(worst, share);
    return { fold, validBeforeLatestTrain: early, share, validAtLatestTrainTime: ties };
  });
  return {
    id: 'time-overlap',
    title: 'Valid rows earlier than the latest train row',
    status: worst > THRESHOLDS.timeOverlap ? 'warn' : 'pass',
    value: worst,
    threshold: THRESHOLDS.timeOverlap,
    detail:
      worst === 0
        ? 'valid rows all come after train rows'
        : `up to ${pct(worst)} of valid rows are older than the newest train row (the model sees the future)`,
    perFold,
  };
}

function labelCheck({ folds, target }: CheckInput): CheckResult {
  if (!target) return { id: 'labels', title: 'Label distribution', status: 'skip', detail: 'no target column given' };
  const k = target.labels.length;
  let worstDrift = 0;
  let anyMissing = false;
  const perFold = folds.map((view) => {
    const fold = view.fold;
    const counts = sideCounts(view, target);
    const tc = Array.from(counts.trainByLabel);
    const vc = Array.from(counts.validByLabel);
    const missingFromValid = target.labels.filter((_, c) => vc[c] === 0 && target.counts[c] > 0);
    const missingFromTrain = target.labels.filter((_, c) => tc[c] === 0 && target.counts[c] > 0);
    if (missingFromValid.length || missingFromTrain.length) anyMissing = true;
    const drift = cramersVFromCounts(tc, vc);
    worstDrift = Math.max(worstDrift, drift);
    return {
      fold,
      labelDrift: drift,
      missingFromValid: missingFromValid.slice(0, 20),
      missingFromTrain: missingFromTrain.slice(0, 20),
    };
  });
  const warn = anyMissing || worstDrift >= THRESHOLDS.labelDrift;
  const many = k > 50;
  return {
    id: 'labels',
    title: `Label distribution of '${target.name}'`,
    status: warn ? 'warn' : 'pass',
    value: worstDrift,
    threshold: THRESHOLDS.labelDrift,
    detail: [
      `label drift (Cramér's V) up to ${worstDrift.toFixed(3)}`,
      anyMissing
        ? `some classes are missing from a fold${
            many ? ` (${k} classes: is the target continuous? stratify on quantile bins)` : ''
          }`
        : 'every class is on both sides of every fold',
    ].join('; '),
    perFold,
  };
}

/** A numeric sample column sorted once (empty cells dropped), with the sample slot of each value. */
function numericOrder(
  vals: readonly string[],
  parse: (v: string) => number,
): { values: Float64Array; slots: Int32Array } {
  const idx: number[] = [];
  const parsed = new Float64Array(vals.length);
  vals.forEach((v, s) => {
    if (v.trim() === '') return;
    parsed[s] = parse(v);
    idx.push(s);
  });
  idx.sort((a, b) => parsed[a] - parsed[b]);
  return { values: Float64Array.from(idx, (s) => parsed[s]), slots: Int32Array.from(idx) };
}

/**
 * Two-sample KS statistic between the train and valid parts of a pre-sorted sample, in one walk. `side` is indexed
 * by sample slot.
 */
function ksOnSorted(values: Float64Array, rows: Int32Array, side: Uint8Array): number | undefined {
  let na = 0;
  let nb = 0;
  for (let i = 0; i < rows.length; i++) {
    const s = side[rows[i]];
    if (s === 1) na++;
    else if (s === 2) nb++;
  }
  if (na < THRESHOLDS.minSamples || nb < THRESHOLDS.minSamples) return undefined;
  let ca = 0;
  let cb = 0;
  let d = 0;
  for (let i = 0; i < rows.length;) {
    const v = values[i];
    while (i < rows.length && values[i] === v) {
      const s = side[rows[i]];
      if (s === 1) ca++;
      else if (s === 2) cb++;
      i++;
    }
    const diff = Math.abs(ca / na - cb / nb);
    if (diff > d) d = diff;
  }
  return d;
}

/** deepchecks FeatureDrift on the bounded sample: KS for numeric columns, bias-corrected Cramér's V for the rest. */
function driftCheck({ folds, sample, exclude }: CheckInput): CheckResult {
  // Each fold's sides at the sampled rows, read once per fold: the folds share one side buffer, refilled (a pass over
  // every row) whenever another fold is read, so reading it per column and fold cost 90 passes on a 20-column file.
  const sampleSides = folds.map(({ side }) => Uint8Array.from(sample.rows, (r) => side[r]));
  const columns: NonNullable<CheckResult['columns']> = [];
  sample.columns.forEach((name, j) => {
    if (exclude.has(name)) return;
    const vals = sample.values[j];
    const nonEmpty = vals.filter((v) => v.trim() !== '');
    const numericAll = nonEmpty.length > 0 && nonEmpty.every(parsesAsNumber);
    const distinct = new Set(nonEmpty).size;
    // A unique value per row is an identifier: its "drift" is meaningless.
    if (distinct === vals.length && vals.length > 20) return;
    // Dates drift like numbers (KS on their timestamps); as categories every day would be its own class.
    const dates = !numericAll && distinct > 10 && nonEmpty.every((v) => !Number.isNaN(parseTimestamp(v)));
    const numeric = (numericAll && distinct > 10) || dates;
    let worst = 0;
    let measured = false;
    const numbers = numeric ? numericOrder(vals, dates ? parseTimestamp : parseNumber) : undefined;
    for (const side of sampleSides) {
      if (numbers) {
        const d = ksOnSorted(numbers.values, numbers.slots, side);
        if (d === undefined) continue;
        measured = true;
        worst = Math.max(worst, d);
      } else {
        const index = new Map<string, number>();
        const tc: number[] = [];
        const vc: number[] = [];
        let na = 0;
        let nb = 0;
        vals.forEach((v, s) => {
          if (side[s] === 0) return;
          let c = index.get(v);
          if (c === undefined) {
            c = tc.length;
            index.set(v, c);
            tc.push(0);
            vc.push(0);
          }
          if (side[s] === 1) {
            tc[c]++;
            na++;
          } else {
            vc[c]++;
            nb++;
          }
        });
        if (na < THRESHOLDS.minSamples || nb < THRESHOLDS.minSamples) continue;
        measured = true;
        worst = Math.max(worst, cramersVFromCounts(tc, vc, true));
      }
    }
    if (measured)
      columns.push({
        column: name,
        method: numeric ? 'ks' : 'cramers-v',
        value: worst,
        status: worst >= THRESHOLDS.drift ? 'warn' : 'pass',
      });
  });
  const worst = columns.reduce((m, c) => Math.max(m, c.value), 0);
  const drifting = columns.filter((c) => c.status === 'warn');
  if (columns.length === 0)
    return {
      id: 'drift',
      title: 'Feature drift between train and valid',
      status: 'skip',
      detail: 'no column with at least 10 sampled rows on each side',
    };
  return {
    id: 'drift',
    title: 'Feature drift between train and valid',
    status: drifting.length ? 'warn' : 'pass',
    value: worst,
    threshold: THRESHOLDS.drift,
    detail: drifting.length
      ? `${drifting.map((c) => `'${c.column}' ${c.value.toFixed(2)}`).join(', ')} at or above 0.2 ` +
        `(train and valid differ there)`
      : `every column below 0.2 (worst ${worst.toFixed(3)}; ` +
        `${sample.rows.length < folds[0].rows ? `on a sample of ${sample.rows.length} rows` : 'on all rows'})`,
    columns,
  };
}
