// The confusion matrix against scikit-learn's confusion_matrix (live where installed) and by hand.

import { describe, expect, it } from 'vitest';
import { confusionMatrix, predictedClasses } from '../../engine/confusion';
import { findNumpyPython, runPython } from '../helpers/numpy';

describe('confusion matrix', () => {
  it('counts (true, predicted), per-class accuracy and the wrong samples', () => {
    const c = confusionMatrix([0, 1, 2, 2, 1, 0], [0, 1, 2, 1, 1, 2], 4, 1);
    expect(c.matrix).toEqual([[1, 0, 0, 0], [0, 2, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]]);
    expect(c.perClass).toEqual([1, 2 / 3, 0.5, null]);
    expect(c.wrong).toBe(2);
    expect(c.misclassified).toEqual([{ index: 3, actual: 1, predicted: 2 }]);
  });

  it('predicts as accuracy does: Ŷ > 0.5 for one output, the first arg-max for several', () => {
    expect(Array.from(predictedClasses([0.2, 0.5, 0.51], 1, 3))).toEqual([0, 0, 1]);
    // (3 outputs × 2 samples), row-major: sample 0 ties 0.4/0.4 → class 0; sample 1 → class 2
    expect(Array.from(predictedClasses([0.4, 0.1, 0.4, 0.2, 0.2, 0.7], 3, 2))).toEqual([0, 2]);
  });

  it.runIf(findNumpyPython())('equals sklearn.metrics.confusion_matrix', () => {
    const actual = Array.from({ length: 200 }, (_, i) => (i * 7) % 10);
    const predicted = actual.map((t, i) => (i % 3 === 0 ? (t + i) % 10 : t));
    const sk = JSON.parse(runPython(`import json, sys\nfrom sklearn.metrics import confusion_matrix\nprint(json.dumps(confusion_matrix(${JSON.stringify(actual)}, ${JSON.stringify(predicted)}, labels=list(range(10))).tolist()))`));
    expect(confusionMatrix(predicted, actual, 10).matrix).toEqual(sk);
  });
});
