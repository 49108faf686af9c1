import type { TimingRecord } from './history';

type Listener = (record: TimingRecord, root: string) => void;

const listeners = new Set<Listener>();

/** Lets the '# %%' code lenses refresh when a timing lands, without either side importing the other's vscode layer. */
export function onTimingRecorded(listener: Listener): { dispose(): void } {
  listeners.add(listener);
  return { dispose: () => void listeners.delete(listener) };
}

export function fireTimingRecorded(record: TimingRecord, root: string): void {
  for (const l of [...listeners]) {
    try {
      l(record, root);
    } catch {
      // A listener's bug must not turn a finished timing into a failure.
    }
  }
}
