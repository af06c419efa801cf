// `train --continue ID --epochs M`, `train --from-run ID [options]`, the schedule and early-stopping flags and
// --json's test histories: main() in-process over real SQLite files and the real engine.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../electron/cli';

const tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-cli-continue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
process.env['BACKPROP_LAB_DATA_DIR'] = join(tmp, 'default-data');

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, cwd: tmp, env: { BACKPROP_LAB_DATA_DIR: join(tmp, 'default-data') } });
  return { code, stdout, stderr };
}
const lastJson = (stdout: string): any => JSON.parse(stdout.trimEnd().split('\n').pop()!);
async function train(...args: string[]): Promise<any> {
  const r = await cli(['train', '--json', '-q', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r.stdout);
}

const ARCH = '[{"input_dim":2,"output_dim":8,"activation":"tanh"},{"input_dim":8,"output_dim":1,"activation":"sigmoid"}]';
const BASE = ['--arch', ARCH, '--samples', '200', '--backend', 'cpu', '--optimizer', 'adam', '--lr', '0.01', '--batch-size', '32', '--shuffle-seed', '3'];

describe('train --continue and --from-run', () => {
  it('--continue ID --epochs 4 after 6 epochs equals 10 epochs in one go, bit for bit, and says where it came from', async () => {
    const db = join(tmp, 'a.db');
    const first = await train('--db', db, '--epochs', '6', ...BASE);
    const cont = await train('--db', db, '--continue', first.runId.slice(0, 8), '--epochs', '4');
    const whole = await train('--db', db, '--epochs', '10', ...BASE);
    expect(cont.epochs).toBe(10);
    expect(cont.from).toEqual({ runId: first.runId, mode: 'continue' });
    expect([...first.costHistory, ...cont.costHistory]).toEqual(whole.costHistory);
    expect([...first.testCostHistory, ...cont.testCostHistory]).toEqual(whole.testCostHistory);
    expect(cont.finalCost).toBe(whole.finalCost);
    const shown = await cli(['runs', 'show', '--db', db, cont.runId]);
    expect(shown.stdout).toMatch(new RegExp(`^from {6}continued from ${first.runId}$`, 'm'));
  }, 120_000);

  it('--from-run ID alone re-runs it bit for bit; with options it is a clone with them over its configuration', async () => {
    const db = join(tmp, 'b.db');
    const a = await train('--db', db, '--epochs', '8', ...BASE, '--lr-schedule', 'step:3:0.5', '--warmup', '2');
    const re = await train('--db', db, '--from-run', a.runId);
    expect(re.from).toEqual({ runId: a.runId, mode: 'rerun' });
    expect(re.costHistory).toEqual(a.costHistory);
    expect(re.finalCost).toBe(a.finalCost);
    const clone = await train('--db', db, '--from-run', a.runId, '--lr', '0.05');
    expect(clone.from).toEqual({ runId: a.runId, mode: 'clone' });
    expect(clone.config).toEqual({ ...a.config, training: { ...a.config.training, learningRate: 0.05 } });
  }, 120_000);

  it('--json gives the test cost and accuracy of every epoch, at the parameters of its train cost', async () => {
    const r = await train('--no-record', '--epochs', '5', ...BASE);
    expect(r.testCostHistory).toHaveLength(5);
    expect(r.testAccuracyHistory).toHaveLength(5);
    for (const v of r.testCostHistory) expect(v).toBeGreaterThan(0);
  }, 60_000);

  it('--early-stop stops, keeps the best epoch and says so; the result and the store record it', async () => {
    const db = join(tmp, 'c.db');
    const r = await train('--db', db, '--epochs', '3000', ...BASE, '--lr', '0.05', '--early-stop', '5', '--min-delta', '0.01');
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochs).toBeLessThan(3000);
    expect(r.bestEpoch).toBe(r.epochs - 6);
    const shown = await cli(['runs', 'show', '--db', db, r.runId]);
    expect(shown.stdout).toContain(`stopped early; the weights are epoch ${r.bestEpoch}'s`);
  }, 120_000);

  it('refuses what does not fit with one line naming the fix', async () => {
    const db = join(tmp, 'd.db');
    expect(await cli(['train', '--db', db, '--continue', 'abc', '--from-run', 'abc'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--from-run and --continue do not go together') });
    expect(await cli(['train', '--db', db, '--continue', 'zzzz'])).toMatchObject({ code: 2, stderr: 'backprop-lab: --continue zzzz: there is no run whose id starts with "zzzz"\n' });
    expect(await cli(['train', '--no-record', '--lr-schedule', 'exp'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--lr-schedule "exp" needs GAMMA') });
  }, 60_000);
});
