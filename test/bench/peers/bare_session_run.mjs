// Peer of `flowbench bench` in inference.bench.mjs: a bare onnxruntime-node session.run loop in a fresh Node process,
// as `flowbench bench` runs in one, on the same model with the same kind of inputs; prints the p50 latency in ms.
// Usage: node bare_session_run.mjs ONNXRUNTIME_NODE_PATH MODEL.onnx BATCH FEATURES RUNS
import { createRequire } from 'node:module';

const [ortPath, model, n, f, runs] = [
  process.argv[2],
  process.argv[3],
  Number(process.argv[4]),
  Number(process.argv[5]),
  Number(process.argv[6]),
];
const ort = createRequire(import.meta.url)(ortPath);
const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
let a = 1;
const data = new Float32Array(n * f).map(() => {
  a = (a * 1103515245 + 12345) % 2147483648;
  return a / 2147483648 - 0.5;
});
const feeds = { X: new ort.Tensor('float32', data, [n, f]) };
for (let i = 0; i < 5; i++) await session.run(feeds);
const lat = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await session.run(feeds);
  lat.push(performance.now() - t0);
}
lat.sort((x, y) => x - y);
console.log(lat[Math.ceil(0.5 * lat.length) - 1]);
