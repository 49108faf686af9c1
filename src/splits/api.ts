import type { SplitSite } from '../python/scanner';

/** One split file Flowbench made, as its manifest describes it. Paths are absolute. */
export interface SplitFileInfo {
  file: string;
  manifest: string;
  /** The data file the split was made of. */
  data: string;
  target?: string;
  strategy: string;
  /** ISO time the split was made ('' when unknown). */
  createdAt: string;
  column: 'split' | 'fold';
  /** Folds (1 for a holdout) and the first fold's train/valid rows. */
  folds: number;
  train: number;
  valid: number;
}

/** What the splits feature offers other features (the code lenses, the Evaluate prompts). */
export interface SplitsApi {
  /** flowbench.split.create's arguments read from a split call's literal arguments (strategy, folds, sizes, …). */
  prefillFromCall(site: Pick<SplitSite, 'callee' | 'args'>): Record<string, unknown>;
  /** The workspace's split files (those with a Flowbench manifest), newest first; of one data file when given. */
  findSplits(dataFile?: string): Promise<SplitFileInfo[]>;
  /** Runs the split wizard (for `dataFile` when given); the new split, or undefined when the wizard was dismissed. */
  createSplit(dataFile?: string): Promise<SplitFileInfo | undefined>;
}
