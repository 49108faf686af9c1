/**
 * Two-sample Kolmogorov–Smirnov statistic (max distance between the empirical CDFs), as deepchecks uses for numbers.
 */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = x[i] <= y[j] ? x[i] : y[j];
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    const diff = Math.abs(i / x.length - j / y.length);
    if (diff > d) d = diff;
  }
  return d;
}

/**
 * Bias-corrected Cramér's V (Bergsma) of a 2×k table of train and valid counts per category: deepchecks' measure of
 * categorical drift. With `poolRare`, categories under 1% of the pooled rows merge into one bucket first, as
 * deepchecks does.

 */
export function cramersVFromCounts(
  trainCounts: readonly number[],
  validCounts: readonly number[],
  poolRare = false,
): number {
  let a: number[] = [...trainCounts];
  let b: number[] = [...validCounts];
  const nTrain = a.reduce((s, x) => s + x, 0);
  const nValid = b.reduce((s, x) => s + x, 0);
  const n = nTrain + nValid;
  if (nTrain === 0 || nValid === 0 || n < 2) return 0;
  if (poolRare) {
    const keepA: number[] = [];
    const keepB: number[] = [];
    let restA = 0;
    let restB = 0;
    a.forEach((x, i) => {
      if ((x + b[i]) / n < 0.01) {
        restA += x;
        restB += b[i];
      } else {
        keepA.push(x);
        keepB.push(b[i]);
      }
    });
    if (restA + restB > 0) {
      keepA.push(restA);
      keepB.push(restB);
    }
    a = keepA;
    b = keepB;
  }
  const cats = a
    .map((x, i) => x + b[i])
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t > 0)
    .map(([, i]) => i);
  const k = cats.length;
  if (k < 2) return 0;
  let chi2 = 0;
  for (const i of cats) {
    const rowTotal = a[i] + b[i];
    const ea = (rowTotal * nTrain) / n;
    const eb = (rowTotal * nValid) / n;
    chi2 += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
  }
  const r = 2;
  const phi2 = chi2 / n;
  const phi2corr = Math.max(0, phi2 - ((k - 1) * (r - 1)) / (n - 1));
  const rcorr = r - (r - 1) ** 2 / (n - 1);
  const kcorr = k - (k - 1) ** 2 / (n - 1);
  const denom = Math.min(kcorr - 1, rcorr - 1);
  return denom <= 0 ? 0 : Math.sqrt(phi2corr / denom);
}
