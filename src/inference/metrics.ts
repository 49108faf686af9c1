/**
 * Evaluation metrics, written to match scikit-learn 1.9 (accuracy_score, balanced_accuracy_score, log_loss,
 * roc_auc_score binary and multi_class='ovr' macro, f1_score average='macro', root_mean_squared_error,
 * mean_absolute_error, r2_score). Classes are integer codes 0..C-1; probabilities are row-major [N, C].
 */

export interface ClassificationMetrics {
  accuracy: number;
  balancedAccuracy: number;
  /** null when no probabilities are available. */
  logLoss: number | null;
  /** Binary AUC, or one-vs-rest macro AUC for more classes; null when undefined (a class missing from y_true). */
  rocAuc: number | null;
  f1Macro: number;
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

function confusion(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[][] {
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Mean recall over classes present in y_true (sklearn ignores classes only predicted). */
export function balancedAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number {
  const m = confusion(yTrue, yPred, nClasses);
  let sum = 0;
  let n = 0;
  for (let c = 0; c < nClasses; c++) {
    const support = m[c].reduce((a, b) => a + b, 0);
    if (support === 0) continue;
    sum += m[c][c] / support;
    n++;
  }
  return sum / n;
}

/** Macro F1 over the labels present in y_true or y_pred; a class with no true or predicted positives scores 0. */
export function f1Macro(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number {
  const m = confusion(yTrue, yPred, nClasses);
  let sum = 0;
  let n = 0;
  for (let c = 0; c < nClasses; c++) {
    const support = m[c].reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < nClasses; r++) predicted += m[r][c];
    if (support === 0 && predicted === 0) continue;
    const denom = support + predicted;
    sum += (2 * m[c][c]) / denom; // denom > 0: the class has a true or a predicted positive
    n++;
  }
  return sum / n;
}

/** Mean negative log-likelihood, probabilities clipped to [eps, 1-eps] (no renormalisation, as scikit-learn 1.9). */
export function logLoss(
  yTrue: ArrayLike<number>,
  proba: ArrayLike<number>,
  nClasses: number,
  eps = 2.220446049250313e-16,
): number {
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = Math.min(Math.max(proba[i * nClasses + yTrue[i]], eps), 1 - eps);
    sum -= Math.log(p);
  }
  return sum / yTrue.length;
}

/**
 * Binary ROC AUC: the probability that a positive scores above a negative, ties counting half (Mann–Whitney U over
 * nPos·nNeg, which is what the trapezoids under scikit-learn's ROC curve add up to); null when one class is absent.
 * Both sides are sorted natively and merged, so millions of scores take a fraction of a second.
 */
export function binaryRocAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number | null {
  return rocAucWhere((i) => !!positive[i], score);
}

/** One-vs-rest ROC AUC of class `k` (labels `y`, class codes) from that class's score column. */
export function classRocAuc(y: ArrayLike<number>, k: number, score: ArrayLike<number>): number | null {
  return rocAucWhere((i) => y[i] === k, score);
}

function rocAucWhere(isPositive: (i: number) => boolean, score: ArrayLike<number>): number | null {
  const n = score.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (isPositive(i)) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  // float32 scores are sorted as float32: the same order and ties, half the memory and a faster sort.
  const Sorted = score instanceof Float32Array ? Float32Array : Float64Array;
  const pos = new Sorted(nPos);
  const neg = new Sorted(nNeg);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (isPositive(i)) pos[p++] = score[i];
    else neg[q++] = score[i];
  }
  sortScores(pos);
  sortScores(neg);
  // Twice U, so ties add whole numbers: exact up to 2^53.
  let u2 = 0;
  let below = 0;
  for (let i = 0; i < nPos;) {
    const s = pos[i];
    let j = i;
    while (j < nPos && pos[j] === s) j++;
    while (below < nNeg && neg[below] < s) below++;
    let equal = below;
    while (equal < nNeg && neg[equal] === s) equal++;
    u2 += (j - i) * (2 * below + (equal - below));
    i = j;
  }
  return u2 / 2 / (nPos * nNeg);
}

/**
 * Sorts scores ascending in place, as TypedArray#sort does. Float32 scores (what models give) are radix-sorted on
 * their bits, a few passes over the array instead of a comparison sort: 2M scores 300 ms -> 70 ms, and a 5-class
 * evaluation sorts ten such arrays. -0 comes back as 0 (equal to it, so ties and the AUC are the same); NaN, whose
 * bits would not sort last, takes the comparison sort.
 */
export function sortScores(a: Float32Array | Float64Array): void {
  const n = a.length;
  if (!(a instanceof Float32Array) || n < 1024) {
    a.sort();
    return;
  }
  for (let i = 0; i < n; i++) {
    if (a[i] !== a[i]) {
      a.sort();
      return;
    }
  }
  const bits = new Uint32Array(a.buffer, a.byteOffset, n);
  // Order-preserving keys: negatives flipped whole, positives get the sign bit; -0 becomes +0's key.
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    src[i] = b === 0x80000000 ? 0x80000000 : b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  let dst = new Uint32Array(n);
  // Three 11-bit digits, least significant first; each pass is stable, so the result is sorted.
  const counts = new Uint32Array(3 * 2048);
  for (let i = 0; i < n; i++) {
    const k = src[i];
    counts[k & 2047]++;
    counts[2048 + ((k >>> 11) & 2047)]++;
    counts[4096 + (k >>> 22)]++;
  }
  for (let d = 0; d < 3; d++) {
    let sum = 0;
    for (let b = d * 2048; b < (d + 1) * 2048; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
  }
  for (let d = 0; d < 3; d++) {
    const shift = 11 * d;
    const base = d * 2048;
    for (let i = 0; i < n; i++) {
      const k = src[i];
      dst[counts[base + ((k >>> shift) & 2047)]++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < n; i++) {
    const k = src[i];
    bits[i] = k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0;
  }
}

/** Binary: AUC of the class-1 column; more classes: unweighted mean of one-vs-rest AUCs (null if a class is absent). */
export function rocAuc(yTrue: ArrayLike<number>, proba: ArrayLike<number>, nClasses: number): number | null {
  const n = yTrue.length;
  const column = (c: number): Float64Array => {
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = proba[i * nClasses + c];
    return s;
  };
  if (nClasses === 2) return classRocAuc(yTrue, 1, column(1));
  let sum = 0;
  for (let c = 0; c < nClasses; c++) {
    const auc = classRocAuc(yTrue, c, column(c));
    if (auc === null) return null;
    sum += auc;
  }
  return sum / nClasses;
}

export function classificationMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  proba: ArrayLike<number> | null,
  nClasses: number,
): ClassificationMetrics {
  return {
    accuracy: accuracy(yTrue, yPred),
    balancedAccuracy: balancedAccuracy(yTrue, yPred, nClasses),
    logLoss: proba ? logLoss(yTrue, proba, nClasses) : null,
    rocAuc: proba ? rocAuc(yTrue, proba, nClasses) : null,
    f1Macro: f1Macro(yTrue, yPred, nClasses),
  };
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  const n = yTrue.length;
  let se = 0;
  let ae = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = yTrue[i] - yPred[i];
    se += d * d;
    ae += Math.abs(d);
    ss += (yTrue[i] - mean) ** 2;
  }
  // r2_score's force_finite: a constant target scores 1 when predicted exactly, else 0.
  const r2 = ss === 0 ? (se === 0 ? 1 : 0) : 1 - se / ss;
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2 };
}

/** Trivial baselines learned on train rows: the majority class with train class frequencies as probabilities. */
export function majorityBaseline(trainCodes: ArrayLike<number>, nClasses: number): { label: number; proba: number[] } {
  const counts = new Array<number>(nClasses).fill(0);
  for (let i = 0; i < trainCodes.length; i++) counts[trainCodes[i]]++;
  let label = 0;
  for (let c = 1; c < nClasses; c++) if (counts[c] > counts[label]) label = c;
  const total = trainCodes.length || 1;
  return { label, proba: counts.map((c) => c / total) };
}

/**
 * The metrics of one constant prediction (class `label`, probabilities `proba` on every row), from the class counts
 * of the rows alone: what ClassificationAccumulator gives for it (log loss summed per class rather than per row),
 * without a row's worth of memory. `counts[c]` is the number of rows of class c.
 */
export function constantPredictionMetrics(
  counts: ArrayLike<number>,
  label: number,
  proba: ArrayLike<number>,
  eps = 2.220446049250313e-16,
): ClassificationMetrics {
  const c = counts.length;
  let n = 0;
  for (let k = 0; k < c; k++) n += counts[k];
  let present = 0;
  let f1 = 0;
  let labels = 0;
  let loss = 0;
  let aucDefined = true;
  for (let k = 0; k < c; k++) {
    const support = counts[k];
    const predicted = k === label ? n : 0;
    if (support > 0) present++;
    if (support > 0 || predicted > 0) {
      f1 += (2 * (k === label ? support : 0)) / (support + predicted);
      labels++;
    }
    if (support > 0) loss += support * -Math.log(Math.min(Math.max(proba[k], eps), 1 - eps));
    // Every score ties: each class's one-vs-rest AUC is one half, defined when the class is neither absent nor all.
    if ((c !== 2 || k === 1) && (support === 0 || support === n)) aucDefined = false;
  }
  return {
    accuracy: counts[label] / n,
    balancedAccuracy: (counts[label] > 0 ? 1 : 0) / present,
    logLoss: loss / n,
    rocAuc: aucDefined ? 0.5 : null,
    f1Macro: f1 / labels,
  };
}

type ColumnArray = Float32Array | Float64Array | Uint8Array | Int32Array;

/** A growable column of numbers in the array kind it is made with. */
class GrowingColumn<A extends ColumnArray> {
  data: A;
  n = 0;
  constructor(
    private readonly make: (length: number) => A,
    capacity = 1024,
  ) {
    this.data = make(capacity);
  }
  push(v: number): void {
    if (this.n === this.data.length) {
      const g = this.make(this.n * 2);
      g.set(this.data);
      this.data = g;
    }
    this.data[this.n++] = v;
  }
  values(): A {
    return this.data.subarray(0, this.n) as A;
  }
}

/** Scores at the model's own precision: float32 when the model's are (storing them wider would not add digits). */
const scoreColumn = (wide: boolean, capacity: number): GrowingColumn<Float32Array | Float64Array> =>
  new GrowingColumn<Float32Array | Float64Array>((n) => (wide ? new Float64Array(n) : new Float32Array(n)), capacity);

/**
 * Classification metrics accumulated batch by batch, equal to classificationMetrics over all rows at once: counts
 * for accuracy, balanced accuracy and macro F1, a running sum for log loss (in row order), and only the scores ROC
 * AUC needs (one column for two classes, every column for more), kept at the model's own precision.
 */
export class ClassificationAccumulator {
  private readonly confusion: Float64Array;
  private logLossSum = 0;
  private rows = 0;
  private hasProba: boolean | undefined;
  /** Each row's class, a byte a row up to 256 classes (what the AUC sorts against the scores). */
  private readonly y: GrowingColumn<Uint8Array | Int32Array>;
  private scores: GrowingColumn<Float32Array | Float64Array>[] | undefined;

  /** `expectedRows`, when known, sizes the kept scores once (no doubling, no slack). */
  constructor(
    private readonly nClasses: number,
    private readonly expectedRows = 1024,
    private readonly eps = 2.220446049250313e-16,
  ) {
    this.confusion = new Float64Array(nClasses * nClasses);
    this.y = new GrowingColumn<Uint8Array | Int32Array>(
      (n) => (nClasses <= 256 ? new Uint8Array(n) : new Int32Array(n)),
      Math.max(1, expectedRows),
    );
  }

  /** `proba` row-major [n, C] or null; `raw` the model's own scores, whose precision the AUC scores keep. */
  add(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, proba: ArrayLike<number> | null, wide = true): void {
    const c = this.nClasses;
    const n = yTrue.length;
    this.hasProba ??= proba !== null;
    if (this.hasProba !== (proba !== null)) throw new Error('internal: batches with and without probabilities');
    for (let i = 0; i < n; i++) this.confusion[yTrue[i] * c + yPred[i]]++;
    if (proba) {
      this.scores ??= Array.from({ length: c === 2 ? 1 : c }, () => scoreColumn(wide, Math.max(1, this.expectedRows)));
      for (let i = 0; i < n; i++) {
        const p = Math.min(Math.max(proba[i * c + yTrue[i]], this.eps), 1 - this.eps);
        this.logLossSum -= Math.log(p);
        this.y.push(yTrue[i]);
        if (c === 2) this.scores[0].push(proba[i * 2 + 1]);
        else for (let k = 0; k < c; k++) this.scores[k].push(proba[i * c + k]);
      }
    }
    this.rows += n;
  }

  result(): ClassificationMetrics {
    const c = this.nClasses;
    const m = this.confusion;
    let correct = 0;
    for (let k = 0; k < c; k++) correct += m[k * c + k];
    let recall = 0;
    let present = 0;
    let f1 = 0;
    let labels = 0;
    for (let k = 0; k < c; k++) {
      let support = 0;
      let predicted = 0;
      for (let r = 0; r < c; r++) {
        support += m[k * c + r];
        predicted += m[r * c + k];
      }
      if (support > 0) {
        recall += m[k * c + k] / support;
        present++;
      }
      if (support === 0 && predicted === 0) continue;
      f1 += (2 * m[k * c + k]) / (support + predicted);
      labels++;
    }
    let auc: number | null = null;
    if (this.scores) {
      const y = this.y.values();
      if (c === 2) auc = classRocAuc(y, 1, this.scores[0].values());
      else {
        let sum = 0;
        for (let k = 0; k < c; k++) {
          const a = classRocAuc(y, k, this.scores[k].values());
          if (a === null) {
            sum = NaN;
            break;
          }
          sum += a;
        }
        auc = Number.isNaN(sum) ? null : sum / c;
      }
    }
    return {
      accuracy: correct / this.rows,
      balancedAccuracy: recall / present,
      logLoss: this.scores ? this.logLossSum / this.rows : null,
      rocAuc: auc,
      f1Macro: f1 / labels,
    };
  }
}
