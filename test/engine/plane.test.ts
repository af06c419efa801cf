// The plane a view of data with more than two features is drawn in: PCA against scikit-learn's PCA (live where
// installed), two chosen features with the others at their train means, and the round trip between them.

import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../engine/config';
import { featurePlane, fromPlane, loadData, pcaPlane, toPlane } from '../../engine/datasets/index';
import { findNumpyPython, runPython } from '../helpers/numpy';

const wine = () => loadData({ ...defaultConfig().data, kind: 'wine', testSize: 0.2, standardize: true });

describe('view planes', () => {
  it('two features: a and b are their values, the other features at their train means', () => {
    const d = wine();
    const p = featurePlane(d.train, 2, 5, d.featureNames);
    expect(p.labels).toEqual([d.featureNames[2], d.featureNames[5]]);
    const xy = toPlane(d.test, p);
    for (let i = 0; i < 5; i++) expect([xy.X[2 * i], xy.X[2 * i + 1]]).toEqual([d.test.X[i * 13 + 2], d.test.X[i * 13 + 5]]);
    const back = fromPlane(xy, p);
    const mean0 = Array.from({ length: d.train.n }, (_, i) => d.train.X[i * 13]!).reduce((a, b) => a + b) / d.train.n;
    expect(back.X[0]).toBeCloseTo(mean0, 12);
    expect(back.X[2]).toBe(d.test.X[2]);
    expect(() => featurePlane(d.train, 1, 1, [])).toThrow(RangeError);
  });

  it('PCA: orthonormal directions, a projection that round-trips within the plane', () => {
    const d = wine();
    const p = pcaPlane(d.train);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, k) => s + x * b[k]!, 0);
    expect(dot(p.u, p.u)).toBeCloseTo(1, 12);
    expect(dot(p.v, p.v)).toBeCloseTo(1, 12);
    expect(dot(p.u, p.v)).toBeCloseTo(0, 10);
    const xy = toPlane(d.test, p);
    const again = toPlane(fromPlane(xy, p), p);
    for (let i = 0; i < xy.X.length; i++) expect(again.X[i]).toBeCloseTo(xy.X[i]!, 10);
  });

  it.runIf(findNumpyPython())('PCA equals scikit-learn’s PCA(2) on the standardized wine train split (up to sign), explained variance too', () => {
    const d = wine();
    const p = pcaPlane(d.train);
    const rows = Array.from({ length: d.train.n }, (_, i) => Array.from(d.train.X.subarray(i * 13, (i + 1) * 13)));
    const sk = JSON.parse(runPython(`import json, sys, numpy as np\nfrom sklearn.decomposition import PCA\nX = np.array(json.loads(sys.stdin.read() if False else ${JSON.stringify(JSON.stringify(rows))}))\np = PCA(2).fit(X)\nprint(json.dumps({"c": p.components_.tolist(), "r": p.explained_variance_ratio_.tolist()}))`));
    for (const [ours, theirs] of [[p.u, sk.c[0]], [p.v, sk.c[1]]] as Array<[number[], number[]]>) {
      const sign = Math.sign(ours.reduce((s, x, k) => s + x * theirs[k]!, 0));
      ours.forEach((x, k) => expect(sign * x).toBeCloseTo(theirs[k]!, 9));
    }
    expect(p.explained![0]).toBeCloseTo(sk.r[0], 12);
    expect(p.explained![1]).toBeCloseTo(sk.r[1], 12);
  });
});
