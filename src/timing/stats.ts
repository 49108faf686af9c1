/**
 * One %timeit result in seconds per loop, as IPython's TimeitResult holds it: the shape every timing source shares
 * (the harness, %timeit in a notebook's kernel, VS Code's cell duration) and the history records.
 */
export interface TimeitStats {
  /** Loops per run (timeit's `number`). */
  loops: number;
  /** Runs (timeit's `repeat`). */
  runs: number;
  mean: number;
  /** Population standard deviation, as IPython's. */
  stdev: number;
  best: number;
  worst: number;
  /** Seconds of the first (cold) single-loop run. */
  firstRun: number;
  /** True when the time cap cut the protocol to the single cold run. */
  capped: boolean;
}

/** With each run's detail, as the harness and the kernel report it. */
export interface TimeitRuns extends TimeitStats {
  /** Seconds per loop of each run. */
  timings: number[];
  /** Seconds of each run (all its loops), as TimeitResult.all_runs. */
  allRuns: number[];
}

/** Just the figures of a TimeitRuns (results carry more: the file, the cell, the interpreter). */
export function timeitStats(s: TimeitStats): TimeitStats {
  return {
    loops: s.loops,
    runs: s.runs,
    mean: s.mean,
    stdev: s.stdev,
    best: s.best,
    worst: s.worst,
    firstRun: s.firstRun,
    capped: s.capped,
  };
}
