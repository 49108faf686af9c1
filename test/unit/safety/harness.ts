/**
 * The adversarial suite's harness: one fresh folder per case, the CLI run in this process through main(argv, io)
 * (or, for special files and signals, as a real process of the bundled dist/cli.js), and the checks every case
 * makes: the exit code, the shape of stderr (exactly one `error:` line, no stack trace, no "internal"), and every
 * file in the folder byte for byte as before, but the outputs a successful run may write.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { neverCancelled } from '../../../src/util/errors';
import type { CliIo } from '../../../src/util/cli';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const DIST_CLI = path.join(ROOT, 'dist', 'cli.js');

/** Builds dist/ when a test run starts without it (the spawned cases run the bundle). */
export function ensureDist(): void {
  if (!fs.existsSync(DIST_CLI)) execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT });
}

/** A file to lay down: text, bytes, a folder, a FIFO, a symlink or a hard link (to another entry). */
export type Entry =
  | string
  | Uint8Array
  | { dir: true }
  | { fifo: true }
  | { symlink: string }
  | { hardlink: string }
  | { mode: number; data: string | Uint8Array };

export type Files = Record<string, Entry>;

export function layDown(dir: string, files: Files): void {
  // Links last, so what they point to is there.
  const order = Object.entries(files).sort(([, a], [, b]) => Number(isLink(a)) - Number(isLink(b)));
  for (const [rel, e] of order) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof e === 'string' || e instanceof Uint8Array) fs.writeFileSync(p, e);
    else if ('dir' in e) fs.mkdirSync(p, { recursive: true });
    else if ('fifo' in e) execFileSync('mkfifo', [p]);
    else if ('symlink' in e) fs.symlinkSync(e.symlink, p);
    else if ('hardlink' in e) fs.linkSync(path.join(dir, e.hardlink), p);
    else {
      fs.writeFileSync(p, e.data);
      fs.chmodSync(p, e.mode);
    }
  }
}

function isLink(e: Entry): boolean {
  return typeof e === 'object' && !(e instanceof Uint8Array) && ('symlink' in e || 'hardlink' in e);
}

/** Every entry under `dir` (symlinks not followed) with what it is: a file's SHA-256, 'dir', 'fifo', a link. */
export function snapshot(dir: string, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) into.set(rel, `link:${fs.readlinkSync(p)}`);
    else if (e.isDirectory()) {
      into.set(rel, 'dir');
      snapshot(p, `${rel}/`, into);
    } else if (e.isFIFO()) into.set(rel, 'fifo');
    else if (e.isSocket()) into.set(rel, 'socket');
    else if (e.isFile()) {
      const st = fs.statSync(p);
      into.set(
        rel,
        `${createHash('sha256').update(fs.readFileSync(p)).digest('hex')} ${(st.mode & 0o777).toString(8)}`,
      );
    } else into.set(rel, 'other');
  }
  return into;
}

export interface RunResult {
  code: number | null;
  out: string;
  err: string;
  signal?: NodeJS.Signals | null;
  ms: number;
}

/** The CLI in this process, in `cwd`. */
export async function runInProcess(argv: string[], cwd: string): Promise<RunResult> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    cwd,
    cancellation: neverCancelled,
  };
  const t0 = Date.now();
  const code = await main(argv, io);
  return { code, out, err, ms: Date.now() - t0 };
}

/** A refusal takes well under a second; a case still running after this is hanging (a blocked read). */
export const SPAWN_DEADLINE_MS = 4000;

/**
 * The bundled CLI as a real process, killed (SIGKILL, the whole group) after `timeoutMs`: a case that hangs fails
 * with a clear timeout instead of hanging the suite.
 */
export function runSpawned(
  argv: string[],
  cwd: string,
  o: { timeoutMs?: number; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): Promise<RunResult & { timedOut: boolean }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [DIST_CLI, ...argv], {
      cwd,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      uid: o.uid,
      gid: o.gid,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, o.timeoutMs ?? SPAWN_DEADLINE_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, ms: Date.now() - t0, timedOut });
    });
  });
}

/** Exactly one line, `error: …`, with no stack trace and no "internal". */
export function assertOneErrorLine(err: string, context = ''): void {
  const lines = err.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `${context}: stderr must be one error line, got:\n${err}`);
  assert.match(lines[0], /^error: \S/, `${context}: stderr must start with 'error: '`);
  assert.doesNotMatch(err, /error: internal|^\s+at |\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/m, context);
}

/** A successful run says no error at all. */
export function assertNoError(err: string, context = ''): void {
  assert.doesNotMatch(err, /error:|internal|^\s+at /m, `${context}: a successful run printed an error:\n${err}`);
}

export type Expected = 0 | 2 | 130 | 'either';

export interface Case {
  name: string;
  argv: string[];
  files: Files;
  /** 0 success, 2 bad input, 'either' (a corrupted file that may still parse). */
  expect: Expected;
  /** stderr (the error line) must match, when the case knows what it must say. */
  message?: RegExp;
  /** Outputs a successful run may create or change (relative paths); everything else must stay as it was. */
  outputs?: string[];
  /** Run as a real process (special files, anything that could block this one). */
  spawn?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Run as an unprivileged user (permission cases, when the suite runs as root). */
  unprivileged?: boolean;
  /** What to check on success beyond the exit code (the outputs' content). */
  check?(dir: string, r: RunResult): void;
}

const NOBODY = 65534;

/** Runs one case in a fresh folder and makes the checks; returns the run for extra checks. */
export async function runCase(c: Case): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-adv-'));
  try {
    layDown(dir, c.files);
    const root = process.getuid?.() === 0;
    // Root writes anywhere: a permission case runs as an unprivileged user who can read the folder but not write
    // it; as any other user, the folder itself is made read-only.
    if (c.unprivileged) fs.chmodSync(dir, root ? 0o755 : 0o555);
    const before = snapshot(dir);
    let r: RunResult & { timedOut?: boolean };
    const unprivileged = c.unprivileged && root ? { uid: NOBODY, gid: NOBODY } : {};
    if (c.spawn || c.unprivileged) r = await runSpawned(c.argv, dir, { env: c.env, ...unprivileged });
    else {
      const saved: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(c.env ?? {})) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
      try {
        r = await runInProcess(c.argv, dir);
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    }
    const where = `${c.name} (flowbench ${c.argv.join(' ')})`;
    assert.ok(!r.timedOut, `${where}: did not finish (killed after the timeout); stderr so far:\n${r.err}`);
    const code = r.code;
    if (c.expect === 'either') assert.ok(code === 0 || code === 2, `${where}: exit ${code}, expected 0 or 2\n${r.err}`);
    else assert.equal(code, c.expect, `${where}: exit ${code}, expected ${c.expect}; stderr:\n${r.err}`);
    const after = snapshot(dir);
    if (code === 0) {
      assertNoError(r.err, where);
      const allowed = new Set(c.outputs ?? []);
      for (const [p, v] of before) {
        if (!allowed.has(p)) assert.equal(after.get(p), v, `${where}: ${p} changed or went away`);
      }
      for (const p of after.keys()) {
        if (!before.has(p)) {
          // A .flowbench/ that gets records also gets the .gitignore that keeps them out of git status.
          const gitignore = p === '.flowbench/.gitignore' && [...allowed].some((a) => a.startsWith('.flowbench/'));
          const ok = allowed.has(p) || gitignore || [...allowed].some((a) => a.startsWith(`${p}/`));
          assert.ok(ok, `${where}: unexpected new file ${p}`);
        }
      }
      c.check?.(dir, r);
    } else {
      assertOneErrorLine(r.err, where);
      if (c.message) assert.match(r.err, c.message, where);
      assert.deepEqual(
        [...after].filter(([p, v]) => before.get(p) !== v),
        [],
        `${where}: a failed run changed or added files`,
      );
      assert.deepEqual(
        [...before.keys()].filter((p) => !after.has(p)),
        [],
        `${where}: a failed run removed files`,
      );
    }
    return r;
  } finally {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
