import * as fs from 'node:fs';

/**
 * What a command could leave behind if it were stopped hard: staged temp files, folders made for outputs, temp
 * folders, child processes. The output layer and the process registry keep theirs in LeftoverSets; a reporter (the
 * CLI's supervisor, in another process) hears of every one, so it can clean up after a command it had to kill.
 */

export type LeftoverKind = 'file' | 'emptyFolder' | 'tempFolder' | 'process' | 'processGroup';

export interface Leftover {
  kind: LeftoverKind;
  /** A path, or a process id for processes. */
  target: string;
}

type Reporter = (op: 'add' | 'remove', leftover: Leftover) => void;
let reporter: Reporter | undefined;

/** Sends every add and remove to `r` (undefined: stop). */
export function reportLeftovers(r: Reporter | undefined): void {
  reporter = r;
}

/** A Set of one kind of leftover that tells the reporter what comes and goes. */
export class LeftoverSet implements Iterable<string> {
  private readonly items = new Set<string>();
  constructor(readonly kind: LeftoverKind) {}

  add(target: string): this {
    if (!this.items.has(target)) {
      this.items.add(target);
      reporter?.('add', { kind: this.kind, target });
    }
    return this;
  }

  delete(target: string): boolean {
    if (!this.items.delete(target)) return false;
    reporter?.('remove', { kind: this.kind, target });
    return true;
  }

  clear(): void {
    for (const t of [...this.items]) this.delete(t);
  }

  get size(): number {
    return this.items.size;
  }

  [Symbol.iterator](): Iterator<string> {
    return [...this.items][Symbol.iterator]();
  }
}

/** Removes leftovers another process left (synchronous, best effort): processes first, then files, then folders. */
export function removeLeftovers(items: Iterable<Leftover>): void {
  const all = [...items];
  const order: LeftoverKind[] = ['processGroup', 'process', 'file', 'tempFolder', 'emptyFolder'];
  for (const kind of order) {
    const of = all.filter((l) => l.kind === kind);
    // Deepest folders first, so a folder made for a folder made for an output goes too.
    if (kind === 'emptyFolder') of.sort((a, b) => b.target.length - a.target.length);
    for (const l of of) {
      try {
        if (kind === 'process') process.kill(Number(l.target), 'SIGKILL');
        else if (kind === 'processGroup') process.kill(-Number(l.target), 'SIGKILL');
        else if (kind === 'file') fs.rmSync(l.target, { force: true });
        else if (kind === 'tempFolder') fs.rmSync(l.target, { recursive: true, force: true });
        else fs.rmdirSync(l.target);
      } catch {
        /* gone already, or not empty */
      }
    }
  }
}
