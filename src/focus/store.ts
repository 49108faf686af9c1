import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import { type FocusShared, type Transition, normalizeShared } from './state';

/**
 * The shared focus state of all windows, kept in one small JSON file (in the extension's global storage). VS Code's
 * globalState is shared between windows too, but it has no change event and no compare-and-set, so two windows could
 * both "win" a start and both toggle DND. Here every change runs read → transition → write under an exclusive lock
 * file (created with O_EXCL, which is atomic across processes), so transitions are serialised and each commits on the
 * state the previous one left. Writes are atomic (temp file + rename): readers never see half a record.
 */
export interface StoreOptions {
  windowId: string;
  clock?: () => number;
  /** A lock older than this was left by a crashed window and is broken. */
  staleLockMs?: number;
  lockTimeoutMs?: number;
  warn?: (message: string) => void;
}

export interface Committed<R> {
  state: FocusShared;
  result: R;
  /** False when the transition asked for no write. */
  changed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether an fs.watch event in the store's folder can be a change of `stateFile`. The lock file and the atomic
 * write's temp files change on every write as well; only the rename onto the state file carries the new record. Some
 * platforms give no name: then it may be anything, including the state file.
 */
export function isStateFileEvent(name: string | null, stateFile: string): boolean {
  return !name || name.startsWith(path.basename(stateFile));
}

export class FocusStateStore {
  readonly file: string;
  readonly lockFile: string;
  private readonly clock: () => number;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  private readonly warn: (message: string) => void;
  /** Serialises this window's own updates so they never contend with each other for the lock. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly opts: StoreOptions,
  ) {
    this.file = path.join(dir, 'focus-state.json');
    this.lockFile = path.join(dir, 'focus-state.lock');
    this.clock = opts.clock ?? Date.now;
    this.staleLockMs = opts.staleLockMs ?? 10_000;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 5_000;
    this.warn = opts.warn ?? (() => undefined);
  }

  async read(): Promise<FocusShared> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return normalizeShared(null);
      throw err;
    }
    try {
      return normalizeShared(JSON.parse(text));
    } catch {
      this.warn(`focus state file ${this.file} is not valid JSON; starting from a clean state`);
      return normalizeShared(null);
    }
  }

  /** Applies `transition` to the current state under the lock; returns the state as committed. */
  update<R>(transition: (cur: FocusShared) => Transition<R>): Promise<Committed<R> & { transition: Transition<R> }> {
    const run = this.queue.then(() => this.locked(transition));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async locked<R>(transition: (cur: FocusShared) => Transition<R>) {
    await fs.promises.mkdir(this.dir, { recursive: true });
    await this.acquire();
    try {
      const cur = await this.read();
      const t = transition(cur);
      if (!t.next) return { state: cur, result: t.result, changed: false, transition: t };
      const next: FocusShared = { ...t.next, rev: cur.rev + 1, writer: this.opts.windowId, updatedAt: this.clock() };
      await writeFileAtomic(this.file, JSON.stringify(next));
      return { state: next, result: t.result, changed: true, transition: t };
    } finally {
      await fs.promises.rm(this.lockFile, { force: true });
    }
  }

  private async acquire(): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const fh = await fs.promises.open(this.lockFile, 'wx');
        await fh.writeFile(JSON.stringify({ window: this.opts.windowId, pid: process.pid, at: Date.now() }));
        await fh.close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const stat = await fs.promises.stat(this.lockFile).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > this.staleLockMs) {
        this.warn(`breaking a stale focus lock (${Math.round((Date.now() - stat.mtimeMs) / 1000)} s old)`);
        // Rename, not unlink: only one waiter can move the stale lock away, and the moved file can be checked.
        const grave = `${this.lockFile}.${process.pid}.${Math.random().toString(36).slice(2)}.stale`;
        try {
          await fs.promises.rename(this.lockFile, grave);
        } catch {
          continue;
        }
        const moved = await fs.promises.stat(grave).catch(() => null);
        if (moved && Date.now() - moved.mtimeMs <= this.staleLockMs) {
          // Another window broke the stale lock and took a fresh one between our stat and rename: give it back.
          await fs.promises.link(grave, this.lockFile).catch(() => undefined);
        }
        await fs.promises.rm(grave, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`could not lock the focus state (${this.lockFile} is held)`);
      await sleep(5 + Math.random() * 20);
    }
  }
}
