/**
 * Entry of the child process that hosts onnxruntime-node (bundled to dist/onnxWorker.js, compiled to
 * out/src/inference/worker.js for unit tests): serves ortRuntime.ts's requests over IPC. Keeping ONNX Runtime out of
 * the extension host means a native crash, a blocking run() or a clashing libonnxruntime in another extension cannot
 * take the editor down, and the child gets its own LD_LIBRARY_PATH for CUDA.
 */
import { serve } from './ortRuntime';
import type { Envelope, Reply } from './protocol';

function reply(r: Reply): void {
  process.send?.(r);
}

if (process.send) {
  // Requests are handled one at a time: ORT sessions are used sequentially, and order keeps timings clean.
  let chain: Promise<void> = Promise.resolve();
  process.on('message', (msg: Envelope) => {
    chain = chain.then(async () => reply(await serve(msg)));
  });
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C is the parent's to handle: it stops this process itself (on POSIX the worker has its own process group
  // and never sees the terminal's signal; on Windows the console sends it to every process, so it is ignored here).
  process.on('SIGINT', () => undefined);
}
