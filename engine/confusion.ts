// The confusion matrix of a classifier's outputs: counts per (true class, predicted class), each class's accuracy
// (recall), and which samples it got wrong — what the dashboard shows for multi-class runs (digits' misclassified
// images come from the indices).

/** Predicted class of each column of Ŷ (outputs × m): Ŷ > 0.5 for one output, else the arg-max (first on a tie). */
export function predictedClasses(yhat: ArrayLike<number>, rows: number, m: number): Int32Array {
  const out = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    if (rows === 1) {
      out[j] = yhat[j]! > 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let r = 1; r < rows; r++) if (yhat[r * m + j]! > yhat[best * m + j]!) best = r;
    out[j] = best;
  }
  return out;
}

export interface Confusion {
  classes: number;
  /** matrix[t][p]: samples of true class t predicted as p. */
  matrix: number[][];
  /** Each class's accuracy (its diagonal over its row's total); null for a class with no samples. */
  perClass: Array<number | null>;
  /** The first `limit` wrongly classified samples, in sample order: their index in the set, true and predicted class. */
  misclassified: Array<{ index: number; actual: number; predicted: number }>;
  /** How many were wrong in all. */
  wrong: number;
}

/**
 * The confusion matrix of predictions against labels (class indices 0..classes−1). The same rule as accuracy
 * (losses.ts): its overall accuracy is the diagonal's sum over the samples.
 */
export function confusionMatrix(predicted: ArrayLike<number>, actual: ArrayLike<number>, classes: number, limit = 100): Confusion {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const misclassified: Confusion['misclassified'] = [];
  let wrong = 0;
  for (let i = 0; i < actual.length; i++) {
    const t = actual[i]!, p = predicted[i]!;
    matrix[t]![p]!++;
    if (t !== p) {
      wrong++;
      if (misclassified.length < limit) misclassified.push({ index: i, actual: t, predicted: p });
    }
  }
  const perClass = matrix.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[t]! / total;
  });
  return { classes, matrix, perClass, misclassified, wrong };
}
