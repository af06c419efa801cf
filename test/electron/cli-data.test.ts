// `backprop-lab train` on the built-in datasets, regression data and input features: the flags reach the run's
// configuration, the default architecture is fitted (softmax for digits, a linear output for regression), the
// CLI prints R² for regression, and a sweep's trial writes --standardize and --features so train reads them back.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../electron/cli';
import { UsageError } from '../../electron/cli/args';
import { parseTrainArgs } from '../../electron/cli/train';
import { optionsToConfig } from '../../electron/sweeps/spec';
import { trialArgv } from '../../electron/sweeps/trials';
import { resolveConfig } from '../../engine/config';

const tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-cli-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { ...process.env, BACKPROP_LAB_DATA_DIR: join(tmp, 'data') };

async function cli(argv: string[], io: Partial<CliIO> = {}) {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, cwd: tmp, env, ...io });
  return { code, stdout, stderr };
}
const lastJson = (s: string) => JSON.parse(s.trimEnd().split('\n').pop()!);

describe('train --dataset, --standardize, --features', () => {
  it('parses the new options into data.kind, data.standardize and data.features', () => {
    const { config } = parseTrainArgs(['--dataset', 'wine', '--standardize']);
    expect(config.data).toMatchObject({ kind: 'wine', standardize: true });
    expect(parseTrainArgs(['--dataset', 'circles', '--features', 'x1^2,x2^2']).config.data.features).toEqual(['x1^2', 'x2^2']);
    expect(parseTrainArgs(['--features', '["x1","sin(x2)"]']).config.data.features).toEqual(['x1', 'sin(x2)']);
    expect(parseTrainArgs([]).config.data).not.toHaveProperty('standardize');
    expect(() => parseTrainArgs(['--features', 'x2,x1'])).toThrow(/--features must follow the order/);
    expect(() => parseTrainArgs(['--dataset', 'iris', '--features', 'x1'])).toThrow(UsageError);
    expect(parseTrainArgs(['--dataset', 'iris', '--samples', '10']).options.notes).toContain('--samples does not apply to the built-in iris; ignored');
  });

  it('train --dataset digits --epochs 50 trains end to end: 64 features, a 10-unit softmax output fitted', async () => {
    const r = await cli(['train', '--dataset', 'digits', '--epochs', '50', '--standardize', '--optimizer', 'adam', '--no-record', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the default architecture was fitted to the data (64 features, 10 classes): 64-25-50-50-25-10, softmax output');
    const out = lastJson(r.stdout);
    expect(out.status).toBe('finished');
    expect(out.testAccuracy).toBeGreaterThan(0.9);
  }, 120_000);

  it('regression prints R² (plane: a linear output fitted, R² near 1)', async () => {
    const r = await cli(['train', '--dataset', 'plane', '--epochs', '300', '--optimizer', 'adam', '--no-record']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('a real-valued target): 2-25-50-50-25-1, linear output');
    expect(r.stderr).toMatch(/ R² 0\.\d{4}/);
    const m = /train R² (\S+) .* test R² (\S+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0.9);
    expect(r.stdout).not.toContain('accuracy');
  }, 120_000);

  it('runs list and runs show give a regression run’s R², not an accuracy', async () => {
    const db = join(tmp, 'r2.db');
    const r = await cli(['train', '--dataset', 'plane', '--samples', '100', '--epochs', '20', '--optimizer', 'adam', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = lastJson(r.stdout).runId as string;
    const list = await cli(['runs', 'list', '--db', db]);
    expect(list.stdout).toMatch(/R² -?\d\.\d{4}/);
    const show = await cli(['runs', 'show', id.slice(0, 8), '--db', db]);
    expect(show.stdout).toMatch(/train cost \S+, R² -?\d\.\d{4}; test cost \S+, R² -?\d\.\d{4}/);
  }, 120_000);

  it('a regression run with a sigmoid output is refused, naming the fix', async () => {
    const r = await cli(['train', '--dataset', 'diabetes', '--arch', '[{"input_dim":10,"output_dim":1,"activation":"sigmoid"}]', '--no-record']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("diabetes is regression data (a real-valued target) but the loss is binary_cross_entropy; set the last layer's activation to linear");
  });

  it('a sweep trial writes --standardize and --features so that train reads back the same configuration', () => {
    const options = { dataset: 'circles', standardize: true, features: ['x1^2', 'x2^2'], lr: 0.5 };
    const argv = trialArgv(options);
    expect(argv).toContain('--standardize');
    expect(parseTrainArgs(argv).config).toEqual(resolveConfig(optionsToConfig(options)));
    expect(trialArgv({ standardize: false })).toEqual([]);
  });
});
