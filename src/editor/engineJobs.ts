import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import { CancelledError, UserError } from '../util/errors';
import {
  ENGINE_THREAD_LIMITS,
  type EngineJob,
  type EngineJobMessage,
  type EngineJobReply,
} from '../util/engineJobProtocol';

/** Jobs still running, so deactivation can stop them (and, with them, their scan workers and onnxruntime). */
const running = new Set<Worker>();

export interface EngineJobHooks {
  cancellation?: vscode.CancellationToken;
  onProgress?(...args: unknown[]): void;
  onStderr?(text: string): void;
}

/**
 * Runs a long engine job (split, eval, infer) on a worker thread and resolves with its result: the extension host's
 * own thread only relays progress, so the editor stays responsive. Cancelling stops the job (its temp files go, no
 * output is replaced) and rejects with CancelledError; a bad input rejects with a UserError in editor words.
 */
export function runEngineJob<T>(job: EngineJob, hooks: EngineJobHooks = {}): Promise<T> {
  // Beside the bundle (dist/engineWorker.js), or one folder up in tsc's output (out/src/engineWorker.js).
  const beside = path.join(__dirname, 'engineWorker.js');
  const worker = new Worker(fs.existsSync(beside) ? beside : path.join(__dirname, '..', 'engineWorker.js'), {
    resourceLimits: ENGINE_THREAD_LIMITS,
  });
  running.add(worker);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      cancelListener?.dispose();
      running.delete(worker);
      fn();
      // The job is over: nothing more will be posted; let the thread go.
      void worker.terminate();
    };
    const cancelListener = hooks.cancellation?.onCancellationRequested(() => {
      worker.postMessage({ type: 'cancel' } satisfies EngineJobMessage);
    });
    worker.on('message', (m: EngineJobReply) => {
      switch (m.type) {
        case 'progress':
          hooks.onProgress?.(...m.args);
          break;
        case 'stderr':
          hooks.onStderr?.(m.text);
          break;
        case 'done':
          finish(() => resolve(m.result as T));
          break;
        case 'cancelled':
          finish(() => reject(new CancelledError()));
          break;
        case 'user-error':
          finish(() => reject(UserError.fromTexts(m.cli, m.editor)));
          break;
        case 'error':
          finish(() => reject(Object.assign(new Error(m.message), { stack: m.stack })));
          break;
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the engine worker stopped (exit code ${code})`))));
    worker.postMessage({ type: 'run', job } satisfies EngineJobMessage);
  });
}

/** Stops every running job (on deactivate): their threads end, and with them their child processes. */
export async function stopEngineJobs(): Promise<void> {
  await Promise.all([...running].map((w) => w.terminate()));
  running.clear();
}
