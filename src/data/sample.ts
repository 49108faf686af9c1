import { fieldText, type CsvRow } from './csv';

/**
 * A bounded, deterministic sample of whole rows (every `stride`-th row; the stride doubles whenever the sample fills),
 * so drift checks and strategy advice cost the same memory for 1 MB and 2 GB inputs.
 */
export class ColumnSample {
  readonly rows: number[] = [];
  readonly values: string[][];
  private currentStride = 1;

  /** Rows whose index is a multiple of this are kept (so far: it doubles as the sample fills). */
  get stride(): number {
    return this.currentStride;
  }

  constructor(
    readonly columns: readonly string[],
    private readonly max: number,
  ) {
    this.values = columns.map(() => []);
  }

  offer(row: CsvRow): void {
    if (row.index % this.currentStride !== 0) return;
    this.rows.push(row.index);
    for (let j = 0; j < this.values.length; j++) this.values[j].push(fieldText(row, j));
    if (this.rows.length >= 2 * this.max) this.halve();
  }

  /**
   * Jumps straight to the stride a file of about `expectedRows` rows will end with, so the rows in between are never
   * decoded only to be dropped later (the sample stays the same: every stride-th row).
   */
  expectRows(expectedRows: number): void {
    while (this.currentStride * 2 * this.max <= expectedRows / 2) this.halve();
  }

  private halve(): void {
    const next = this.currentStride * 2;
    let w = 0;
    for (let r = 0; r < this.rows.length; r++) {
      if (this.rows[r] % next !== 0) continue;
      this.rows[w] = this.rows[r];
      for (const col of this.values) col[w] = col[r];
      w++;
    }
    this.rows.length = w;
    for (const col of this.values) col.length = w;
    this.currentStride = next;
  }

  column(name: string): string[] | undefined {
    const j = this.columns.indexOf(name);
    return j < 0 ? undefined : this.values[j];
  }
}
