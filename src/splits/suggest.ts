import type { ColumnSample } from '../data/sample';
import { parsesAsNumber, targetType, type EncodedColumn } from '../data/labels';
import { looksLikeDate } from '../data/dates';
import type { SplitSuggestion } from '../data/splitFile';

export type Suggestion = SplitSuggestion;

/** Names that usually identify an entity seen in several rows (Thomas: unseen drivers, boats, patients). */
const ENTITY_NAME =
  /(^|[_\s-])(id|user|users|patient|subject|customer|client|session|group|grp|site|driver|boat|account|household|store|device|person|player|team|visit|family|source)s?($|[_\s-])|Id$|ID$/i;
const CODE_VALUE = /^[A-Za-z]{0,12}[-_]?\d{1,12}$/;
const ROW_ID_NAME = /^(id|idx|index|row|row_?id|row_?number|unnamed: ?0|#)$/i;

export interface ColumnProfile {
  name: string;
  nonEmpty: number;
  distinct: number;
  numeric: boolean;
  dateShare: number;
}

export function profileColumns(sample: ColumnSample): ColumnProfile[] {
  return sample.columns.map((name, j) => {
    const vals = sample.values[j].filter((v) => v.trim() !== '');
    let numeric = vals.length > 0;
    let dates = 0;
    for (const v of vals) {
      if (numeric && !parsesAsNumber(v)) numeric = false;
      if (looksLikeDate(v)) dates++;
    }
    return {
      name,
      nonEmpty: vals.length,
      distinct: new Set(vals).size,
      numeric,
      dateShare: vals.length ? dates / vals.length : 0,
    };
  });
}

/**
 * Advice from the data itself: a date column → time-series; a repeated id-like column → groups; else (stratified)
 * k-fold.
 */
export function suggestStrategy(
  sample: ColumnSample,
  ctx: { target?: string; rows: number; targetColumn?: EncodedColumn },
): Suggestion {
  const profiles = profileColumns(sample);
  const sampled = sample.rows.length;
  const dateColumns = profiles
    .filter((p) => !p.numeric && p.nonEmpty > 0 && p.dateShare >= 0.9 && p.name !== ctx.target)
    .map((p) => p.name);
  const groupColumns = profiles
    .filter((p) => {
      if (p.name === ctx.target || ROW_ID_NAME.test(p.name.trim()) || dateColumns.includes(p.name)) return false;
      if (p.distinct < 2 || p.distinct > sampled / 2) return false; // unique per row or constant: not a grouping
      const vals = sample.column(p.name)!;
      const codeLike = vals.slice(0, 200).every((v) => CODE_VALUE.test(v.trim()));
      return ENTITY_NAME.test(p.name) || (codeLike && p.distinct > 2 && !p.numeric);
    })
    .map((p) => p.name);
  const notes: string[] = [];
  const type = ctx.targetColumn ? targetType(ctx.targetColumn) : undefined;
  const classification = type === 'binary' || type === 'multiclass';
  if (type === 'continuous')
    notes.push(
      `target '${ctx.target}' is continuous: stratify on 5 quantile bins (pd.qcut) ` +
        'to keep its distribution in every fold',
    );
  if (dateColumns.length && groupColumns.length)
    notes.push(
      `both a date column ('${dateColumns[0]}') and an entity column ('${groupColumns[0]}'): consider a gap ` +
        'between train and valid rows, and check that groups do not straddle it',
    );
  if (dateColumns.length) {
    return {
      strategy: 'time-series',
      options: { time: dateColumns[0] },
      reason: `'${dateColumns[0]}' holds dates: validate on later rows, as in production`,
      notes,
      dateColumns,
      groupColumns,
    };
  }
  if (groupColumns.length) {
    return {
      strategy: classification ? 'stratified-group-kfold' : 'group-kfold',
      options: { group: groupColumns[0], ...(classification ? { target: ctx.target } : {}) },
      reason: `'${groupColumns[0]}' repeats across rows: keep each value's rows on one side`,
      notes,
      dateColumns,
      groupColumns,
    };
  }
  if (classification) {
    return {
      strategy: 'stratified-kfold',
      options: { target: ctx.target },
      reason: `target '${ctx.target}' is categorical: keep class proportions in every fold`,
      notes,
      dateColumns,
      groupColumns,
    };
  }
  if (type === 'continuous') {
    return {
      strategy: 'stratified-kfold',
      options: { target: ctx.target, bins: 5 },
      reason: `target '${ctx.target}' is continuous: stratify on 5 quantile bins`,
      notes,
      dateColumns,
      groupColumns,
    };
  }
  return {
    strategy: 'kfold',
    options: {},
    reason: 'no dates, entities or target to respect: shuffled k-fold',
    notes,
    dateColumns,
    groupColumns,
  };
}
