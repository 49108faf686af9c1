// Worker-thread entry (dist/engineWorker.js) for the long engine jobs the editor starts (split, eval, infer), so
// their bookkeeping (merging chunks, computing folds and metrics, writing output) never runs on the extension
// host's thread: the editor stays responsive however big the file. The CSV engine's own scan workers and the
// onnxruntime child process start from here. src/editor/engineJobs.ts is the other end.
import { parentPort } from 'node:worker_threads';
import { CancelledError, CancellationSource, UserError, errorMessage } from './util/errors';
import type { EngineJob, EngineJobMessage, EngineJobReply } from './util/engineJobProtocol';
import type { SplitRequest } from './splits/engine';
import type { EvalOptions } from './inference/evaluate';
import type { InferOptions } from './inference/infer';

type Payload<K extends EngineJob['kind']> = K extends 'split'
  ? { request: SplitRequest; workers?: number; snippetRoot?: string }
  : K extends 'eval'
    ? EvalOptions
    : InferOptions;

const source = new CancellationSource();
const post = (m: EngineJobReply): void => parentPort!.postMessage(m);

async function run(job: EngineJob): Promise<unknown> {
  const cancellation = source.token;
  const onProgress = (...args: unknown[]) => post({ type: 'progress', args });
  const onStderr = (text: string) => post({ type: 'stderr', text });
  switch (job.kind) {
    case 'split': {
      const { createSplit } = await import('./splits/engine');
      const p = job.payload as Payload<'split'>;
      return createSplit(p.request, { cancellation, workers: p.workers, snippetRoot: p.snippetRoot, onProgress });
    }
    case 'eval': {
      const { runEval } = await import('./inference/evaluate');
      return runEval({ ...(job.payload as Payload<'eval'>), cancellation, onProgress, onStderr });
    }
    case 'infer': {
      const { runInference } = await import('./inference/infer');
      return runInference({ ...(job.payload as Payload<'infer'>), cancellation, onProgress, onStderr });
    }
  }
}

parentPort!.on('message', (m: EngineJobMessage) => {
  if (m.type === 'cancel') {
    source.cancel();
    return;
  }
  run(m.job).then(
    (result) => post({ type: 'done', result }),
    (err: unknown) => {
      if (err instanceof CancelledError || source.token.isCancellationRequested) post({ type: 'cancelled' });
      else if (err instanceof UserError)
        post({ type: 'user-error', cli: err.textFor('cli'), editor: err.textFor('editor') });
      else post({ type: 'error', message: errorMessage(err), stack: String((err as Error)?.stack ?? err) });
    },
  );
});
