/**
 * What the timing feature offers other features: the lens text of each cell's last timing, and a change event.
 * Type-only: the lenses feature gets an object of this shape from extension.ts and never loads timing's internals.
 */
export interface CellTimingText {
  /** '$(watch) 12.3 ms ± 0.4 · −18%', or '$(sync~spin) Timing… run 3 of 7…' while the cell is being timed. */
  text: string;
  tooltip: string;
  /** The cell is being timed now. */
  running?: boolean;
}

export interface TimingsApi {
  /** For one file: a lookup of each cell's last timing by its content hash and index (history read once, cached). */
  cellTimings(file: string): Promise<(cell: { hash: string; index: number }) => CellTimingText | undefined>;
  /** For one file: a lookup of each data loader's last timing by its name (and the hash of the code that builds it). */
  loaderTimings(file: string): Promise<(loader: { name: string; hash?: string }) => CellTimingText | undefined>;
  /** Fires when any timing history changed, and when a timing starts, progresses or ends. */
  onDidChange(listener: () => void): { dispose(): void };
}
