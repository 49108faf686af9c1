/**
 * onnxruntime-node behind the request protocol (protocol.ts): sessions, runs, benchmarks, profiling and memory, one
 * request at a time. The child process entry (worker.ts) serves it over IPC, which keeps ONNX Runtime out of the
 * extension host: a native crash, a blocking run() or a clashing libonnxruntime in another extension cannot take the
 * editor down, and the child gets its own LD_LIBRARY_PATH for CUDA. The CLI's eval and infer on the CPU provider
 * call it in their own process instead (runtimeHost.ts): a second Node process is 100 MB of a 10M-row eval.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type * as Ort from 'onnxruntime-node';
import type {
  BenchResult,
  CreateResult,
  Envelope,
  Feeds,
  MemoryResult,
  Reply,
  RunResult,
  RuntimeFacts,
  WireTensor,
  WorkerError,
} from './protocol';

let ort: typeof Ort | undefined;
const sessions = new Map<number, Ort.InferenceSession>();
let nextSession = 1;

function runtime(): typeof Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ort ??= require('onnxruntime-node') as typeof Ort;
  return ort;
}

function runtimeDir(): string {
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

function runtimeVersion(): string {
  try {
    return (
      JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

function cudaLibsPresent(dir: string): boolean {
  return ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'].every((f) =>
    fs.existsSync(path.join(dir, f)),
  );
}

/** `ldd` on the CUDA provider library names the CUDA runtime libraries the loader cannot find. */
function cudaMissingLibs(dir: string): string[] {
  const lib = path.join(dir, 'libonnxruntime_providers_cuda.so');
  if (process.platform !== 'linux' || !fs.existsSync(lib)) return [];
  try {
    const out = execFileSync('ldd', [lib], { encoding: 'utf8', timeout: 10_000, env: process.env });
    return out
      .split('\n')
      .filter((l) => l.includes('not found'))
      .map((l) => l.trim().split(/\s+/)[0]);
  } catch {
    return [];
  }
}

function toOrt(t: WireTensor): Ort.Tensor {
  const o = runtime();
  return new o.Tensor(t.type as never, t.data as never, t.dims);
}

function fromOrt(t: Ort.Tensor): WireTensor {
  return { type: t.type as WireTensor['type'], dims: [...t.dims], data: t.data as WireTensor['data'] };
}

function toFeeds(feeds: Feeds): Record<string, Ort.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)]));
}

function session(id: number): Ort.InferenceSession {
  const s = sessions.get(id);
  if (!s) throw Object.assign(new Error(`no session ${id} (released?)`), { kind: 'internal' });
  return s;
}

/** One request's reply, never a rejection: what the child posts back, and what the in-process host reads. */
export async function serve(req: Envelope): Promise<Reply> {
  try {
    return { id: req.id, ok: true, result: await handle(req) };
  } catch (err) {
    const e = (err ?? {}) as Error & Partial<WorkerError>;
    return {
      id: req.id,
      ok: false,
      error: { message: e.message ?? String(err), kind: e.kind ?? 'internal', context: e.context },
    };
  }
}

async function handle(req: Envelope): Promise<unknown> {
  switch (req.op) {
    case 'init': {
      const o = runtime();
      const dir = runtimeDir();
      const facts: RuntimeFacts = {
        runtimeVersion: runtimeVersion(),
        runtimeDir: dir,
        backends: o.listSupportedBackends?.() ?? [],
        cudaProviderLibsPresent: cudaLibsPresent(dir),
        pid: process.pid,
      };
      return facts;
    }
    case 'create': {
      const o = runtime();
      const options: Ort.InferenceSession.SessionOptions = { executionProviders: [req.provider] };
      // Its errors come back as the rejected promise's message, which the caller words for the user. The runtime's
      // own logger (set when the first session is made) is quieted too: its warnings would reach the terminal.
      if (req.quiet) {
        options.logSeverityLevel = 4;
        o.env.logLevel = 'fatal';
      }
      if (req.intraOpThreads) options.intraOpNumThreads = req.intraOpThreads;
      if (req.graphOptimizationLevel) options.graphOptimizationLevel = req.graphOptimizationLevel;
      if (req.profileDir) {
        options.enableProfiling = true;
        options.profileFilePrefix = path.join(req.profileDir, req.provider);
      }
      const t0 = performance.now();
      let s: Ort.InferenceSession;
      try {
        s =
          typeof req.model === 'string'
            ? await o.InferenceSession.create(req.model, options)
            : await o.InferenceSession.create(req.model, options);
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        const providerProblem =
          /ExecutionProvider|backend not found|no available backend|Failed to load shared library|not available/i.test(
            message,
          );
        const dir = runtimeDir();
        throw Object.assign(new Error(message), {
          kind: providerProblem && req.provider !== 'cpu' ? 'provider' : 'model',
          context: {
            platform: process.platform,
            runtimeDir: dir,
            runtimeVersion: runtimeVersion(),
            cudaProviderLibsPresent: cudaLibsPresent(dir),
            cudaMissingLibs: req.provider === 'cuda' || req.provider === 'tensorrt' ? cudaMissingLibs(dir) : [],
          },
        });
      }
      const createMs = performance.now() - t0;
      const id = nextSession++;
      sessions.set(id, s);
      const result: CreateResult = {
        sessionId: id,
        provider: req.provider,
        createMs,
        inputNames: [...s.inputNames],
        outputNames: [...s.outputNames],
      };
      return result;
    }
    case 'run': {
      const s = session(req.sessionId);
      const t0 = performance.now();
      let out: Ort.InferenceSession.ReturnType;
      try {
        out = req.fetches ? await s.run(toFeeds(req.feeds), req.fetches) : await s.run(toFeeds(req.feeds));
      } catch (err) {
        throw Object.assign(new Error((err as Error).message), { kind: 'run' });
      }
      const ms = performance.now() - t0;
      const result: RunResult = {
        outputs: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v as Ort.Tensor)])),
        ms,
      };
      return result;
    }
    case 'bench': {
      const s = session(req.sessionId);
      // Tensors are built once, as onnxruntime_perf_test does, so only session.run is timed.
      const feeds = toFeeds(req.feeds);
      const fetches = req.fetches;
      const once = async (): Promise<number> => {
        const t0 = performance.now();
        if (fetches) await s.run(feeds, fetches);
        else await s.run(feeds);
        return performance.now() - t0;
      };
      try {
        const wall0 = performance.now();
        const firstRunMs = await once();
        const warmupMs: number[] = [];
        for (let i = 0; i < req.warmup; i++) warmupMs.push(await once());
        const latenciesMs: number[] = [];
        const t0 = performance.now();
        // A time budget runs until it is spent, with `runs` (at least 1) as the minimum; otherwise exactly `runs`.
        const minRuns = Math.max(1, req.runs);
        for (;;) {
          // Inlined rather than `await once()`: one promise less per run, measurable on microsecond models.
          const r0 = performance.now();
          if (fetches) await s.run(feeds, fetches);
          else await s.run(feeds);
          latenciesMs.push(performance.now() - r0);
          if (latenciesMs.length < minRuns) continue;
          if (req.timeBudgetMs <= 0 || performance.now() - t0 >= req.timeBudgetMs) break;
        }
        const result: BenchResult = { firstRunMs, warmupMs, latenciesMs, wallMs: performance.now() - wall0 };
        return result;
      } catch (err) {
        throw Object.assign(new Error((err as Error).message), { kind: 'run' });
      }
    }
    case 'endProfiling': {
      // Writes the Chrome trace named after profileFilePrefix; the caller finds it in its own folder.
      session(req.sessionId).endProfiling();
      return null;
    }
    case 'release': {
      const s = sessions.get(req.sessionId);
      sessions.delete(req.sessionId);
      await s?.release();
      return null;
    }
    case 'memory': {
      const result: MemoryResult = {
        rssBytes: process.memoryUsage().rss,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      };
      return result;
    }
    default:
      throw new Error(`unknown request ${(req as { op: string }).op}`);
  }
}
