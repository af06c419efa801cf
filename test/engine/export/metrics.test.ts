// Metrics as CSV and JSON, non-finite values included.

import { describe, expect, it } from 'vitest';
import { metricsFromJSON, metricsToCSV, metricsToJSON } from '../../../engine/export/metrics';
import type { EpochMetrics } from '../../../engine/train';

const rows: EpochMetrics[] = [
  { epoch: 0, trainCost: 0.6931471805599453, trainAccuracy: 0.5, testCost: 0.7, testAccuracy: 0.48, elapsedMs: 1.25 },
  { epoch: 1, trainCost: NaN, trainAccuracy: 0.5, testCost: null, testAccuracy: null, elapsedMs: 2.5 },
  { epoch: 2, trainCost: Infinity, trainAccuracy: 0, testCost: -Infinity, testAccuracy: 1, elapsedMs: 3 },
];

describe('metrics export', () => {
  it('writes CSV with the documented header, shortest round-trip numbers, NaN/Infinity spelled out and empty cells for no test set', () => {
    expect(metricsToCSV(rows)).toBe(
      'epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms\n' +
        '0,0.6931471805599453,0.5,0.7,0.48,1.25\n' +
        '1,NaN,0.5,,,2.5\n' +
        '2,Infinity,0,-Infinity,1,3\n',
    );
    expect(metricsToCSV([])).toBe('epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms\n');
  });

  it('writes JSON that reads back as what it was, NaN and ±Infinity included', () => {
    const text = metricsToJSON(rows, { runId: 'r1' });
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ format: 'backprop-lab-metrics', version: 1, runId: 'r1' });
    expect(doc.rows[1][1]).toBe('NaN');
    expect(doc.rows[2][3]).toBe('-Infinity');
    expect(metricsFromJSON(text)).toEqual(rows);
  });

  it('refuses a metrics document with a bad value, naming the row and column', () => {
    const doc = JSON.parse(metricsToJSON(rows));
    doc.rows[1][2] = 'lots';
    expect(() => metricsFromJSON(JSON.stringify(doc))).toThrow(/metrics row 1 column train_accuracy must be a number/);
  });
});
