/**
 * What the timing feature offers other features: the lens text of each cell's last timing, and a change event.
 * Type-only: the lenses feature gets an object of this shape from extension.ts and never loads timing's internals.
 */
export interface CellTimingText {
  /** '⏱ 12.3 ms ± 0.4 · −18%'. */
  text: string;
  tooltip: string;
}

export interface TimingsApi {
  /** For one file: a lookup of each cell's last timing by its content hash and index (history read once, cached). */
  cellTimings(file: string): Promise<(cell: { hash: string; index: number }) => CellTimingText | undefined>;
  /** For one file: a lookup of each data loader's last timing by its name (and the hash of the code that builds it). */
  loaderTimings(file: string): Promise<(loader: { name: string; hash?: string }) => CellTimingText | undefined>;
  /** Fires when any timing history changed. */
  onDidChange(listener: () => void): { dispose(): void };
}
