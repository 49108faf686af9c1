/**
 * numpy's float summation orders, reproduced because StratifiedGroupKFold breaks ties on 1-ulp differences:
 * contiguous 1-D reductions use pairwise summation (8 accumulators, blocks of 128), axis-0 reductions add row by row.
 */
export function pairwiseSum(a: ArrayLike<number>, off: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res += a[off + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[off], a[off + 1], a[off + 2], a[off + 3], a[off + 4], a[off + 5], a[off + 6], a[off + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[off + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[off + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
}

/** `np.sum` / `np.mean` of a contiguous 1-D float array: the reduction starts from 0 and adds the pairwise sum. */
export function npSum1d(a: ArrayLike<number>, off = 0, n = a.length - off): number {
  return 0 + pairwiseSum(a, off, n);
}

/** `np.std` (ddof 0) of a contiguous 1-D slice, in numpy's operation order. */
export function npStd1d(a: ArrayLike<number>, off: number, n: number): number {
  const mean = npSum1d(a, off, n) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = a[off + i] - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(npSum1d(sq, 0, n) / n);
}

/** `np.std(m, axis=0)` of a row-major rows×cols matrix: sums run sequentially down each column. */
export function npStdAxis0(m: Float64Array, rows: number, cols: number, out: Float64Array): void {
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += m[r * cols + c];
    const mean = s / rows;
    let q = 0;
    for (let r = 0; r < rows; r++) {
      const d = m[r * cols + c] - mean;
      q += d * d;
    }
    out[c] = Math.sqrt(q / rows);
  }
}

/** `np.isclose(a, b)` with the default tolerances. */
export function npIsClose(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}
