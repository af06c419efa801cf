// "Export as notebook": a standalone numpy script that repeats a run — the seed notebook's functions with
// their bugs fixed, extended with what the app adds (activations, losses, momentum/Adam, L2, mini-batches),
// in float64 with the engine's exact formulas, so it prints the run's final train cost. A learner reads it,
// so it carries only the data generator the run used and names every setting once at the top.

import { layerWidths, type LayerSpec } from '../architecture';
import { taskOf, type RunConfig } from '../config';
import type { Params } from '../init';
import { earlyStopMetric } from '../early-stop';
import { defaultLoss } from '../losses';
import { paramOf } from './validate';

export interface NotebookOptions {
  /** The run's name, for the docstring. */
  title?: string;
  /** For csv data: the path the script reads (default: config.data.csv.path). */
  csvPath?: string;
  /**
   * The parameters the run started from when they were not init_layers(seed) (imported weights): the script
   * embeds them bit for bit and trains from them. W<k> (out, in), b<k> (out, 1), as the engine's Params.
   */
  initialParams?: Params;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (Python's base64.b64encode), without Buffer or btoa so it runs anywhere. */
export function base64Of(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '=';
  }
  return out;
}

/** The values as little-endian float64 bytes (numpy's '<f8'), whatever the host's byte order. */
function float64Bytes(data: Float64Array): Uint8Array {
  const out = new Uint8Array(8 * data.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true);
  return out;
}

/** Characters of base64 per script line (a multiple of 4, so each line is whole base64 groups). */
const B64_LINE = 96;

/**
 * The block for imported starting weights: each W/b as its shape and its float64 bytes in base64, so
 * np.frombuffer gives back exactly the doubles the run started from (decimal literals would too, at about
 * three times the size). Throws Error when the parameters do not fit the architecture, RangeError for a
 * non-finite value.
 */
function initialParamsSection(arch: readonly LayerSpec[], params: Params): string {
  const entries: string[] = [];
  arch.forEach((layer, idx) => {
    const k = idx + 1;
    for (const [name, rows, cols] of [[`W${k}`, layer.output_dim, layer.input_dim], [`b${k}`, layer.output_dim, 1]] as const) {
      let data: Float64Array;
      try {
        data = paramOf(params, name, rows, cols);
      } catch (e) {
        throw new Error((e as Error).message.replace(/^cannot export: /, 'cannot export the starting weights: '), { cause: e });
      }
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`cannot write the starting weight ${name}[${bad}] = ${data[bad]}: starting weights must be finite`);
      const text = base64Of(float64Bytes(data));
      const pieces: string[] = [];
      for (let i = 0; i < text.length; i += B64_LINE) pieces.push(`        "${text.slice(i, i + B64_LINE)}"`);
      entries.push(`    "${name}": ((${rows}, ${cols}), (\n${pieces.join('\n')}\n    )),`);
    }
  });
  return `# The run started from imported weights, not from init_layers(INIT_SEED): each W and b as its shape and its
# float64 values (little-endian, numpy's "<f8") in base64, exactly as the run began.
INITIAL_PARAMS = {
${entries.join('\n')}
}


def initial_params():
    """The imported starting weights as the notebook's params_values: W_k (out, in), b_k (out, 1), float64."""
    return {
        name: np.frombuffer(base64.b64decode(text), dtype="<f8").reshape(shape).copy()
        for name, (shape, text) in INITIAL_PARAMS.items()
    }`;
}

/** A Python float literal that parses to the same double (JS and Python both print shortest round-trips). */
function pyFloat(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} as a Python number`);
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A Python str literal (JSON's escapes are all valid in Python). */
const pyStr = (s: string) => JSON.stringify(s);

/** `NAME = value` with its comment aligned, one setting per line. */
function setting(name: string, value: string, comment?: string): string {
  const line = `${name} = ${value}`;
  return comment ? `${line.length < 28 ? line.padEnd(30) : `${line}  `}# ${comment}` : line;
}

function pyArchitecture(arch: readonly LayerSpec[]): string {
  const rows = arch.map((l) => `    {"input_dim": ${l.input_dim}, "output_dim": ${l.output_dim}, "activation": ${pyStr(l.activation)}},`);
  return `NN_ARCHITECTURE = [\n${rows.join('\n')}\n]`;
}

/** The data section: settings and the load_data() of the run's dataset kind. */
function dataSection(config: RunConfig, opts: NotebookOptions): { imports: string[]; code: string; summary: string } {
  const d = config.data;
  const split = [
    setting('TEST_SIZE', pyFloat(d.testSize), 'the fraction held out for testing (0: no test set)'),
    setting('SPLIT_SEED', String(d.splitSeed), "train_test_split's random_state"),
  ].join('\n');
  const splitFn = `


def split(X, y):
    """The train/test split the app makes: scikit-learn's train_test_split."""
    if TEST_SIZE == 0:
        # no test set: every sample trains, in its original order
        return X, X[:0], y, y[:0]
    return train_test_split(X, y, test_size=TEST_SIZE, random_state=SPLIT_SEED)`;
  const splitSummary = d.testSize > 0 ? `, split with train_test_split(test_size=${pyFloat(d.testSize)}, random_state=${d.splitSeed})` : ', all used for training';
  const sk = ['from sklearn.model_selection import train_test_split'];
  switch (d.kind) {
    case 'moons':
    case 'circles': {
      const fn = d.kind === 'moons' ? 'make_moons' : 'make_circles';
      const factorArg = d.kind === 'circles' ? ', factor=FACTOR' : '';
      return {
        imports: [`from sklearn.datasets import ${fn}`, ...sk],
        summary: `${fn}(n_samples=${d.samples}, noise=${pyFloat(d.noise)}${d.kind === 'circles' ? `, factor=${pyFloat(d.factor)}` : ''}, random_state=${d.seed})${splitSummary}`,
        code: `${setting('N_SAMPLES', String(d.samples))}
${setting('NOISE', pyFloat(d.noise), 'standard deviation of the Gaussian noise on the points')}
${d.kind === 'circles' ? `${setting('FACTOR', pyFloat(d.factor), "the inner circle's radius relative to the outer one")}\n` : ''}${setting('DATA_SEED', String(d.seed), 'random_state of the generator')}
${split}${splitFn}


def load_data():
    """The samples, split into train and test sets: X is (n, features), y holds class indices."""
    X, y = ${fn}(n_samples=N_SAMPLES, noise=NOISE${factorArg}, random_state=DATA_SEED)
    return split(X, y)`,
      };
    }
    case 'xor':
    case 'spiral':
    case 'gaussian': {
      const generators: Record<'xor' | 'spiral' | 'gaussian', string> = {
        gaussian: `def make_gaussian(n, noise, rng):
    """Two Gaussian clusters: n - n//2 points around (2, 2) (class 1), then n//2 around (-2, -2) (class 0)."""
    sd = np.sqrt(0.5 + 7 * (noise / 2))   # the playground's variance 0.5 … 4
    n_pos = n - n // 2
    centre = np.where(np.arange(n) < n_pos, 2.0, -2.0)
    X = rng.normal(centre[:, None], sd, size=(n, 2))   # x then y, point by point
    y = (np.arange(n) < n_pos).astype(int)
    return X, y`,
        spiral: `def make_spiral(n, noise, rng):
    """Two interleaved spirals: n - n//2 points of class 1, then n//2 of class 0 turned by pi."""
    level = noise / 2

    def spiral(m, delta_t):
        i = np.arange(m)
        r = i / m * 5
        t = 1.75 * i / m * 2 * np.pi + delta_t
        u = rng.uniform(-1, 1, size=(m, 2))   # noise offsets, x then y, point by point
        return np.column_stack([r * np.sin(t) + u[:, 0] * level, r * np.cos(t) + u[:, 1] * level])

    n_pos = n - n // 2
    X = np.vstack([spiral(n_pos, 0), spiral(n - n_pos, np.pi)])
    y = np.concatenate([np.ones(n_pos, dtype=int), np.zeros(n - n_pos, dtype=int)])
    return X, y`,
        xor: `def make_xor(n, noise, rng):
    """XOR: class 1 where x·y >= 0 (after noise), points kept 0.3 away from the axes."""
    level = noise / 2
    draws = rng.uniform(-5, 5, size=(n, 4))   # per point: x, y, then the noise offsets nx, ny
    x = draws[:, 0] + np.where(draws[:, 0] > 0, 0.3, -0.3)
    y = draws[:, 1] + np.where(draws[:, 1] > 0, 0.3, -0.3)
    nx, ny = draws[:, 2] * level, draws[:, 3] * level
    return np.column_stack([x, y]), ((x + nx) * (y + ny) >= 0).astype(int)`,
      };
      const kind = d.kind;
      return {
        imports: sk,
        summary: `the TensorFlow Playground's ${kind} (${d.samples} samples, noise ${pyFloat(d.noise)}, seed ${d.seed})${splitSummary}`,
        code: `${setting('N_SAMPLES', String(d.samples))}
${setting('NOISE', pyFloat(d.noise), "0 … 1 (the playground's 0 … 50%)")}
${setting('DATA_SEED', String(d.seed), 'seeds np.random.RandomState for the points and their shuffle')}
${split}${splitFn}


${generators[kind]}


def load_data():
    """The samples (drawn with np.random.RandomState(DATA_SEED), then shuffled with it), split."""
    rng = np.random.RandomState(DATA_SEED)
    X, y = make_${kind}(N_SAMPLES, NOISE, rng)
    order = rng.permutation(N_SAMPLES)   # mix the two classes, as sklearn.utils.shuffle
    return split(X[order], y[order])`,
      };
    }
    case 'plane':
    case 'multi-gaussian': {
      const gen =
        d.kind === 'plane'
          ? `def make_plane(n, noise, rng):
    """The playground's regressPlane: target (x + y) / 10, taken at the point plus its noise offsets."""
    level = noise / 2
    draws = rng.uniform(-6, 6, size=(n, 4))   # per point: x, y, then the noise offsets nx, ny
    x, y = draws[:, 0], draws[:, 1]
    return np.column_stack([x, y]), ((x + draws[:, 2] * level) + (y + draws[:, 3] * level)) / 10`
          : `BUMPS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def make_multi_gaussian(n, noise, rng):
    """The playground's regressGaussian: six signed bumps sign·max(0, 1 − d/2); the largest in magnitude wins."""
    level = noise / 2
    draws = rng.uniform(-6, 6, size=(n, 4))   # per point: x, y, then the noise offsets nx, ny
    x, y = draws[:, 0], draws[:, 1]
    px, py = x + draws[:, 2] * level, y + draws[:, 3] * level
    label = np.zeros(n)
    for cx, cy, sign in BUMPS:
        dx, dy = px - cx, py - cy
        v = sign * np.clip(1 - np.sqrt(dx * dx + dy * dy) / 2, 0, 1)
        label = np.where(np.abs(v) > np.abs(label), v, label)
    return np.column_stack([x, y]), label`;
      const fn = d.kind === 'plane' ? 'make_plane' : 'make_multi_gaussian';
      return {
        imports: sk,
        summary: `the TensorFlow Playground's ${d.kind} regression (${d.samples} samples, noise ${pyFloat(d.noise)}, seed ${d.seed})${splitSummary}`,
        code: `${setting('N_SAMPLES', String(d.samples))}
${setting('NOISE', pyFloat(d.noise), "0 … 1 (the playground's 0 … 50%)")}
${setting('DATA_SEED', String(d.seed), 'seeds np.random.RandomState for the points and their shuffle')}
${split}${splitFn}


${gen}


def load_data():
    """The samples (drawn with np.random.RandomState(DATA_SEED), then shuffled with it), split; y is real."""
    rng = np.random.RandomState(DATA_SEED)
    X, y = ${fn}(N_SAMPLES, NOISE, rng)
    order = rng.permutation(N_SAMPLES)   # as sklearn.utils.shuffle
    return split(X[order], y[order])`,
      };
    }
    case 'iris':
    case 'wine':
    case 'breast_cancer':
    case 'digits':
    case 'diabetes': {
      const fn = `load_${d.kind}`;
      return {
        imports: [`from sklearn.datasets import ${fn}`, ...sk],
        summary: `scikit-learn's ${fn}()${splitSummary}`,
        code: `${split}${splitFn}


def load_data():
    """scikit-learn's ${d.kind} (${d.kind === 'diabetes' ? 'y is the real-valued target' : 'y holds class indices'}), split."""
    X, y = ${fn}(return_X_y=True)
    return split(X, y)`,
      };
    }
    case 'csv': {
      const path = opts.csvPath ?? d.csv?.path ?? 'data.csv';
      const label = d.csv?.labelColumn;
      return {
        imports: ['import csv', ...sk],
        summary: `the CSV file ${path}${splitSummary}`,
        code: `${setting('CSV_PATH', pyStr(path))}
${setting('LABEL_COLUMN', label === undefined ? 'None' : pyStr(label), "the label column's header (None: the last column)")}
${split}${splitFn}


def load_data():
    """The CSV file's rows: numeric feature columns and one label column, split."""
    with open(CSV_PATH, newline="", encoding="utf-8-sig") as f:
        rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    header = [h.strip() for h in rows[0]]
    label = header.index(LABEL_COLUMN) if LABEL_COLUMN is not None else len(header) - 1
    X = np.array([[float(v) for j, v in enumerate(row) if j != label] for row in rows[1:]])
    labels = [row[label].strip() for row in rows[1:]]

    def class_index(text):
        try:
            v = float(text)
        except ValueError:
            return None
        return int(v) if v.is_integer() and v >= 0 else None

    if all(class_index(l) is not None for l in labels):
        y = np.array([class_index(l) for l in labels])   # integer labels are the class indices
    else:
        names = sorted(set(labels))                       # other labels: sorted, numbered 0, 1, …
        y = np.array([names.index(l) for l in labels])
    return split(X, y)`,
      };
    }
  }
}

/** StandardScaler (data.standardize) and the playground's input features (data.features), after the split. */
function prepareSection(config: RunConfig): { imports: string[]; code: string } {
  const d = config.data;
  const features = d.features ? `[${d.features.map(pyStr).join(', ')}]` : 'None';
  return {
    imports: d.standardize ? ['from sklearn.preprocessing import StandardScaler'] : [],
    code: `${setting('STANDARDIZE', d.standardize ? 'True' : 'False', 'StandardScaler fitted on the train split, applied to both')}
${setting('FEATURES', features, 'inputs computed from the two columns x1, x2 (None: the columns)')}

# the TensorFlow Playground's input features
FEATURE_FUNCTIONS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def input_features(X):
    return np.column_stack([FEATURE_FUNCTIONS[f](X[:, 0], X[:, 1]) for f in FEATURES]).reshape(len(X), len(FEATURES))


def prepare(X_train, X_test):
    """What the app does after the split: standardize (if STANDARDIZE), then the input features (if FEATURES)."""${d.standardize ? `
    if STANDARDIZE:
        scaler = StandardScaler().fit(X_train)
        X_train = scaler.transform(X_train)
        X_test = scaler.transform(X_test) if len(X_test) else X_test` : ''}
    if FEATURES is not None:
        X_train, X_test = input_features(X_train), input_features(X_test)
    return X_train, X_test`,
  };
}

const NETWORK = `# ---------------------------------------------------------------- the network

def init_layers(nn_architecture, seed, scale):
    """W_k = randn(out, in)·scale and b_k = randn(out)·scale, drawn layer by layer after np.random.seed."""
    np.random.seed(seed)
    params_values = {}
    for idx, layer in enumerate(nn_architecture):
        layer_idx = idx + 1
        layer_input_size = layer["input_dim"]
        layer_output_size = layer["output_dim"]
        params_values["W" + str(layer_idx)] = np.random.randn(layer_output_size, layer_input_size) * scale
        # the notebook's b was 1-d; the same draws kept as a column (out, 1) so it broadcasts over a batch
        params_values["b" + str(layer_idx)] = (np.random.randn(layer_output_size) * scale).reshape(-1, 1)
    return params_values


LEAKY_SLOPE = 0.01


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def relu(Z):
    return np.maximum(0, Z)


def leaky_relu(Z):
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))   # each column (sample) shifted by its max, for stability
    return E / E.sum(axis=0, keepdims=True)


# Backward rules: dZ from dA, given Z and A = g(Z) of the forward pass.
def sigmoid_backward(dA, Z, A):
    return dA * A * (1 - A)   # the notebook's sig·(1 − sig), with sig = A


def relu_backward(dA, Z, A):
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def tanh_backward(dA, Z, A):
    return dA * (1 - A * A)


def leaky_relu_backward(dA, Z, A):
    return np.where(Z > 0, dA, LEAKY_SLOPE * dA)


def softmax_backward(dA, Z, A):
    return A * (dA - (dA * A).sum(axis=0, keepdims=True))


ACTIVATIONS = {
    "relu": (relu, relu_backward),
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (np.tanh, tanh_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
    "linear": (lambda Z: Z, lambda dA, Z, A: dA),
    "softmax": (softmax, softmax_backward),
}


def single_layer_forward_propagation(A_prev, W_curr, b_curr, activation):
    Z_curr = np.dot(W_curr, A_prev) + b_curr   # W:(out,in) · A_prev:(in,m) + b:(out,1) → Z:(out,m)
    return ACTIVATIONS[activation][0](Z_curr), Z_curr


def full_forward_propagation(X, params_values, nn_architecture):
    """Ŷ for X (features, m), and the memory backprop needs: A_prev and Z of every layer."""
    memory = {}
    A_curr = X
    for idx, layer in enumerate(nn_architecture):
        layer_idx = idx + 1
        A_prev = A_curr
        W_curr = params_values["W" + str(layer_idx)]
        b_curr = params_values["b" + str(layer_idx)]
        A_curr, Z_curr = single_layer_forward_propagation(A_prev, W_curr, b_curr, layer["activation"])
        memory["A" + str(idx)] = A_prev
        memory["Z" + str(layer_idx)] = Z_curr
        memory["A" + str(layer_idx)] = A_curr
    return A_curr, memory


def get_cost_value(Y_hat, Y, params_values):
    m = Y_hat.shape[1]
    if LOSS == "binary_cross_entropy":
        # the notebook's −1/m·(Y·log(Ŷ)ᵀ + (1−Y)·log(1−Ŷ)ᵀ); with labels 0 or 1 each sample keeps one
        # of the two terms, so a confident right answer (Ŷ exactly 1 or 0) costs 0 instead of NaN
        cost = -np.sum(np.log(np.where(Y == 1, Y_hat, 1 - Y_hat))) / m
    elif LOSS == "softmax_cross_entropy":
        cost = -np.sum(np.log(Y_hat[Y == 1])) / m
    else:  # mse: the mean over samples of the mean squared error over the outputs
        cost = np.sum((Y_hat - Y) ** 2) / (m * Y_hat.shape[0])
    if L2 > 0:
        # λ/2·Σ‖W‖² (biases are not penalised)
        cost += L2 * sum(np.sum(params_values["W" + str(i)] ** 2) for i in range(1, len(NN_ARCHITECTURE) + 1)) / 2
    return float(cost)


def get_accuracy_value(Y_hat, Y, variance=None):
    if TASK == "regression":
        # R² against the whole set's variance (so the batches' scores average to the set's R²)
        return float(1 - np.sum((Y_hat - Y) ** 2) / (Y.size * variance))
    if Y_hat.shape[0] == 1:
        return float(((Y_hat > 0.5) == (Y == 1)).mean())   # class 1 when Ŷ > 0.5 (the notebook's 0 was a bug)
    return float((Y_hat.argmax(axis=0) == Y.argmax(axis=0)).mean())


def full_backward_propagation(Y_hat, Y, memory, params_values, nn_architecture):
    """dW_k and db_k of every layer, from the output back to the input."""
    grads_values = {}
    m = Y_hat.shape[1]
    L = len(nn_architecture)
    if LOSS == "binary_cross_entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            dA_prev = -(np.divide(Y, Y_hat) - np.divide(1 - Y, 1 - Y_hat))   # the notebook's dA of the output
    elif LOSS == "mse":
        dA_prev = (2 / Y_hat.shape[0]) * (Y_hat - Y)
    for layer_idx_prev, layer in reversed(list(enumerate(nn_architecture))):
        layer_idx_curr = layer_idx_prev + 1
        A_prev = memory["A" + str(layer_idx_prev)]
        Z_curr = memory["Z" + str(layer_idx_curr)]
        A_curr = memory["A" + str(layer_idx_curr)]
        W_curr = params_values["W" + str(layer_idx_curr)]
        if layer_idx_curr == L and LOSS == "softmax_cross_entropy":
            dZ_curr = Y_hat - Y   # softmax and cross-entropy together: dZ = Ŷ − Y
        elif layer_idx_curr == L and LOSS == "binary_cross_entropy":
            # dA·σ·(1 − σ); where σ is exactly 0 or 1 (dA infinite) its limit, Ŷ − Y
            with np.errstate(invalid="ignore"):
                dZ_curr = np.where((Y_hat > 0) & (Y_hat < 1), dA_prev * Y_hat * (1 - Y_hat), Y_hat - Y)
        else:
            dZ_curr = ACTIVATIONS[layer["activation"]][1](dA_prev, Z_curr, A_curr)
        grads_values["dW" + str(layer_idx_curr)] = np.dot(dZ_curr, A_prev.T) / m   # (out,m)·(m,in) → (out,in)
        grads_values["db" + str(layer_idx_curr)] = np.sum(dZ_curr, axis=1, keepdims=True) / m
        dA_prev = np.dot(W_curr.T, dZ_curr)   # (in,out)·(out,m) → (in,m)
    return grads_values


def learning_rate_at(t, epochs):
    """The learning rate of epoch t (0-based) of EPOCHS: linear warm-up, then LR_SCHEDULE at t."""
    if t < WARMUP:
        return LEARNING_RATE * (t + 1) / WARMUP
    kind, *args = LR_SCHEDULE.split(":")
    if kind == "step":     # LEARNING_RATE·γ^⌊t/EVERY⌋
        return LEARNING_RATE * float(args[1]) ** (t // int(args[0]))
    if kind == "exp":      # LEARNING_RATE·γ^t
        return LEARNING_RATE * float(args[0]) ** t
    if kind == "cosine":   # MIN + (LEARNING_RATE − MIN)·(1 + cos(πt/E))/2
        lowest = float(args[0]) if args else 0.0
        return lowest + (LEARNING_RATE - lowest) * (1 + math.cos(math.pi * t / epochs)) / 2
    return LEARNING_RATE   # constant


def update(params_values, grads_values, nn_architecture, state, lr):
    """One optimizer step on every W and b at learning rate lr. state keeps the step count and momentum/Adam averages."""
    state["t"] = state.get("t", 0) + 1
    t = state["t"]
    for idx in range(len(nn_architecture)):
        for kind in ("W", "b"):
            key = kind + str(idx + 1)
            grad = grads_values["d" + key]
            if L2 > 0 and kind == "W":
                grad = grad + L2 * params_values[key]   # the gradient of λ/2·‖W‖²
            if OPTIMIZER == "sgd":
                params_values[key] -= lr * grad
            elif OPTIMIZER == "momentum":
                velocity = state.setdefault(key, np.zeros_like(grad))
                velocity[:] = MOMENTUM * velocity + grad
                params_values[key] -= lr * velocity
            else:  # adam, with bias-corrected averages
                avg, avg_sq = state.setdefault(key, (np.zeros_like(grad), np.zeros_like(grad)))
                avg[:] = BETA1 * avg + (1 - BETA1) * grad
                avg_sq[:] = BETA2 * avg_sq + (1 - BETA2) * grad * grad
                c1 = 1 - BETA1 ** t
                c2 = 1 - BETA2 ** t
                params_values[key] -= (lr * (avg / c1)) / (np.sqrt(avg_sq / c2) + EPSILON)
    return params_values


def targets(y, outputs):
    """Y as (outputs, n): the label itself for one output, one-hot columns for several."""
    if outputs == 1:
        return y.reshape(1, -1).astype(np.float64)
    Y = np.zeros((outputs, y.shape[0]))
    Y[y.astype(int), np.arange(y.shape[0])] = 1
    return Y


def train(X, Y, nn_architecture, epochs, X_test=None, Y_test=None):
    """Trains from START; the cost and accuracy of each epoch come from before its updates."""
    params_values = START_PARAMS
    n = X.shape[1]
    batch_size = n if BATCH_SIZE is None else min(BATCH_SIZE, n)
    shuffle = np.random.RandomState(SHUFFLE_SEED)
    state = {}
    cost_history, accuracy_history = [], []
    variance = float(np.mean((Y - Y.mean()) ** 2))   # regression's R² is measured against it

    def step(X_batch, Y_batch):
        Y_hat, memory = full_forward_propagation(X_batch, params_values, nn_architecture)
        cost = get_cost_value(Y_hat, Y_batch, params_values)
        accuracy = get_accuracy_value(Y_hat, Y_batch, variance)
        grads_values = full_backward_propagation(Y_hat, Y_batch, memory, params_values, nn_architecture)
        update(params_values, grads_values, nn_architecture, state, lr)
        return cost, accuracy

    report_every = max(1, epochs // 10)
    best, best_epoch, best_params, wait = float("inf"), None, None, 0
    for epoch in range(epochs):
        lr = learning_rate_at(epoch, epochs)
        if EARLY_STOP:
            # the watched cost of this epoch is measured before its updates: these are the weights it belongs to
            before = {key: value.copy() for key, value in params_values.items()}
            if EARLY_STOP_METRIC == "test_cost":
                Y_hat_test, _ = full_forward_propagation(X_test, params_values, nn_architecture)
                watched = get_cost_value(Y_hat_test, Y_test, params_values)
        if batch_size == n:
            cost, accuracy = step(X, Y)   # full batch, as the notebook
        else:
            # a new shuffle every epoch; the epoch's cost is the size-weighted mean of its batches' costs
            order = shuffle.permutation(n)
            cost_sum = right_sum = 0.0
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                batch_cost, batch_accuracy = step(X[:, idx], Y[:, idx])
                cost_sum += batch_cost * len(idx)
                right_sum += batch_accuracy * len(idx)
            cost, accuracy = cost_sum / n, right_sum / n
        cost_history.append(cost)
        accuracy_history.append(accuracy)
        if epoch % report_every == 0:
            print("epoch %6d   cost %.6f   accuracy %.4f" % (epoch, cost, accuracy))
        if EARLY_STOP:
            value = watched if EARLY_STOP_METRIC == "test_cost" else cost
            if value < best - MIN_DELTA:
                best, best_epoch, best_params, wait = value, epoch, before, 0
            else:
                wait += 1
                if wait >= EARLY_STOP:
                    print("stopped early at epoch %d; the weights are epoch %d's" % (epoch + 1, best_epoch))
                    params_values.update(best_params)
                    break
    return params_values, cost_history, accuracy_history`;

const MAIN = `# ---------------------------------------------------------------- the run

if __name__ == "__main__":
    X_train, X_test, y_train, y_test = load_data()
    X_train, X_test = prepare(X_train, X_test)
    outputs = NN_ARCHITECTURE[-1]["output_dim"]
    X, Y = X_train.T, targets(y_train, outputs)   # (features, n): one sample per column, as the notebook
    params_values, cost_history, accuracy_history = train(X, Y, NN_ARCHITECTURE, EPOCHS, X_test.T, targets(y_test, outputs))

    Y_hat, _ = full_forward_propagation(X, params_values, NN_ARCHITECTURE)
    print("final train cost:", repr(get_cost_value(Y_hat, Y, params_values)))
    score = "R²" if TASK == "regression" else "accuracy"
    print("final train %s:" % score, get_accuracy_value(Y_hat, Y, float(np.mean((Y - Y.mean()) ** 2))))
    if len(y_test) > 0:
        Y_test = targets(y_test, outputs)
        Y_hat_test, _ = full_forward_propagation(X_test.T, params_values, NN_ARCHITECTURE)
        print("test cost:", repr(get_cost_value(Y_hat_test, Y_test, params_values)))
        print("test %s:" % score, get_accuracy_value(Y_hat_test, Y_test, float(np.mean((Y_test - Y_test.mean()) ** 2))))`;

/**
 * The script's text. Run with `python3 script.py` (numpy and scikit-learn); its last lines print the final
 * train cost (Python's repr, every digit) and accuracy, then the test set's, as the app reports them.
 */
export function notebookScript(config: RunConfig, opts: NotebookOptions = {}): string {
  const arch = config.architecture;
  const imported = opts.initialParams ? initialParamsSection(arch, opts.initialParams) : null;
  const network = imported
    ? NETWORK.replace('Trains from START', 'Trains from the imported starting weights').replace('START_PARAMS', 'initial_params()   # the run began from imported weights')
    : NETWORK.replace('Trains from START', 'Trains from init_layers').replace('START_PARAMS', 'init_layers(nn_architecture, INIT_SEED, INIT_SCALE)');
  const t = config.training;
  const loss = t.loss === 'auto' ? defaultLoss(arch[arch.length - 1].activation) : t.loss;
  const data = dataSection(config, opts);
  const prep = prepareSection(config);
  const regression = taskOf(config.data.kind) === 'regression';
  const shape = layerWidths(arch);
  const how = t.batchSize === null ? 'full-batch' : `mini-batches of ${t.batchSize}`;
  const title = opts.title ? `${opts.title} — a Backprop Lab run as a numpy script.` : 'A Backprop Lab run as a numpy script.';
  return `#!/usr/bin/env python3
"""${title.replace(/"""/g, "'''").replace(/\\/g, '/')}

Data: ${data.summary}.
Network: ${shape} (${arch.map((l) => l.activation).join(', ')}), ${imported ? 'starting from imported weights (embedded below)' : `init_layers seed ${config.init.seed}, scale ${pyFloat(config.init.scale)}`}.
Training: ${t.epochs} epochs of ${t.optimizer}, ${how}, learning rate ${pyFloat(t.learningRate)}${t.lrSchedule !== 'constant' ? ` (${t.lrSchedule})` : ''}${t.warmup > 0 ? `, ${t.warmup} warm-up epochs` : ''}${t.earlyStop > 0 ? `, early stopping after ${t.earlyStop} epochs without improvement` : ''}, ${loss}${t.l2 > 0 ? `, L2 ${pyFloat(t.l2)}` : ''}.

This is the seed notebook's code with its bugs fixed, plus what Backprop Lab adds (more activations and
losses, momentum and Adam, L2, mini-batches). It computes what the app computes, in float64, so the final
train cost it prints is the app's. Change the settings below and run it again to experiment.

Run:  python3 <this file>      (needs numpy and scikit-learn)
"""

${[...(imported ? ['import base64'] : []), ...data.imports.filter((l) => l.startsWith('import ')), 'import math', 'import numpy as np', ...data.imports.filter((l) => l.startsWith('from ')), ...prep.imports].join('\n')}

# ---------------------------------------------------------------- the run's settings

${pyArchitecture(arch)}
${setting('INIT_SEED', String(config.init.seed), imported ? 'np.random.seed before init_layers (unused: this run starts from INITIAL_PARAMS)' : 'np.random.seed before init_layers')}
${setting('INIT_SCALE', pyFloat(config.init.scale), 'W, b = randn(…) · INIT_SCALE')}

${setting('EPOCHS', String(t.epochs))}
${setting('LEARNING_RATE', pyFloat(t.learningRate))}
${setting('LR_SCHEDULE', pyStr(t.lrSchedule), '"constant", "step:EVERY:GAMMA", "exp:GAMMA" or "cosine[:MIN_LR]", per epoch')}
${setting('WARMUP', String(t.warmup), 'epochs of linear warm-up: LEARNING_RATE·(t+1)/WARMUP for t < WARMUP (0: none)')}
${setting('EARLY_STOP', String(t.earlyStop), 'patience: stop when the watched cost has not improved for this many epochs (0: off)')}
${setting('EARLY_STOP_METRIC', pyStr(earlyStopMetric(t.earlyStopMetric, config.data.testSize > 0) === 'testCost' ? 'test_cost' : 'cost'), '"test_cost" or "cost" (the train cost)')}
${setting('MIN_DELTA', pyFloat(t.minDelta), 'the least decrease that counts as an improvement')}
${setting('BATCH_SIZE', t.batchSize === null ? 'None' : String(t.batchSize), 'None: full batch (every training sample in every step)')}
${setting('SHUFFLE_SEED', String(t.shuffleSeed), 'np.random.RandomState(SHUFFLE_SEED) shuffles the mini-batches')}
${setting('OPTIMIZER', pyStr(t.optimizer), '"sgd", "momentum" or "adam"')}
${setting('MOMENTUM', pyFloat(t.momentum), "momentum's μ")}
${setting('BETA1, BETA2, EPSILON', `${pyFloat(t.beta1)}, ${pyFloat(t.beta2)}, ${pyFloat(t.epsilon)}`, 'Adam')}
${setting('L2', pyFloat(t.l2), 'λ: adds λ/2·Σ‖W‖² to the cost (0: none)')}
${setting('LOSS', pyStr(loss), '"binary_cross_entropy", "softmax_cross_entropy" or "mse"')}
${setting('TASK', pyStr(regression ? 'regression' : 'classification'), 'regression: a real target, R² in place of accuracy')}

# ---------------------------------------------------------------- the data

${data.code}


${prep.code}


${network}
${imported ? `\n\n# ---------------------------------------------------------------- the starting weights\n\n${imported}\n` : ''}

${MAIN}
`;
}
