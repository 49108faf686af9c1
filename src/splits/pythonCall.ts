import { scanPython, type SplitSite } from '../python/scanner';
import { splitPrefill } from './prefill';

/**
 * flowbench.split.create's wizard arguments from one scikit-learn call written in Python, e.g.
 * `train_test_split(X, y, test_size=0.2, random_state=0, stratify=df["label"])` → `{ strategy: 'holdout',
 * testSize: 0.2, seed: 0, target: 'label' }`. Only literal arguments are read (nothing runs); the Python lexing and
 * the argument mapping are the code-lens feature's, so both entry points agree.
 */
export function splitArgsFromPythonCall(callText: string): Record<string, unknown> {
  const site = scanPython(callText, { force: true }).sites.find((s): s is SplitSite => s.kind === 'split');
  return site ? splitPrefill(site) : {};
}
