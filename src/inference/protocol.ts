/**
 * Messages between the extension/CLI and the onnxruntime child process (src/inference/worker.ts). The channel uses
 * Node's 'advanced' serialization, so typed arrays (Float32Array, BigInt64Array) cross without copying to JSON.
 */
import type { FailureContext } from './providers';

export type TensorType = 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool' | 'uint8' | 'int8' | 'float16';

export interface WireTensor {
  type: TensorType;
  dims: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | Uint16Array | string[];
}

export type Feeds = Record<string, WireTensor>;

/** ONNX Runtime's graph optimisation levels (SessionOptions.graphOptimizationLevel); 'all' is its default. */
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface RuntimeFacts {
  runtimeVersion: string;
  runtimeDir: string;
  backends: { name: string; bundled: boolean }[];
  cudaProviderLibsPresent: boolean;
  pid: number;
}

export type Request =
  | { op: 'init' }
  | {
      op: 'create';
      model: string | Uint8Array;
      provider: string;
      intraOpThreads?: number;
      /** Session profiling: the trace goes to `<profileDir>/<provider>_<date>.json` at endProfiling (profile.ts). */
      profileDir?: string;
      graphOptimizationLevel?: GraphOptimizationLevel;
      /** ONNX Runtime's own log at fatal only: in the caller's process, where its stderr is the user's terminal. */
      quiet?: boolean;
    }
  | { op: 'endProfiling'; sessionId: number }
  | { op: 'run'; sessionId: number; feeds: Feeds; fetches?: string[] }
  | {
      op: 'bench';
      sessionId: number;
      feeds: Feeds;
      warmup: number;
      runs: number;
      timeBudgetMs: number;
      fetches?: string[];
    }
  | { op: 'release'; sessionId: number }
  | { op: 'memory' };

export interface CreateResult {
  sessionId: number;
  provider: string;
  createMs: number;
  inputNames: string[];
  outputNames: string[];
}

export interface RunResult {
  outputs: Record<string, WireTensor>;
  ms: number;
}

export interface BenchResult {
  firstRunMs: number;
  warmupMs: number[];
  latenciesMs: number[];
  wallMs: number;
}

export interface MemoryResult {
  rssBytes: number;
  maxRssBytes: number;
}

export interface WorkerError {
  message: string;
  /**
   * 'provider' = the session could not be created on the requested provider; 'model' = load failed; 'run' = run failed.
   */
  kind: 'provider' | 'model' | 'run' | 'internal';
  context?: Omit<FailureContext, 'stderr'>;
}

export type Envelope = { id: number } & Request;
export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WorkerError };
