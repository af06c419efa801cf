// sklearn.model_selection.train_test_split(X, y, test_size, random_state), bit for bit.

import { NumpyRandom } from '../random';
import { DatasetError, takeRows, type Samples } from './types';

/**
 * train_test_split with a float test_size, as scikit-learn 1.2's ShuffleSplit does it:
 * n_test = ceil(test_size·n), n_train = n − n_test, perm = RandomState(random_state).permutation(n),
 * test = perm[:n_test], train = perm[n_test:]. testSize 0 (which sklearn refuses) keeps every
 * sample for training, in its original order, with no test set.
 */
export function trainTestSplit(s: Samples, testSize: number, randomState: number): { train: Samples; test: Samples } {
  if (!(testSize >= 0 && testSize < 1)) {
    throw new DatasetError(`testSize must be a fraction from 0 up to (not including) 1, got ${testSize}`);
  }
  if (!Number.isInteger(randomState) || randomState < 0 || randomState > 0xffffffff) {
    throw new DatasetError(`splitSeed must be an integer from 0 to 4294967295, got ${randomState}`);
  }
  const n = s.n;
  if (testSize === 0) {
    return { train: takeRows(s, Array.from({ length: n }, (_, i) => i)), test: takeRows(s, []) };
  }
  const nTest = Math.ceil(testSize * n);
  const nTrain = n - nTest;
  if (nTrain <= 0) {
    throw new DatasetError(
      `testSize ${testSize} of ${n} samples leaves no training samples (${nTest} go to the test set); lower testSize or use more samples`,
    );
  }
  const perm = new NumpyRandom(randomState).permutation(n);
  return { train: takeRows(s, perm.slice(nTest)), test: takeRows(s, perm.slice(0, nTest)) };
}
