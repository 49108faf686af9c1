import { throwIfCancelled, type Cancellation } from '../util/errors';
import { loadModelFile } from './modelFile';
import type { ModelInfo } from './onnxModel';
import { OnnxHost, type SessionHandle } from './runtimeHost';
import { concatOutputs } from './predictions';
import type { ProviderFailure } from './providers';
import type { Feeds, WireTensor } from './protocol';

/** What every runtime operation shares: provider order, CUDA library folders, cancellation, the native log. */
export interface RuntimeOptions {
  providers: string[];
  libraryPath?: string[];
  cancellation?: Cancellation;
  onStderr?: (text: string) => void;
  /** Called with a short status line as work progresses (progress notifications). */
  onProgress?: (message: string) => void;
  /** Called with each child process so callers (the extension) can kill it on deactivate. */
  onHost?: (host: OnnxHost) => void;
  intraOpThreads?: number;
  /** onnxruntime in this process, not a child (see HostOptions.inProcess): the CLI's eval and infer on the CPU. */
  inProcess?: boolean;
}

export interface LoadedModel {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  info: ModelInfo;
}

export async function loadModel(file: string): Promise<LoadedModel> {
  return loadModelFile(file);
}

/** A fresh onnxruntime child process, handed to onHost so the extension can kill it on deactivate. */
export function newHost(o: RuntimeOptions): OnnxHost {
  const host = new OnnxHost({
    libraryPath: o.libraryPath,
    cancellation: o.cancellation,
    onStderr: o.onStderr,
    inProcess: o.inProcess,
  });
  o.onHost?.(host);
  return host;
}

/** Tensor outputs only: ORT for Node cannot return ZipMap's seq(map) outputs. */
export function tensorOutputs(info: ModelInfo): string[] {
  return info.outputs.filter((o) => o.kind === 'tensor').map((o) => o.name);
}

/** Fetch list for session.run: omitted when every output is a tensor, since naming fetches costs ~2 µs per run. */
export function fetchesFor(info: ModelInfo): string[] | undefined {
  const t = tensorOutputs(info);
  return t.length === info.outputs.length ? undefined : t;
}

const CHUNK_ROWS = 65_536;

/** Rows go in chunks: no request builds a huge tensor, and a long run reports progress and stops when cancelled. */
export async function runRows(
  host: OnnxHost,
  session: SessionHandle,
  build: (rows: number[]) => Feeds,
  rows: number[],
  fetches: string[] | undefined,
  o: RuntimeOptions,
): Promise<{ outputs: Record<string, WireTensor>; ms: number }> {
  const parts: Record<string, WireTensor>[] = [];
  let ms = 0;
  for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
    throwIfCancelled(o.cancellation);
    const chunk = rows.slice(at, at + CHUNK_ROWS);
    const r = await host.run(session.sessionId, build(chunk), fetches);
    parts.push(r.outputs);
    ms += r.ms;
    if (rows.length > CHUNK_ROWS) o.onProgress?.(`${Math.min(at + CHUNK_ROWS, rows.length)} of ${rows.length} rows`);
  }
  return { outputs: concatOutputs(parts), ms };
}

export interface SessionReport {
  provider: string;
  requested: string[];
  failures: ProviderFailure[];
  createMs: number;
  runtimeVersion: string;
}

export function sessionReport(s: SessionHandle, requested: string[]): SessionReport {
  return {
    provider: s.provider,
    requested,
    failures: s.failures,
    createMs: s.createMs,
    runtimeVersion: s.facts.runtimeVersion,
  };
}
