/**
 * Messages between the editor and the engine-job worker (src/engineWorker.ts). The payload is the engine's own
 * options object, less its callbacks (progress, cancellation and native logs travel as messages instead).
 */
export interface EngineJob {
  kind: 'split' | 'eval' | 'infer';
  payload: unknown;
}

export type EngineJobMessage = { type: 'run'; job: EngineJob } | { type: 'cancel' };

export type EngineJobReply =
  | { type: 'progress'; args: unknown[] }
  | { type: 'stderr'; text: string }
  | { type: 'done'; result: unknown }
  | { type: 'cancelled' }
  | { type: 'user-error'; cli: string; editor: string }
  | { type: 'error'; message: string; stack: string };
