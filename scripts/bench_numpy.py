#!/usr/bin/env python3
"""numpy side of `npm run bench` for the scale and wide workloads, in float32 or float64.

The MLP math is scripts/fixtures/make_training_fixtures.py's (init_layers, forward, cost_of, act_backward, update,
imported from it); the data is generated here exactly as scripts/bench.ts generates it with the engine's
NumpyRandom, so both train the same network on the same numbers:

    rs = np.random.RandomState(7); X = rs.randn(16384, 64); w = rs.randn(64)
    y[i] = 1 if sum_j X[i, j] * w[j] (summed left to right from 0) > 0 else 0

    /usr/bin/python3 scripts/bench_numpy.py --dtype float32 --arch 64:256:relu,256:256:relu,256:1:sigmoid \\
        --samples 16384 --features 64 --batch 512 --epochs 3 --repeats 2 --check-epochs 1,3

--dataset moons (with --samples/--noise/--data-seed/--test-size/--split-seed) trains on sklearn's make_moons split by
train_test_split instead, as the engine's moons data. --optimizer/--lr pick the update (make_training_fixtures.update).
--loop train runs the loop `backprop-lab train` runs (make_training_fixtures.train_case's): every step's cost and
accuracy, and the test set's every epoch; --loop bare (default) only forward, backward and update.
--threads N limits OpenBLAS to N threads (threadpoolctl when installed; the caller also sets OPENBLAS_NUM_THREADS).

Prints one JSON line: ms_per_epoch (median of the timed runs), runs_ms, final_cost (train cost after --epochs
epochs of the untimed first run, in float64 arithmetic on the float32 outputs), and costs_at {epochs: cost} for
each --check-epochs count (from that same untimed run), plus the numpy version and BLAS.
The backward pass skips the input layer's dA (never used), as the engine does, so numpy is not charged for it.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
from make_training_fixtures import accuracy_of, act_backward, cost_of, forward, init_layers, make_data, update  # noqa: E402

OPT = {"optimizer": "sgd", "lr": 0.01, "l2": 0.0, "momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


def scale_data(n, f, seed):
    rs = np.random.RandomState(seed)
    X = rs.randn(n, f)
    w = rs.randn(f)
    s = np.zeros(n)
    for j in range(f):  # the engine's order: s = 0 + x0·w0 + x1·w1 + …, no BLAS reassociation
        s = s + X[:, j] * w[j]
    return X, (s > 0).astype(np.float64)


def backward(Yh, Y, mem, p, arch):
    """make_training_fixtures.backward for binary cross-entropy, without the input layer's unused dA."""
    L = len(arch)
    m = Yh.shape[1]
    grads = {}
    dA = -(np.divide(Y, Yh) - np.divide(1 - Y, 1 - Yh))
    dZ = dA * Yh * (1 - Yh)
    for i in range(L, 0, -1):
        if i < L:
            dZ = act_backward(dA, mem["Z%d" % i], mem["A%d" % i], arch[i - 1]["activation"])
        grads["dW%d" % i] = np.dot(dZ, mem["A%d" % (i - 1)].T) / m
        grads["db%d" % i] = np.sum(dZ, axis=1, keepdims=True) / m
        if i > 1:
            dA = np.dot(p["W%d" % i].T, dZ)
    return grads


def parse_arch(s):
    out = []
    for part in s.split(","):
        i, o, a = part.split(":")
        out.append({"input_dim": int(i), "output_dim": int(o), "activation": a})
    return out


def train(X, Y, p, arch, epochs, batch, shuffle_seed, checks, test=None):
    """Trains in place; returns {epochs: full-data cost} for each epoch count in checks.

    test: None (the bare loop) or (Xt, Yt): then every step also computes its batch's cost and accuracy and every
    epoch starts with the test set's, as the engine's training loop (and make_training_fixtures.train_case) does."""
    n = X.shape[1]
    rng = np.random.RandomState(shuffle_seed)
    t = 0
    state = {}
    costs = {}
    metrics = test is not None
    for e in range(epochs):
        if metrics and test[0].shape[1] > 0:
            Yht, _ = forward(test[0], p, arch)
            cost_of("binary_cross_entropy", Yht, test[1], p, 0.0)
            accuracy_of(Yht, test[1])
        if batch >= n:
            Yh, mem = forward(X, p, arch)
            if metrics:
                cost_of("binary_cross_entropy", Yh, Y, p, 0.0)
                accuracy_of(Yh, Y)
            g = backward(Yh, Y, mem, p, arch)
            t += 1
            update(p, g, state, arch, OPT, t)
        else:
            order = rng.permutation(n)
            sc = sa = 0.0
            for s in range(0, n, batch):
                idx = order[s:s + batch]
                Xb, Yb = X[:, idx], Y[:, idx]
                Yh, mem = forward(Xb, p, arch)
                if metrics:
                    sc += cost_of("binary_cross_entropy", Yh, Yb, p, 0.0) * len(idx)
                    sa += accuracy_of(Yh, Yb) * len(idx)
                g = backward(Yh, Yb, mem, p, arch)
                t += 1
                update(p, g, state, arch, OPT, t)
        if e + 1 in checks:
            costs[e + 1] = full_cost(X, Y, p, arch)
    return costs


def full_cost(X, Y, p, arch):
    Yh, _ = forward(X, p, arch)
    # the engine reads float32 outputs back as float64 and computes the cost in float64: do the same
    return cost_of("binary_cross_entropy", Yh.astype(np.float64), Y.astype(np.float64), p, 0.0)


def limit_threads(n):
    """Limits the BLAS to n threads with threadpoolctl; returns the limiter to keep alive (None without it)."""
    if not n:
        return None
    try:
        from threadpoolctl import threadpool_limits
        return threadpool_limits(limits=n, user_api="blas")
    except Exception:  # noqa: BLE001
        return None


def blas_name():
    """The BLAS numpy calls, as threadpoolctl sees it (library, version, threads), else numpy's build info."""
    try:
        from threadpoolctl import threadpool_info
        return ", ".join("%s %s %s (%s threads)" % (d.get("internal_api"), d.get("version"), d.get("architecture", ""), d.get("num_threads"))
                         for d in threadpool_info()) or "unknown"
    except Exception:  # noqa: BLE001
        try:
            return ",".join(np.__config__.get_info("blas_opt_info").get("libraries", [])) or "unknown"
        except Exception:  # noqa: BLE001
            return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    ap.add_argument("--arch", default="64:256:relu,256:256:relu,256:1:sigmoid")
    ap.add_argument("--samples", type=int, default=16384)
    ap.add_argument("--features", type=int, default=64)
    ap.add_argument("--data-seed", type=int, default=7)
    ap.add_argument("--init-seed", type=int, default=101)
    ap.add_argument("--shuffle-seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=0, help="0: full batch")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--check-epochs", default="", help="comma-separated epoch counts whose cost the untimed run reports")
    ap.add_argument("--dataset", choices=["scale", "moons"], default="scale")
    ap.add_argument("--noise", type=float, default=0.2)
    ap.add_argument("--test-size", type=float, default=0.1)
    ap.add_argument("--split-seed", type=int, default=42)
    ap.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="sgd")
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--loop", choices=["bare", "train"], default="bare")
    ap.add_argument("--threads", type=int, default=0, help="BLAS threads (0: the library's default)")
    a = ap.parse_args()
    OPT["optimizer"], OPT["lr"] = a.optimizer, a.lr
    limiter = limit_threads(a.threads)  # noqa: F841 (kept alive for the whole run)

    dt = np.dtype(a.dtype)
    arch = parse_arch(a.arch)
    if a.dataset == "moons":
        d = {"kind": "moons", "samples": a.samples, "noise": a.noise, "seed": a.data_seed, "testSize": a.test_size,
             "splitSeed": a.split_seed}
        X_train, X_test, y_train, y_test = make_data(d)
        X = np.ascontiguousarray(X_train.T).astype(dt)
        Y = y_train.reshape(1, -1).astype(dt)
        test = (np.ascontiguousarray(X_test.T).astype(dt), y_test.reshape(1, -1).astype(dt))
    else:
        Xs, y = scale_data(a.samples, a.features, a.data_seed)
        X = np.ascontiguousarray(Xs.T).astype(dt)
        Y = y.reshape(1, -1).astype(dt)
        test = (X[:, :0], Y[:, :0])
    if a.loop == "bare":
        test = None
    p0 = {k: v.astype(dt) for k, v in init_layers(arch, a.init_seed).items()}
    batch = a.batch or X.shape[1]
    checks = sorted({int(c) for c in a.check_epochs.split(",") if c} | {a.epochs})
    checks = [c for c in checks if c <= max(a.epochs, max(checks))]

    p = {k: v.copy() for k, v in p0.items()}
    costs = train(X, Y, p, arch, max(checks), batch, a.shuffle_seed, set(checks), test)
    runs = []
    for _ in range(a.repeats):
        p = {k: v.copy() for k, v in p0.items()}
        t0 = time.perf_counter()
        train(X, Y, p, arch, a.epochs, batch, a.shuffle_seed, set(), test)
        runs.append((time.perf_counter() - t0) * 1000 / a.epochs)
    runs_sorted = sorted(runs)
    k = len(runs_sorted) // 2
    med = runs_sorted[k] if len(runs_sorted) % 2 else (runs_sorted[k - 1] + runs_sorted[k]) / 2
    print(json.dumps({
        "dtype": a.dtype,
        "ms_per_epoch": med,
        "runs_ms": runs,
        "final_cost": costs[a.epochs],
        "costs_at": {str(e): c for e, c in costs.items()},
        "detail": "numpy %s, %s, BLAS %s" % (np.__version__, a.dtype, blas_name()),
    }))


if __name__ == "__main__":
    main()
