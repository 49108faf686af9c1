import * as path from 'node:path';
import { scanCsv, type CsvHeader } from '../data/csv';
import { ColumnSample } from '../data/sample';
import { suggestStrategy, type Suggestion } from './suggest';
import { encodeColumn, targetType } from '../data/labels';
import { UserError } from '../util/errors';

export interface CsvPreview {
  header: CsvHeader;
  /** Rows read for the preview (at most `maxRows`). */
  rows: number;
  suggestion: Suggestion;
  /** A likely label column (named like one, else the last column). */
  likelyTarget: string;
  /** scikit-learn's type_of_target for that column on the preview rows (undefined when it has empty cells). */
  likelyTargetType?: 'binary' | 'multiclass' | 'continuous';
}

const TARGET_NAME = /^(label|labels|target|y|class|classes|species|outcome|category|is_?\w+)$/i;

/**
 * Reads the header and the first rows of a (possibly huge) file to pre-fill the wizard: columns, suggestion, target.
 */
export async function previewCsv(file: string, maxRows = 2000): Promise<CsvPreview> {
  let header: CsvHeader | undefined;
  let sample: ColumnSample | undefined;
  let rows = 0;
  const stop = new Error('preview done');
  try {
    await scanCsv(
      file,
      (h) => {
        header = h;
        sample = new ColumnSample(h.columns, maxRows);
      },
      (row) => {
        sample!.offer(row);
        if (++rows >= maxRows) throw stop;
      },
    );
  } catch (err) {
    if (err !== stop) throw err;
  }
  if (!header || !sample) throw new UserError(`${path.basename(file)}: the file is empty`);
  const likelyTarget =
    header.columns.find((c) => TARGET_NAME.test(c.trim())) ?? header.columns[header.columns.length - 1];
  const cells = sample.column(likelyTarget) ?? [];
  let targetColumn;
  try {
    targetColumn = cells.length ? encodeColumn(likelyTarget, cells) : undefined;
  } catch {
    targetColumn = undefined; // empty cells: no target advice from the preview
  }
  const suggestion = suggestStrategy(sample, { target: likelyTarget, rows, targetColumn });
  return {
    header,
    rows,
    suggestion,
    likelyTarget,
    likelyTargetType: targetColumn ? targetType(targetColumn) : undefined,
  };
}
