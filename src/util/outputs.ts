import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, throwIfCancelled, type Cancellation, type Field, type FieldNamer } from './errors';
import { fsUserError } from './fsErrors';
import { tempPathFor } from './atomicWrite';
import { notRegularFileMessage } from './inputs';
import { LeftoverSet } from './leftovers';
import { keepOutOfGitSync } from './flowbenchDir';

/**
 * The output-safety layer every command that writes goes through. An OutputSet knows the command's inputs and
 * its outputs, and guarantees:
 * - no output is an input, or another output: compared as files (device + inode, so through symlinks, hard links
 *   and `..`) when they exist, and by their resolved path when they do not yet;
 * - an output path that cannot work (a folder, a FIFO, a parent that is a file, `.flowbench` that is a file) is
 *   refused up front, with one clear line, before any work;
 * - outputs that belong together (FOLDS.csv and its manifest, predictions and a ledger line) are written to temps
 *   beside their targets and committed together, or none is: the renames and appends happen in one synchronous
 *   step (no signal handler or other task can run in between) and a failure in it rolls back the ones done;
 * - an existing output is never replaced by a failed or cancelled run, and no temp file outlives the process
 *   (a hard exit on Ctrl-C removes them through removeStagedTemps()).
 *
 * Use: `const outs = new OutputSet({ inputs: [model, { path: csv, field: 'input' }], cancellation })`, then
 * `outs.reserve(out, { field: 'out' })` early (fails fast), `outs.file(out).write(text)` / `outs.jsonl(ledger).add(r)`
 * when the results are there, and `await outs.commitAll()`; on any error `outs.abortAll()` (or use `outs.run(fn)`).
 */

/** A path and how messages name it: by its option (`field`: --out / "output file") or in words (`what`). */
export interface PathRole {
  path: string;
  field?: Field;
  what?: string;
}

export type PathArg = string | PathRole | undefined | null | false;

interface Identity {
  /** dev:ino when the path exists (stat follows symlinks). */
  file?: string;
  /** The absolute path with symlinks in its existing part resolved. */
  resolved: string;
}

function identity(p: string): Identity {
  const abs = path.resolve(p);
  let file: string | undefined;
  try {
    const st = fs.statSync(abs);
    file = `${st.dev}:${st.ino}`;
  } catch {
    /* not there (yet) */
  }
  return { file, resolved: resolvedPath(abs) };
}

/** realpath of the deepest existing ancestor, with the rest of the path appended as given. */
function resolvedPath(abs: string): string {
  const rest: string[] = [];
  for (let d = abs; ; d = path.dirname(d)) {
    try {
      const real = fs.realpathSync(d);
      return path.join(real, ...rest.reverse());
    } catch {
      if (path.dirname(d) === d) return abs;
      rest.push(path.basename(d));
    }
  }
}

function sameFile(a: Identity, b: Identity): boolean {
  if (a.file !== undefined && b.file !== undefined) return a.file === b.file;
  return a.resolved === b.resolved;
}

function roleOf(arg: string | PathRole, fallback: string): PathRole {
  return typeof arg === 'string' ? { path: arg, what: fallback } : arg;
}

function sameRole(a: PathRole, b: PathRole): boolean {
  return a.field === b.field && a.what === b.what;
}

function name(f: FieldNamer, r: PathRole): string {
  return r.field ? f(r.field) : (r.what ?? 'the file');
}

/** Live temp files and folders this process created, removed on a hard exit (removeStagedTemps). */
const liveTemps = new LeftoverSet('file');
const liveDirs = new LeftoverSet('emptyFolder');

/** Removes every staged temp file (and folders made only for them) still on disk; safe in an exit handler. */
export function removeStagedTemps(): void {
  for (const t of liveTemps) {
    try {
      fs.rmSync(t, { force: true });
    } catch {
      /* best effort at exit */
    }
  }
  liveTemps.clear();
  for (const d of [...liveDirs].sort((a, b) => b.length - a.length)) {
    try {
      fs.rmdirSync(d);
    } catch {
      /* not empty or gone */
    }
  }
  liveDirs.clear();
  for (const d of liveTempFolders) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort at exit */
    }
  }
  liveTempFolders.clear();
}

/** Temp folders a command made for itself (an extracted archive), removed with everything in them on a hard exit. */
const liveTempFolders = new LeftoverSet('tempFolder');

/** Registers a temp folder for removal on a hard exit; the returned function unregisters it (after removing it). */
export function trackTempFolder(dir: string): () => void {
  liveTempFolders.add(dir);
  return () => void liveTempFolders.delete(dir);
}

/** How many staged temps are on disk now (tests). */
export function stagedTempCount(): number {
  return liveTemps.size;
}

/** One staged output file: written to a temp beside its target, renamed into place by the set's commitAll(). */
export class StagedFile {
  readonly tmp: string;
  private fd: number | undefined;
  private buffer: (string | Uint8Array)[] = [];
  private buffered = 0;

  constructor(
    readonly target: string,
    readonly role: PathRole,
    private readonly mode: number | undefined,
  ) {
    this.tmp = tempPathFor(target);
    try {
      this.fd = fs.openSync(this.tmp, 'wx', mode ?? 0o666);
    } catch (err) {
      throw writeError(err, role);
    }
    liveTemps.add(this.tmp);
  }

  write(chunk: string | Uint8Array): this {
    if (this.fd === undefined) throw new Error(`internal: ${this.target} was already closed`);
    this.buffer.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= 1 << 20) this.flush();
    return this;
  }

  /** Copies a whole file into the temp in bounded pieces (a library, a model). */
  async copyFrom(handle: fs.promises.FileHandle, size: number): Promise<this> {
    this.flush();
    const piece = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 4 << 20));
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(piece, 0, Math.min(piece.length, size - at), at);
      if (bytesRead === 0) break;
      this.writeNow(piece.subarray(0, bytesRead));
      at += bytesRead;
    }
    return this;
  }

  private writeNow(data: string | Uint8Array): void {
    try {
      if (typeof data === 'string') fs.writeSync(this.fd!, data);
      else {
        let off = 0;
        while (off < data.length) off += fs.writeSync(this.fd!, data, off, data.length - off);
      }
    } catch (err) {
      throw writeError(err, this.role);
    }
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const parts = this.buffer;
    this.buffer = [];
    this.buffered = 0;
    if (parts.every((p) => typeof p === 'string')) this.writeNow(parts.join(''));
    else for (const p of parts) this.writeNow(p);
  }

  /** Flushes, syncs and closes the temp (the slow part of a commit, done before any rename). */
  seal(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
      fs.fsyncSync(this.fd);
      if (this.mode !== undefined) fs.fchmodSync(this.fd, this.mode);
    } catch (err) {
      throw writeError(err, this.role);
    } finally {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  discard(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
    fs.rmSync(this.tmp, { force: true });
    liveTemps.delete(this.tmp);
  }
}

/** Records for a JSON-lines file, appended (one write, one line each) by the set's commitAll(). */
export class StagedJsonl {
  readonly records: unknown[] = [];
  constructor(
    readonly target: string,
    readonly role: PathRole,
  ) {}

  add(record: unknown): this {
    const line = JSON.stringify(record);
    if (line.includes('\n')) throw new Error('internal: JSON.stringify produced a newline');
    this.records.push(record);
    return this;
  }
}

function writeError(err: unknown, role: PathRole): unknown {
  const e = fsUserError(err, { path: role.path, action: 'write', what: role.field ? undefined : role.what });
  if (!(e instanceof UserError) || !role.field) return e;
  const field = role.field;
  // Same words, with the option named for the audience.
  return new UserError((f) => `${f(field)}: ${e.message}`);
}

type SetState = 'open' | 'committed' | 'aborted';

export class OutputSet {
  private readonly inputs: { role: PathRole; id: Identity }[] = [];
  private readonly reserved = new Map<string, { role: PathRole; id: Identity }>();
  private readonly files: StagedFile[] = [];
  private readonly appends: StagedJsonl[] = [];
  private readonly madeDirs: string[] = [];
  private state: SetState = 'open';
  private readonly cancellation: Cancellation | undefined;

  constructor(o: { inputs?: readonly PathArg[]; cancellation?: Cancellation } = {}) {
    this.cancellation = o.cancellation;
    this.addInputs(...(o.inputs ?? []));
  }

  /** More paths the command reads; an output may be none of them. */
  addInputs(...inputs: readonly PathArg[]): this {
    for (const i of inputs) {
      if (!i) continue;
      const role = roleOf(i, 'the input file');
      this.inputs.push({ role, id: identity(role.path) });
    }
    return this;
  }

  /**
   * Checks an output path now, before any work: not an input, not another output, not a folder or special file,
   * its folder creatable. Returns the absolute path. Calling it again for the same path and role is harmless.
   */
  reserve(target: string | PathRole, o: { append?: boolean } = {}): string {
    const role = roleOf(target, 'the output file');
    const abs = path.resolve(role.path);
    const id = identity(abs);
    const key = id.resolved;
    // The same output reserved again (early, then when staged) is one output; any other at that path collides.
    const again = this.reserved.get(key);
    if (again && sameRole(again.role, role)) return abs;
    for (const inp of this.inputs) {
      if (sameFile(id, inp.id)) {
        throw new UserError(
          (f) =>
            `${name(f, role)} must not be ${name(f, inp.role)} (${path.resolve(inp.role.path)});` +
            ' Flowbench never writes over what it reads',
        );
      }
    }
    for (const other of this.reserved.values()) {
      if (!sameRole(other.role, role) && sameFile(id, other.id)) {
        throw new UserError(
          (f) => `${name(f, role)} and ${name(f, other.role)} are the same file (${abs}); give them different paths`,
        );
      }
    }
    checkWritablePath(abs, role, o);
    this.reserved.set(key, { role, id });
    return abs;
  }

  private ensureOpen(): void {
    if (this.state !== 'open') throw new Error(`internal: output set already ${this.state}`);
  }

  private makeParents(abs: string, role: PathRole): void {
    const dir = path.dirname(abs);
    let made: string | undefined;
    try {
      made = fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw writeError(err, role);
    }
    if (made) {
      // Folders made only for this output go again when it is not committed.
      for (let d = dir; d.length >= made.length; d = path.dirname(d)) {
        this.madeDirs.push(d);
        liveDirs.add(d);
        if (d === made || path.dirname(d) === d) break;
      }
    }
  }

  /** A staged output file. `mode` sets its permission bits (default: an existing target's, else 0666 & ~umask). */
  file(target: string | PathRole, o: { mode?: number } = {}): StagedFile {
    this.ensureOpen();
    const role = roleOf(target, 'the output file');
    const abs = this.reserve(role);
    this.makeParents(abs, role);
    let mode = o.mode;
    if (mode === undefined) {
      try {
        mode = fs.statSync(abs).mode & 0o7777;
      } catch {
        /* new file */
      }
    }
    const f = new StagedFile(abs, role, mode);
    this.files.push(f);
    return f;
  }

  /** A staged file with `data` as its whole content. */
  write(target: string | PathRole, data: string | Uint8Array, o: { mode?: number } = {}): StagedFile {
    return this.file(target, o).write(data);
  }

  /** A JSON-lines file the set appends records to at commit (a ledger, a history). */
  jsonl(target: string | PathRole): StagedJsonl {
    this.ensureOpen();
    const role = roleOf(target, 'the log file');
    const abs = this.reserve(role, { append: true });
    const existing = this.appends.find((a) => a.target === abs);
    if (existing) return existing;
    const a = new StagedJsonl(abs, role);
    this.appends.push(a);
    return a;
  }

  /**
   * Commits every staged output, or none: temps are sealed (flushed, synced), then, unless cancelled, renamed over
   * their targets and the JSON lines appended in one synchronous step; a failure there restores what it replaced.
   */
  async commitAll(): Promise<void> {
    this.ensureOpen();
    try {
      for (const f of this.files) f.seal();
      throwIfCancelled(this.cancellation);
      this.commitSync();
    } catch (err) {
      this.abortAll();
      throw err;
    }
  }

  private commitSync(): void {
    // Targets are checked again: a path can change between reserve() and now.
    for (const f of this.files) checkWritablePath(f.target, f.role);
    const undo: (() => void)[] = [];
    try {
      for (const f of this.files) {
        let backup: string | undefined;
        if (fs.existsSync(f.target)) {
          backup = `${f.tmp}.bak`;
          try {
            fs.linkSync(f.target, backup);
          } catch {
            fs.copyFileSync(f.target, backup);
          }
          liveTemps.add(backup);
        }
        try {
          fs.renameSync(f.tmp, f.target);
        } catch (err) {
          if (backup) {
            fs.rmSync(backup, { force: true });
            liveTemps.delete(backup);
          }
          throw writeError(err, f.role);
        }
        liveTemps.delete(f.tmp);
        const b = backup;
        undo.push(() => {
          if (b) fs.renameSync(b, f.target);
          else fs.rmSync(f.target, { force: true });
        });
      }
      for (const a of this.appends) {
        if (a.records.length === 0) continue;
        const r = appendLinesSync(a.target, a.records, (d) => this.makeParents(path.join(d, 'x'), a.role), a.role);
        undo.push(r.undo);
      }
    } catch (err) {
      for (const u of undo.reverse()) {
        try {
          u();
        } catch {
          /* best effort: the error below is what the user needs */
        }
      }
      throw err;
    }
    for (const f of this.files) {
      const b = `${f.tmp}.bak`;
      if (liveTemps.delete(b)) fs.rmSync(b, { force: true });
    }
    for (const d of this.madeDirs) liveDirs.delete(d);
    this.state = 'committed';
    for (const t of [...this.files, ...this.appends]) keepOutOfGitSync(path.dirname(t.target));
  }

  /** Removes every temp and the folders made only for them; what was there before stays as it was. */
  abortAll(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    for (const f of this.files) {
      try {
        f.discard();
      } catch {
        /* best effort */
      }
    }
    for (const d of [...this.madeDirs].sort((x, y) => y.length - x.length)) {
      try {
        fs.rmdirSync(d);
      } catch {
        /* not empty: something else is in it now */
      }
      liveDirs.delete(d);
    }
  }

  /** Runs `work` with this set, commits when it returns, aborts when it throws. */
  async run<T>(work: (outs: this) => Promise<T> | T): Promise<T> {
    try {
      const r = await work(this);
      await this.commitAll();
      return r;
    } catch (err) {
      this.abortAll();
      throw err;
    }
  }
}

/**
 * Refuses an output path that cannot be written as a file: an existing folder or special file, or a path whose
 * nearest existing ancestor is not a folder (an --out under a file, a .flowbench that is a file).
 */
export function checkWritablePath(abs: string, role: PathRole, o: { append?: boolean } = {}): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw writeError(err, role);
  }
  if (st) {
    if (st.isDirectory()) {
      throw new UserError((f) => `${name(f, role)} ${abs} is a folder; name a file to write`);
    }
    const bad = notRegularFileMessage(abs, st, '');
    if (bad) {
      throw new UserError(
        (f) => `${name(f, role)} ${bad.trim().replace('reads only regular files', 'writes only regular files')}`,
      );
    }
    // Appended to in place (the file must be writable), or replaced by a rename in its folder (the folder must be).
    if (o.append) mayWrite(abs, role);
    else mayWrite(path.dirname(abs), role);
    return;
  }
  for (let d = path.dirname(abs); ; d = path.dirname(d)) {
    let ds: fs.Stats | undefined;
    try {
      ds = fs.statSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw writeError(err, role);
    }
    if (ds) {
      if (!ds.isDirectory()) {
        throw new UserError((f) => `${name(f, role)} ${abs} cannot be written: ${d} is a file, not a folder`);
      }
      // The nearest existing folder gets the file (or the folders made for it).
      mayWrite(d, role);
      return;
    }
    if (path.dirname(d) === d) return;
  }
}

/** access(W_OK) as this process's user: a read-only folder or filesystem fails now, in words, not after the work. */
function mayWrite(p: string, role: PathRole): void {
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch (err) {
    throw writeError(Object.assign(err as Error, { path: role.path }), role);
  }
}

/**
 * Appends JSON lines with one write (O_APPEND, so concurrent appenders never interleave within a line), after a
 * newline when the file ends inside a torn line. Returns how to take the lines back, while nobody appended since.
 */
function appendLinesSync(
  file: string,
  records: readonly unknown[],
  makeDir: (dir: string) => void,
  role: PathRole,
): { undo: () => void } {
  makeDir(path.dirname(file));
  const existed = fs.existsSync(file);
  let fd: number;
  try {
    fd = fs.openSync(file, 'a+');
  } catch (err) {
    throw writeError(err, role);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${file} is not a regular file`);
    let prefix = '';
    if (st.size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, st.size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const text = Buffer.from(prefix + records.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
    let off = 0;
    while (off < text.length) off += fs.writeSync(fd, text, off, text.length - off);
    const before = st.size;
    const after = before + text.length;
    return {
      undo: () => {
        if (fs.statSync(file).size !== after) return;
        if (existed) fs.truncateSync(file, before);
        else fs.rmSync(file, { force: true });
      },
    };
  } catch (err) {
    throw writeError(err, role);
  } finally {
    fs.closeSync(fd);
  }
}
