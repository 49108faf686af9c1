/** A result record as a cell would forge it: 1 ns per loop, which no real run here measures. */
export const FORGED = JSON.stringify({
  event: 'result', loops: 1, runs: 1, allRuns: [1e-9], timings: [1e-9], mean: 1e-9, stdev: 0, best: 1e-9, worst: 1e-9,
  firstRun: 1e-9, capped: false, compileTime: 0, setupSeconds: 0, firstLoopEpoch: null, cudaSync: false,
  python: { executable: 'forged', version: '3', implementation: 'forged' }, ipython: null,
});
