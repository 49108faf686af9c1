import * as fs from 'node:fs';
import { UserError } from './errors';
import { fsUserError } from './fsErrors';

/**
 * Inputs are opened once and checked before a byte is read: a regular file, of a known size, under a cap. A FIFO,
 * a device (/dev/zero), a socket or a folder is refused with one clear line: reading one would block forever,
 * never end, or fail deep inside a parser. The open never blocks: O_NONBLOCK makes opening a FIFO return at once
 * (on a regular file the flag changes nothing), and the type is read from the open descriptor (fstat), so what is
 * checked is what is read.
 */

export interface InputCheck {
  /** What the file is, for messages: "CSV file", "model", "Python file" (default "file"). */
  what?: string;
  /** Refuse files larger than this many bytes. */
  maxBytes?: number;
  /** Said after the size in the too-big message: how to get under the cap or raise it. */
  tooBigHint?: string;
}

export interface CheckedInput {
  path: string;
  handle: fs.promises.FileHandle;
  /** Size from fstat when opened. */
  size: number;
  dev: number;
  ino: number;
}

export interface CheckedInputSync {
  path: string;
  fd: number;
  size: number;
  dev: number;
  ino: number;
}

const OPEN_FLAGS =
  fs.constants.O_RDONLY |
  (process.platform === 'win32' ? 0 : (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0));

function describe(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'is a folder, not a file';
  if (st.isFIFO()) return 'is a named pipe (FIFO), not a regular file';
  if (st.isCharacterDevice()) return 'is a character device, not a regular file';
  if (st.isBlockDevice()) return 'is a block device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

function label(file: string, what: string): string {
  return `${what} ${file}`;
}

/** The refusal for a path that is there but is not a regular file, or undefined when it is one. */
export function notRegularFileMessage(file: string, st: fs.Stats, what = 'file'): string | undefined {
  const why = describe(st);
  return why === undefined ? undefined : `${label(file, what)} ${why}; Flowbench reads only regular files`;
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function check(file: string, st: fs.Stats, o: InputCheck): void {
  const what = o.what ?? 'file';
  const bad = notRegularFileMessage(file, st, what);
  if (bad) throw new UserError(bad);
  if (o.maxBytes !== undefined && st.size > o.maxBytes) {
    throw new UserError(
      `${label(file, what)} is ${formatSize(st.size)}, above the ${formatSize(o.maxBytes)} limit` +
        (o.tooBigHint ? `; ${o.tooBigHint}` : ''),
    );
  }
}

function openError(err: unknown, file: string, what: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`${what} not found: ${file}`);
  // open() on a Unix socket fails with ENXIO; name what it is.
  if (code === 'ENXIO' || code === 'EOPNOTSUPP') {
    try {
      const bad = notRegularFileMessage(file, fs.statSync(file), what);
      if (bad) return new UserError(bad);
    } catch {
      /* fall through to the errno's own words */
    }
  }
  return fsUserError(err, { what, path: file, action: 'read' });
}

/**
 * Opens `file` for reading and checks it (see the module comment). The caller owns the handle and closes it; on a
 * refusal nothing stays open. Every failure is a UserError naming the file.
 */
export async function openCheckedInput(file: string, o: InputCheck = {}): Promise<CheckedInput> {
  const what = o.what ?? 'file';
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(err, file, what);
  }
  try {
    const st = await handle.stat();
    check(file, st, o);
    return { path: file, handle, size: st.size, dev: st.dev, ino: st.ino };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw fsUserError(err, { what, path: file, action: 'read' });
  }
}

/** openCheckedInput for synchronous callers; the caller closes `fd`. */
export function openCheckedInputSync(file: string, o: InputCheck = {}): CheckedInputSync {
  const what = o.what ?? 'file';
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(err, file, what);
  }
  try {
    const st = fs.fstatSync(fd);
    check(file, st, o);
    return { path: file, fd, size: st.size, dev: st.dev, ino: st.ino };
  } catch (err) {
    fs.closeSync(fd);
    throw fsUserError(err, { what, path: file, action: 'read' });
  }
}

function grewMessage(file: string, what: string): string {
  return `${label(file, what)} changed while it was being read; try again once nothing writes to it`;
}

/**
 * Reads a whole checked input: at most its fstat size (so a file that grows while read, or lies about its size,
 * cannot make the read unbounded) and refuses a file that changed size under the read.
 */
export async function readCheckedInput(file: string, o: InputCheck = {}): Promise<Buffer> {
  const what = o.what ?? 'file';
  const input = await openCheckedInput(file, o);
  try {
    const buf = Buffer.allocUnsafe(input.size);
    let at = 0;
    while (at < input.size) {
      const { bytesRead } = await input.handle.read(buf, at, input.size - at, at);
      if (bytesRead === 0) throw new UserError(grewMessage(file, what));
      at += bytesRead;
    }
    const probe = Buffer.allocUnsafe(1);
    if ((await input.handle.read(probe, 0, 1, at)).bytesRead !== 0) throw new UserError(grewMessage(file, what));
    return buf;
  } catch (err) {
    throw fsUserError(err, { what, path: file, action: 'read' });
  } finally {
    await input.handle.close().catch(() => undefined);
  }
}

export function readCheckedInputSync(file: string, o: InputCheck = {}): Buffer {
  const what = o.what ?? 'file';
  const input = openCheckedInputSync(file, o);
  try {
    const buf = Buffer.allocUnsafe(input.size);
    let at = 0;
    while (at < input.size) {
      const n = fs.readSync(input.fd, buf, at, input.size - at, at);
      if (n === 0) throw new UserError(grewMessage(file, what));
      at += n;
    }
    if (fs.readSync(input.fd, Buffer.allocUnsafe(1), 0, 1, at) !== 0) throw new UserError(grewMessage(file, what));
    return buf;
  } catch (err) {
    throw fsUserError(err, { what, path: file, action: 'read' });
  } finally {
    fs.closeSync(input.fd);
  }
}

/** A checked text input, decoded as UTF-8. */
export function readCheckedTextSync(file: string, o: InputCheck = {}): string {
  return readCheckedInputSync(file, o).toString('utf8');
}

/**
 * Checks by path, without opening, that `file` is an existing regular file (or, with `folder`, a folder): for
 * inputs handed to another program (tar, unzip, ONNX Runtime), where a FIFO would block that program instead.
 */
export function checkInputPath(file: string, o: InputCheck & { folder?: boolean } = {}): fs.Stats {
  const what = o.what ?? (o.folder ? 'folder' : 'file');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw openError(err, file, what);
  }
  if (o.folder) {
    if (!st.isDirectory()) throw new UserError(`${label(file, what)} is not a folder`);
    return st;
  }
  check(file, st, o);
  return st;
}
