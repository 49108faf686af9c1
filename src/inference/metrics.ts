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

/** Binary ROC AUC by the rank-sum (Mann–Whitney) formula with average ranks for ties; null when one class is absent. */
export function binaryRocAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number | null {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (positive[order[k]]) {
        nPos++;
        rankSum += avgRank;
      }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Binary: AUC of the class-1 column; more classes: unweighted mean of one-vs-rest AUCs (null if a class is absent). */
export function rocAuc(yTrue: ArrayLike<number>, proba: ArrayLike<number>, nClasses: number): number | null {
  const n = yTrue.length;
  const column = (c: number): Float64Array => {
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = proba[i * nClasses + c];
    return s;
  };
  if (nClasses === 2)
    return binaryRocAuc(
      Array.from(yTrue, (y) => y === 1),
      column(1),
    );
  let sum = 0;
  for (let c = 0; c < nClasses; c++) {
    const auc = binaryRocAuc(
      Array.from(yTrue, (y) => y === c),
      column(c),
    );
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
