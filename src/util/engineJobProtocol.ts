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

/**
 * V8 limits for a thread that runs an engine job (the CLI's command thread, the editor's engine worker). The young
 * generation V8 gives a thread by default (up to 16 MB a semi-space) fills with each chunk's short-lived objects
 * and stays resident: at 4 MB an eval of 10M rows peaks 55 MB lower, at the same speed.
 */
export const ENGINE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 4 } as const;
