import { UserError } from './errors';

/**
 * The one place a filesystem error becomes a message: the errno of a path the user named is bad input (exit 2), said
 * in words, never "internal: ENOTDIR ...". Callers say what the path is ("the output file", "the model") and what
 * they were doing; the errno says why.
 */

/** The error codes that describe the user's paths and disks rather than a Flowbench bug. */
const REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'has a file where a folder is expected in its path',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'is on a read-only filesystem',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the filesystem',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many levels of symbolic links',
  EBUSY: 'is busy (in use by another process)',
  ETXTBSY: 'is busy (a running program)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EXDEV: 'is on another filesystem',
  ENXIO: 'is a special file with nothing behind it',
  EIO: 'input/output error (a failing disk or network share)',
};

export interface FsErrorContext {
  /** What the path is, for the message: "the output file", "model", "--history-dir". */
  what?: string;
  /** The path the user gave (shown as given); defaults to the error's own path. */
  path?: string;
  /** What was being done: "write", "read", "create the folder for". */
  action?: string;
}

/** The errno code of an error from node:fs, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True for errors this module turns into a UserError (a filesystem errno, or a path Node refused outright). */
export function isUserFsError(err: unknown): boolean {
  const code = errnoCode(err);
  if (code === undefined) return false;
  if (code in REASONS) return true;
  return isBadPathArgument(err);
}

/** Node refuses a path with a NUL byte before any system call (ERR_INVALID_ARG_VALUE / _TYPE). */
function isBadPathArgument(err: unknown): boolean {
  const code = errnoCode(err);
  return (
    (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') &&
    /null bytes|must be of type string or an instance of Buffer or URL/.test((err as Error).message)
  );
}

/** A one-line message for a filesystem error on `ctx.path`. */
export function fsErrorMessage(err: unknown, ctx: FsErrorContext = {}): string {
  const e = err as NodeJS.ErrnoException;
  const code = errnoCode(err) ?? '';
  const p = ctx.path ?? e.path ?? (e as { dest?: string }).dest ?? '';
  const subject = [ctx.what, p].filter(Boolean).join(' ') || 'the path';
  if (isBadPathArgument(err)) return `${subject.replace(/\0/g, '\\0')}: a path cannot contain a NUL byte`;
  const reason = REASONS[code] ?? (e.message || String(err)).split('\n')[0];
  // The errno's own path may be a parent or a temp file beside the target; name it when it differs.
  const detail = e.path && ctx.path && e.path !== ctx.path && !isTempName(e.path) ? ` (${e.path})` : '';
  const action = ctx.action ? `cannot ${ctx.action} ${subject}` : subject;
  return code === 'ENOENT' && !ctx.action ? `${subject} does not exist${detail}` : `${action}: ${reason}${detail}`;
}

function isTempName(p: string): boolean {
  return /\.tmp$|\.part$|\.bak$/.test(p);
}

/** The UserError for a filesystem error, or the error itself when it is not one (a bug stays a bug). */
export function fsUserError(err: unknown, ctx: FsErrorContext = {}): unknown {
  if (err instanceof UserError || !isUserFsError(err)) return err;
  return new UserError(fsErrorMessage(err, ctx));
}

/** Runs `fn`, turning a filesystem error into a UserError that says what the path was. */
export async function withFsErrors<T>(ctx: FsErrorContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fsUserError(err, ctx);
  }
}

export function withFsErrorsSync<T>(ctx: FsErrorContext, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fsUserError(err, ctx);
  }
}
