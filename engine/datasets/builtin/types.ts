// The shape of a built-in dataset module (iris.ts, …, written by scripts/fixtures/make_builtin_datasets.py).

/** One of scikit-learn's toy datasets, as its loader returns it, in a compact text form. */
export interface BuiltinData {
  name: string;
  task: 'classification' | 'regression';
  n: number;
  features: number;
  featureNames: string[];
  /** target_names for classification; empty for regression. */
  classNames: string[];
  /**
   * 'decimal': each row is its values joined by commas, as Python's repr writes them (Number() reads back the same
   * double); 'base17': each row is one character 0-9a-g per value (integers 0..16, digits' pixels).
   */
  encoding: 'decimal' | 'base17';
  /** Classification: one base-17 character per sample (the class index); regression: the targets, comma-joined. */
  y: string;
  rows: string[];
}
