import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, UserError, onCancelled, type Cancellation } from '../util/errors';
import type {
  BenchResult,
  CreateResult,
  Envelope,
  Feeds,
  GraphOptimizationLevel,
  MemoryResult,
  Reply,
  Request,
  RunResult,
  RuntimeFacts,
  WorkerError,
} from './protocol';
import { classifyProviderFailure, formatFailure, type ProviderFailure } from './providers';
import { trackChild } from '../util/children';
import { serve as serveHere } from './ortRuntime';

/**
 * Finds the worker script: dist/onnxWorker.js beside a bundle (extension, CLI), or the tsc output worker.js beside
 * this file (unit tests run from out/). FLOWBENCH_ONNX_WORKER overrides both.
 */
export function resolveWorkerPath(dir: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.FLOWBENCH_ONNX_WORKER, path.join(dir, 'onnxWorker.js'), path.join(dir, 'worker.js')].filter(
    (p): p is string => !!p,
  );
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`ONNX worker script not found (looked for ${candidates.join(', ')}); run 'npm run build'`);
}

export interface HostOptions {
  workerPath?: string;
  /** Extra folders for the child's LD_LIBRARY_PATH (CUDA runtime libraries); glibc reads it only at process start. */
  libraryPath?: string[];
  cancellation?: Cancellation;
  /** Receives the child's native stderr (ONNX Runtime's own log), for the output channel. */
  onStderr?: (text: string) => void;
  /**
   * Runs onnxruntime in this process instead of a child (the CLI's eval and infer on the CPU provider): no second
   * Node process (about 100 MB), no copy of every batch through IPC. No crash isolation, no LD_LIBRARY_PATH of its
   * own, and a cancel cannot stop a model load or a run already in onnxruntime (onnxruntime-node does each as one
   * blocking call: the CLI exits once it returns, after one batch's run for the tabular models these commands feed);
   * so never in the editor, never for CUDA. A worker script named by workerPath or FLOWBENCH_ONNX_WORKER keeps the
   * child.
   */
  inProcess?: boolean;
}

export class WorkerCrashError extends UserError {}

/** One onnxruntime child process. Every request is answered or rejected; a crash rejects everything pending. */
export class OnnxHost {
  private readonly child: ChildProcess | undefined;
  /** In-process requests, handled one at a time as the child does; the sessions this host made, to release. */
  private local: { chain: Promise<void>; sessions: Set<number> } | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private stderrText = '';
  private exited: string | null = null;
  private cancelListener: { dispose(): void } | undefined;
  private facts: RuntimeFacts | undefined;

  constructor(private readonly opts: HostOptions = {}) {
    if (opts.inProcess && !opts.workerPath && !process.env.FLOWBENCH_ONNX_WORKER) {
      this.local = { chain: Promise.resolve(), sessions: new Set() };
      if (opts.cancellation) this.cancelListener = onCancelled(opts.cancellation, () => this.dispose());
      return;
    }
    const env = { ...process.env };
    if (opts.libraryPath?.length) {
      const key =
        process.platform === 'win32' ? 'PATH' : process.platform === 'darwin' ? 'DYLD_LIBRARY_PATH' : 'LD_LIBRARY_PATH';
      env[key] = [...opts.libraryPath, env[key]].filter(Boolean).join(path.delimiter);
    }
    // Inside VS Code, process.execPath is Electron; ELECTRON_RUN_AS_NODE makes it behave as plain Node for the child.
    env.ELECTRON_RUN_AS_NODE = '1';
    // glibc serves a freed multi-MB block's size from its heap from then on, and each batch the child receives is
    // one: its heap grew to 64 MB on an eval of 10M rows. A fixed threshold keeps batches in their own mappings,
    // returned when freed (unless the user set these). Other C libraries ignore the variables.
    env.MALLOC_MMAP_THRESHOLD_ ??= String(256 << 10);
    env.MALLOC_ARENA_MAX ??= '2';
    this.child = fork(opts.workerPath ?? resolveWorkerPath(), [], {
      env,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
      // Its own process group: the terminal's Ctrl-C reaches Flowbench alone, which stops the worker itself (the
      // worker dying first made the parent fail with EPIPE). It still dies with its parent: on IPC disconnect.
      detached: process.platform !== 'win32',
    });
    const untrack = trackChild(() => this.dispose(), {
      pid: this.child.pid,
      group: process.platform !== 'win32',
    });
    this.child.once('exit', untrack);
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (t: string) => {
      this.stderrText = (this.stderrText + t).slice(-20_000);
      opts.onStderr?.(t);
    });
    this.child.stdout?.on('data', () => {
      /* the worker prints nothing useful; drain so it never blocks */
    });
    this.child.on('message', (m: Reply) => this.settle(m));
    this.child.on('exit', (code, signal) => {
      this.exited = signal ? `signal ${signal}` : `exit code ${code}`;
      const err = opts.cancellation?.isCancellationRequested
        ? new CancelledError()
        : new WorkerCrashError(
            (
              `the ONNX Runtime process stopped (${this.exited}); a native crash in the model or runtime. ` +
              `The editor is unaffected. ${this.lastStderrLine()}`
            ).trim(),
          );

      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.cancelListener?.dispose();
    });
    this.child.on('error', () => {
      /* 'exit' follows and rejects pending requests */
    });
    if (opts.cancellation) {
      // Cancelling kills the child: a running session.run cannot be interrupted any other way.
      this.cancelListener = onCancelled(opts.cancellation, () => this.dispose());
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private lastStderrLine(): string {
    const lines = this.stderrText
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return lines.length ? `Last log line: ${lines[lines.length - 1].slice(0, 300)}` : '';
  }

  /** Stderr written since `mark` (a length of the log), with terminal colours removed. */
  stderrSince(mark: number): string {
    return this.stderrText.slice(Math.min(mark, this.stderrText.length)).replace(/\x1b\[[0-9;]*m/g, '');
  }

  get stderrMark(): number {
    return this.stderrText.length;
  }

  request<T>(req: Request): Promise<T> {
    if (this.opts.cancellation?.isCancellationRequested) return Promise.reject(new CancelledError());
    if (this.exited)
      return Promise.reject(new WorkerCrashError(`the ONNX Runtime process is not running (${this.exited})`));
    const id = this.nextId++;
    if (this.local) {
      // ONNX Runtime's log would go straight to the terminal here: quiet unless it is asked for (FLOWBENCH_DEBUG).
      const quiet = req.op === 'create' && !this.opts.onStderr ? { quiet: true } : {};
      return this.requestHere<T>({ id, ...req, ...quiet } as Envelope);
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child!.send({ id, ...req } as Envelope, (err) => {
        if (err && this.pending.has(id)) {
          this.pending.delete(id);
          reject(
            this.opts.cancellation?.isCancellationRequested
              ? new CancelledError()
              : new WorkerCrashError(`could not reach the ONNX Runtime process: ${err.message}`),
          );
        }
      });
    });
  }

  /** request() in this process: the same replies and errors as the child's, one request at a time. */
  private requestHere<T>(env: Envelope): Promise<T> {
    const local = this.local!;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(env.id, { resolve: resolve as (v: unknown) => void, reject });
      local.chain = local.chain.then(async () => {
        if (!this.pending.has(env.id)) return; // disposed meanwhile: already rejected
        const r = await serveHere(env);
        if (r.ok && env.op === 'create') {
          const sessionId = (r.result as CreateResult).sessionId;
          // Disposed while the model loaded: nobody will ask for this session, so it goes now.
          if (this.exited !== null) await serveHere({ id: 0, op: 'release', sessionId });
          else local.sessions.add(sessionId);
        }
        if (r.ok && env.op === 'release') local.sessions.delete(env.sessionId);
        this.settle(r);
      });
    });
  }

  /** A reply from the child or from this process settles its request, unless that was rejected already. */
  private settle(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(Object.assign(new Error(m.error.message), { worker: m.error }));
  }

  async init(): Promise<RuntimeFacts> {
    this.facts ??= await this.request<RuntimeFacts>({ op: 'init' });
    return this.facts;
  }

  /** Tries each provider in order; the first that creates a session wins. Failures are classified with a fix. */
  async createSession(
    model: string | Uint8Array,
    providers: string[],
    intraOpThreads?: number,
    extra: { profileDir?: string; graphOptimizationLevel?: GraphOptimizationLevel } = {},
  ): Promise<SessionHandle> {
    const facts = await this.init();
    const failures: ProviderFailure[] = [];
    for (const provider of providers) {
      const mark = this.stderrMark;
      try {
        const r = await this.request<CreateResult>({ op: 'create', model, provider, intraOpThreads, ...extra });
        return { ...r, failures, facts };
      } catch (err) {
        const w = (err as { worker?: WorkerError }).worker;
        if (!w) throw err;
        if (w.kind !== 'provider') throw new UserError(`could not load the model: ${w.message.split('\n')[0]}`);
        // ORT writes the library that failed to load on stderr, which may arrive just after the reply.
        await new Promise((r) => setTimeout(r, 30));
        const ctx = w.context ?? {
          platform: process.platform,
          runtimeDir: facts.runtimeDir,
          runtimeVersion: facts.runtimeVersion,
          cudaProviderLibsPresent: facts.cudaProviderLibsPresent,
          cudaMissingLibs: [],
        };
        failures.push(classifyProviderFailure(provider, w.message, { ...ctx, stderr: this.stderrSince(mark) }));
      }
    }
    throw new ProvidersFailedError(failures);
  }

  async run(sessionId: number, feeds: Feeds, fetches?: string[]): Promise<RunResult> {
    try {
      return await this.request<RunResult>({ op: 'run', sessionId, feeds, fetches });
    } catch (err) {
      throw runError(err);
    }
  }

  async bench(
    sessionId: number,
    feeds: Feeds,
    o: { warmup: number; runs: number; timeBudgetMs: number; fetches?: string[] },
  ): Promise<BenchResult> {
    try {
      return await this.request<BenchResult>({ op: 'bench', sessionId, feeds, ...o });
    } catch (err) {
      throw runError(err);
    }
  }

  /** Ends a profiling session's trace (written into its profileDir). */
  endProfiling(sessionId: number): Promise<void> {
    return this.request<void>({ op: 'endProfiling', sessionId });
  }

  memory(): Promise<MemoryResult> {
    return this.request<MemoryResult>({ op: 'memory' });
  }

  release(sessionId: number): Promise<void> {
    return this.request<void>({ op: 'release', sessionId });
  }

  get alive(): boolean {
    return this.exited === null;
  }

  dispose(): void {
    this.cancelListener?.dispose();
    const local = this.local;
    if (local) {
      if (this.exited !== null) return;
      this.exited = 'disposed';
      const err = this.opts.cancellation?.isCancellationRequested
        ? new CancelledError()
        : new WorkerCrashError('the ONNX Runtime host was disposed');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      // The sessions go once what runs has finished (a run cannot be stopped half-way in this process).
      const ids = [...local.sessions];
      local.sessions.clear();
      local.chain = local.chain.then(async () => {
        await Promise.all(ids.map((sessionId) => serveHere({ id: 0, op: 'release', sessionId })));
      });
      return;
    }
    if (this.exited === null) this.child!.kill('SIGKILL');
  }
}

function runError(err: unknown): unknown {
  const w = (err as { worker?: WorkerError }).worker;
  if (w?.kind === 'run')
    return new UserError(`the model failed at run time: ${w.message.replace(/\s+/g, ' ').slice(0, 600)}`);
  return err;
}

export interface SessionHandle extends CreateResult {
  /** Providers tried before the one that ran, with why they failed. */
  failures: ProviderFailure[];
  facts: RuntimeFacts;
}

export class ProvidersFailedError extends UserError {
  constructor(readonly failures: ProviderFailure[]) {
    super(
      failures.length === 0
        ? 'no execution provider to try (the provider list is empty)'
        : `no execution provider could run the model: ${failures.map(formatFailure).join('; ')}`,
    );
  }
}
