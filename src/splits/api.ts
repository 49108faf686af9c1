import type { SplitSite } from '../python/scanner';

/** What the splits feature offers other features (the code lenses): the wizard arguments for a scikit-learn call. */
export interface SplitsApi {
  /** flowbench.split.create's arguments read from a split call's literal arguments (strategy, folds, sizes, …). */
  prefillFromCall(site: Pick<SplitSite, 'callee' | 'args'>): Record<string, unknown>;
}
