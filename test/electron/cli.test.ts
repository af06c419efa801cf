// The `backprop-lab` command line, run in-process through main() with captured streams, and a few times as a
// real child process through bin/backprop-lab.js. Numbers are checked against the numpy reference.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED_ARCHITECTURE } from '../../engine/architecture';
import { defaultConfig, resolveConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import { paramsToJSON } from '../../engine/init';
import { main, type CliIO } from '../../electron/cli';
import { UsageError } from '../../electron/cli/args';
import { adaptArchitecture, parseTrainArgs, TRAIN_OPTIONS } from '../../electron/cli/train';
import { Progress } from '../../electron/cli/progress';
import { cpuTrainer, fixture, relErr } from '../helpers/engine';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/backprop-lab.js');
const grads0 = fixture<{ cost: number }>('reference/grads_epoch0.json');
const history = fixture<{ cost: number[]; cost_first_10: number[] }>('reference/cost_history.json');

const tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// every run these tests train is recorded here, never in the user's data folder (children inherit process.env)
const DATA_DIR = join(tmp, 'data');
process.env['BACKPROP_LAB_DATA_DIR'] = DATA_DIR;
const childEnv = { ...process.env, BACKPROP_LAB_DATA_DIR: DATA_DIR };

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** main(argv) with captured stdout/stderr; `io` overrides parts of the fake process. */
async function cli(argv: string[], io: Partial<CliIO> = {}): Promise<Ran> {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, cwd: tmp, env: childEnv, ...io });
  return { code, stdout, stderr };
}

/** The --json line: the last line on stdout. */
function lastJson(stdout: string): any {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe('backprop-lab train --json', () => {
  it('with --epochs 0 reports the cost at init equal to numpy to 1e-12', async () => {
    const r = await cli(['train', '--epochs', '0', '--json']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.status).toBe('finished');
    expect(out.epochs).toBe(0);
    expect(out.costHistory).toEqual([]);
    expect(relErr(out.finalCost, grads0.cost)).toBeLessThan(1e-12);
    expect(out.parameterCount).toBe(5226);
    expect(out.config).toEqual(resolveConfig({ training: { epochs: 0 } }));
    expect(out.testCost).toBeTypeOf('number');
    expect(out.testAccuracy).toBeTypeOf('number');
  });

  it('with --epochs 100 reproduces numpy: final cost = cost at epoch 100, and the first 10 costs', async () => {
    const r = await cli(['train', '--epochs', '100', '--json', '--backend', 'cpu']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.epochs).toBe(100);
    expect(relErr(out.finalCost, history.cost[1]!)).toBeLessThan(1e-12);
    expect(out.costHistory).toHaveLength(100);
    history.cost_first_10.forEach((c, i) => expect(relErr(out.costHistory[i], c)).toBeLessThan(1e-12));
    expect(out.backend).toMatchObject({ name: 'cpu', precision: 'float64' });
    expect(out.backend.reason).toMatch(/cpu/);
    expect(out.msPerEpoch).toBeGreaterThan(0);
    for (const k of ['trainAccuracy', 'testAccuracy', 'testCost']) expect(out[k]).toBeTypeOf('number');
    // progress and notes go to stderr; stdout holds the JSON line only
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('epoch 100/100 (100%)');
    expect(r.stderr).toMatch(/epoch 10\/100 \(10%\)  cost 0\.\d{6}  acc [\d.]+%  test acc [\d.]+%  [\d.]+ epochs\/s  ETA \d+s/);
    expect(r.stderr.match(/^epoch /gm)).toHaveLength(10); // a line every 10% when stderr is not a terminal
  });

  it('without --json prints a readable summary on stdout, and --quiet silences stderr', async () => {
    const r = await cli(['train', '--epochs', '3', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^trained 3 epochs in [\d.]+ s \([\d.]+ ms\/epoch\) on cpu/);
    expect(r.stdout).toMatch(/train cost 0\.\d{12}  train accuracy [\d.]+%  test cost 0\.\d+  test accuracy [\d.]+%/);
  });

  it('redraws one progress line in place when stderr is a terminal', async () => {
    const r = await cli(['train', '--epochs', '20'], { isTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\repoch 20/20 (100%)');
    // the redrawn line ends once, before the note that the run was recorded
    const progressPart = r.stderr.slice(r.stderr.indexOf('\r'), r.stderr.indexOf('backprop-lab: run '));
    expect(progressPart.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.slice(r.stderr.indexOf('backprop-lab: run '))).toMatch(/^backprop-lab: run [0-9a-f]{8} recorded in .*runs\.db\n$/);
  });
});

describe('backprop-lab train --export', () => {
  it('writes the architecture, W as (out, in) and b as (out, 1), equal to the trainer’s parameters', async () => {
    const file = join(tmp, 'model.json');
    const r = await cli(['train', '--epochs', '5', '--export', 'model.json', '--json']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.export).toBe(file);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.architecture).toEqual(SEED_ARCHITECTURE);
    const dims = [2, 25, 50, 50, 25, 1];
    for (let i = 1; i <= 5; i++) {
      const W = saved.params[`W${i}`], b = saved.params[`b${i}`];
      expect([W.length, W[0].length]).toEqual([dims[i], dims[i - 1]]);
      expect([b.length, b[0].length]).toEqual([dims[i], 1]);
    }
    expect(Object.keys(saved.params)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4', 'W5', 'b5']);
    expect(saved.config).toEqual(out.config);
    expect(saved.metrics).toMatchObject({ status: 'finished', epochs: 5, finalCost: out.finalCost, trainAccuracy: out.trainAccuracy, testAccuracy: out.testAccuracy });

    // the same run in-process: the exported numbers are its parameters, bit for bit
    const config = resolveConfig({ training: { epochs: 5 } });
    const trainer = await cpuTrainer(config, loadData(config.data));
    await trainer.run();
    expect(saved.params).toEqual(paramsToJSON(trainer.params()));
    trainer.free();
  });

  it('refuses a file name whose extension is not a format, before training', async () => {
    for (const name of ['model.txt', 'model', 'model.csv']) {
      const r = await cli(['train', '--export', name]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--export ${name}: the extension says which format to write; use FILE.json, FILE.npz, FILE.onnx or FILE.py`);
      expect(r.stdout).toBe('');
    }
  });

  it('names a missing export folder before training', async () => {
    const r = await cli(['train', '--export', 'no/such/dir/model.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--export: folder not found: .*no\/such\/dir/);
  });
});

describe('bad options and values exit 2 with one line naming them', () => {
  const bad: [string[], RegExp][] = [
    [['--lr', 'abc'], /--lr must be a positive number, got "abc"/],
    [['--lr', '-1'], /--lr must be a positive number, got -1/],
    [['--lr', '0'], /--lr must be a positive number, got 0/],
    [['--epochs', '1.5'], /--epochs must be an integer from 0 to 100,000,000, got 1\.5/],
    [['--epochs', '-3'], /--epochs must be an integer from 0 to 100,000,000, got -3/],
    [['--samples', '1'], /--samples must be an integer ≥ 2, got 1/],
    [['--seed', 'x'], /--seed must be an integer from 0 to 4294967295/],
    [['--dataset', 'foo'], /--dataset must be one of moons, circles, xor, spiral, gaussian, plane, multi-gaussian, iris, wine, breast_cancer, digits, diabetes or csv:PATH, got "foo"/],
    [['--dataset', 'csv'], /--dataset csv needs the file/],
    [['--optimizer', 'rmsprop'], /--optimizer must be one of sgd, momentum, adam, got "rmsprop"/],
    [['--backend', 'tpu'], /--backend must be one of auto, cpu, cpu-f32, gpu, got "tpu"/],
    [['--loss', 'hinge'], /--loss must be one of auto, .*got "hinge"/],
    [['--test-size', '1'], /--test-size must be a fraction from 0 up to \(not including\) 1, got 1/],
    [['--factor', '1.5', '--dataset', 'circles'], /--factor must be a number between 0 and 1/],
    [['--batch-size', '0'], /--batch-size must be an integer ≥ 1, got 0/],
    [['--foo'], /unknown option --foo; see backprop-lab train --help/],
    [['--lr'], /--lr needs a value/],
    [['--lr', '--epochs', '3'], /--lr needs a value/],
    [['--json=yes'], /--json takes no value/],
    [['extra'], /unexpected argument "extra"/],
    [['--label-column', 'y'], /--label-column is only for a CSV dataset/],
    [['--arch', 'missing-arch.json'], /--arch: file not found: \S*missing-arch\.json/],
    [['--arch', '[{"input_dim":2,"output_dim":3,"activation":"relu"},{"input_dim":4,"output_dim":1,"activation":"sigmoid"}]'], /layer 2 expects input_dim 4 but layer 1 outputs 3/],
    [['--arch', '[{"input_dim":2,"output_dim":1,"activation":"swish"}]'], /layer 1 has unknown activation "swish"/],
    [['--arch', '[{"input_dim":2,'], /--arch: not valid JSON/],
    [['--arch', '[{"input_dim":3,"output_dim":1,"activation":"sigmoid"}]'], /layer 1 has input_dim 3 but the data has 2 features/],
  ];
  it.each(bad)('train %j', async (args, message) => {
    const r = await cli(['train', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^backprop-lab: /);
    expect(r.stdout).toBe('');
  });

  it('reports a bad architecture file with the engine’s message and the file’s name', async () => {
    writeFileSync(join(tmp, 'bad-arch.json'), '[{"input_dim":2,"output_dim":3,"activation":"relu"},{"input_dim":4,"output_dim":1,"activation":"sigmoid"}]');
    const r = await cli(['train', '--arch', 'bad-arch.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('backprop-lab: --arch bad-arch.json: layer 2 expects input_dim 4 but layer 1 outputs 3; set layer 2 input_dim to 3\n');
  });

  it('--backend gpu trains on gpu.js and reports its mode and why, within 1e-3 of float64 numpy', async () => {
    const r = await cli(['train', '--backend', 'gpu', '--epochs', '100', '--json', '--no-record']);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.backend).toMatchObject({ name: 'gpu', precision: 'float32', mode: expect.stringMatching(/^(headlessgl|webasm)$/) });
    expect(out.backend.reason).toMatch(/^gpu was asked for; /);
    const ref = JSON.parse(readFileSync(new URL('../fixtures/reference/cost_history.json', import.meta.url), 'utf8'));
    expect(Math.abs(out.finalCost - ref.cost[1]) / ref.cost[1]).toBeLessThan(1e-3);
  });
});

describe('runs that do not finish', () => {
  it('a diverging run (--lr 100) exits 1, says why, and still prints the --json line', async () => {
    const r = await cli(['train', '--lr', '100', '--epochs', '200', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/backprop-lab: diverged at epoch \d+: .*try a smaller learning rate/);
    const out = lastJson(r.stdout);
    expect(out.status).toBe('diverged');
    expect(out.reason).toMatch(/^diverged at epoch \d+/);
    expect(out.epochs).toBeLessThan(200);
    expect(out.costHistory.length).toBe(out.epochs);
  });

  it('Ctrl-C stops the trainer, prints the partial result and exits 130', async () => {
    let interrupt: (() => void) | null = null;
    const pending = cli(['train', '--epochs', '1000000', '--json'], {
      onInterrupt(handler) {
        interrupt = handler;
        return () => void (interrupt = null);
      },
    });
    // training starts once the backend is chosen (auto measures each backend first): wait for the handler, then a bit
    for (let i = 0; i < 600 && !interrupt; i++) await new Promise((r) => setTimeout(r, 50));
    expect(interrupt).not.toBeNull();
    // training starts once the backend is chosen (auto measures each backend first): wait for the handler, then a bit
    for (let i = 0; i < 600 && !interrupt; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    interrupt!();
    const r = await pending;
    expect(r.code).toBe(130);
    const out = lastJson(r.stdout);
    expect(out.status).toBe('stopped');
    expect(out.epochs).toBeGreaterThan(0);
    expect(out.epochs).toBeLessThan(1000000);
    expect(out.costHistory).toHaveLength(out.epochs);
    expect(out.finalCost).toBeTypeOf('number');
    expect(r.stderr).toMatch(/stopped by the user at epoch \d+; the result below is partial/);
    expect(interrupt).toBeNull(); // unsubscribed
  });
});

describe('CSV datasets', () => {
  // three blobs in 3-D, labels 0/1/2
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 90; i++) {
    const k = i % 3;
    const j = (i * 7919) % 101 / 101 - 0.5;
    rows.push([k + 0.3 * j, -k + 0.2 * j, 0.5 * k - 0.1 * j, k].join(','));
  }
  const file = join(tmp, 'blobs.csv');
  writeFileSync(file, rows.join('\n') + '\n');

  it('trains on a CSV file, fitting the default architecture to its features and classes', async () => {
    const r = await cli(['train', '--dataset', `csv:${file}`, '--epochs', '30', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the default architecture was fitted to the data (3 features, 3 classes): 3-25-50-50-25-3, softmax output');
    const out = lastJson(r.stdout);
    expect(out.config.data).toMatchObject({ kind: 'csv', csv: { path: file } });
    expect(out.config.architecture[0]).toEqual({ input_dim: 3, output_dim: 25, activation: 'relu' });
    expect(out.config.architecture[4]).toEqual({ input_dim: 25, output_dim: 3, activation: 'softmax' });
    expect(out.costHistory).toHaveLength(30);
    expect(Number.isFinite(out.finalCost)).toBe(true);
  });

  it('uses --arch as given and --label-column, and names a missing file', async () => {
    const arch = '[{"input_dim":3,"output_dim":8,"activation":"tanh"},{"input_dim":8,"output_dim":3,"activation":"softmax"}]';
    const ok = await cli(['train', '--dataset', 'csv:blobs.csv', '--label-column', 'label', '--arch', arch, '--epochs', '5', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toContain('adapted');
    expect(lastJson(ok.stdout).config.data.csv.labelColumn).toBe('label');

    const missing = await cli(['train', '--dataset', 'csv:nope.csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/file not found: .*nope\.csv/);

    const badLabel = await cli(['train', '--dataset', 'csv:blobs.csv', '--label-column', 'nosuch', '--epochs', '1']);
    expect(badLabel.code).toBe(2);
    expect(badLabel.stderr).toMatch(/^backprop-lab: --dataset csv:.*blobs\.csv: .*nosuch/);
  });
});

describe('recording', () => {
  it('records a run in BACKPROP_LAB_DATA_DIR when no --db is given, and says so on stderr', async () => {
    const r = await cli(['train', '--epochs', '2', '--json']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.db).toBe(join(DATA_DIR, 'runs.db'));
    expect(existsSync(out.db)).toBe(true);
    expect(out.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.stderr).toContain(`backprop-lab: run ${out.runId.slice(0, 8)} recorded in ${out.db}\n`);
  });

  it('--no-record trains without a database', async () => {
    const db = join(tmp, 'never.db');
    const r = await cli(['train', '--epochs', '2', '--json', '--no-record'], { env: { BACKPROP_LAB_DATA_DIR: join(tmp, 'never') } });
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).runId).toBeUndefined();
    expect(existsSync(join(tmp, 'never'))).toBe(false);
    expect(existsSync(db)).toBe(false);
  });
});

describe('the dispatcher', () => {
  it('lists train, runs and serve', async () => {
    const r = await cli(['--help']);
    for (const c of ['train', 'runs', 'serve']) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect((await cli(['help', 'runs'])).stdout).toContain('Usage: backprop-lab runs <subcommand>');
  });

  it('--help and help list every train option with its default', async () => {
    for (const argv of [['--help'], ['help'], ['help', 'train'], ['train', '--help']]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      for (const o of TRAIN_OPTIONS) {
        expect(r.stdout).toContain(o.flag);
        if (o.default !== undefined) expect(r.stdout).toContain(`(default: ${o.default})`);
      }
    }
  });

  it('an unknown or missing command exits 2 with the usage', async () => {
    for (const argv of [['fly'], [], ['--foo']]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage: backprop-lab <command>');
      expect(r.stdout).toBe('');
    }
    expect((await cli(['fly'])).stderr).toMatch(/unknown command "fly"/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect((await cli(['--version'])).stdout).toBe(`backprop-lab ${pkg.version}\n`);
  });
});

describe('parseTrainArgs', () => {
  it('gives the seed experiment with no options', () => {
    const { config, options } = parseTrainArgs([]);
    expect(config).toEqual(defaultConfig());
    expect(options).toEqual({
      json: false, quiet: false, help: false, version: false, exportPath: null, exportFormat: null, initFrom: null,
      record: true, db: undefined, name: undefined, tags: [], archGiven: false, notes: [], from: null, overrides: {},
    });
  });

  it('maps every option into the RunConfig', () => {
    const { config, options } = parseTrainArgs(
      [
        '--dataset=circles', '--samples', '300', '--noise', '0.05', '--factor', '0.5', '--data-seed', '7', '--test-size', '0',
        '--split-seed', '3', '--epochs', '12', '--lr', '1e-3', '--batch-size', '32', '--optimizer', 'adam', '--beta1', '0.8',
        '--beta2', '0.99', '--epsilon', '1e-7', '--l2', '0.001', '--loss', 'mse', '--shuffle-seed', '9', '--seed', '5',
        '--init-scale', '0.5', '--backend', 'cpu', '--export', 'out.json', '--json', '-q',
      ],
      { cwd: '/somewhere' },
    );
    expect(config.data).toEqual({ kind: 'circles', samples: 300, noise: 0.05, factor: 0.5, seed: 7, testSize: 0, splitSeed: 3 });
    expect(config.training).toMatchObject({ epochs: 12, learningRate: 0.001, batchSize: 32, optimizer: 'adam', beta1: 0.8, beta2: 0.99, epsilon: 1e-7, l2: 0.001, loss: 'mse', shuffleSeed: 9 });
    expect(config.init).toEqual({ seed: 5, scale: 0.5 });
    expect(config.backend).toBe('cpu');
    expect(options).toMatchObject({ json: true, quiet: true, exportPath: '/somewhere/out.json', exportFormat: 'json', archGiven: false, notes: [] });
    expect(parseTrainArgs(['--batch-size', 'full']).config.training.batchSize).toBeNull();
  });

  it('reads --arch from a file (a bare list, or an export with "architecture") or inline JSON', () => {
    const arch = [{ input_dim: 2, output_dim: 4, activation: 'tanh' }, { input_dim: 4, output_dim: 1, activation: 'sigmoid' }];
    writeFileSync(join(tmp, 'arch.json'), JSON.stringify(arch));
    writeFileSync(join(tmp, 'exported.json'), JSON.stringify({ architecture: arch, params: {} }));
    expect(parseTrainArgs(['--arch', 'arch.json'], { cwd: tmp }).config.architecture).toEqual(arch);
    expect(parseTrainArgs(['--arch', 'exported.json'], { cwd: tmp }).config.architecture).toEqual(arch);
    const inline = parseTrainArgs(['--arch', JSON.stringify(arch)]);
    expect(inline.config.architecture).toEqual(arch);
    expect(inline.options.archGiven).toBe(true);
  });

  it('notes options that do not apply, and throws UsageError for bad ones', () => {
    expect(parseTrainArgs(['--factor', '0.5']).options.notes).toEqual(['--factor only applies to circles; ignored for moons']);
    expect(() => parseTrainArgs(['--lr', 'abc'])).toThrow(UsageError);
    expect(() => parseTrainArgs(['--lr', 'abc'])).toThrow('--lr must be a positive number, got "abc"');
  });

  it('reads the recording options: --db, --name, repeatable --tag with comma lists, --no-record', () => {
    const { options } = parseTrainArgs(['--db', 'x.db', '--name', '  wide net ', '--tag', 'a,b', '--tag', ' c ', '--init-from', 'w.npz'], { cwd: '/w' });
    expect(options).toMatchObject({ record: true, db: 'x.db', name: 'wide net', tags: ['a', 'b', 'c'], initFrom: '/w/w.npz' });
    expect(parseTrainArgs(['--no-record', '--name', 'n']).options).toMatchObject({ record: false, notes: ['--name has no effect with --no-record; ignored'] });
    expect(() => parseTrainArgs(['--name', ' '])).toThrow('--name must have 1 to 200 characters');
    // the numpy script embeds the starting weights, so a run from --init-from can be exported as .py too
    expect(parseTrainArgs(['--init-from', 'w.json', '--export', 'run.py']).options).toMatchObject({ exportFormat: 'py' });
  });

  it('adaptArchitecture fits the input and output layers to the data', () => {
    expect(adaptArchitecture(SEED_ARCHITECTURE, 2, 2)).toBeNull();
    const a = adaptArchitecture(SEED_ARCHITECTURE, 4, 5)!;
    expect(a[0]).toEqual({ input_dim: 4, output_dim: 25, activation: 'relu' });
    expect(a[4]).toEqual({ input_dim: 25, output_dim: 5, activation: 'softmax' });
  });
});

describe('Progress', () => {
  const m = (epoch: number, elapsedMs: number) => ({ epoch, trainCost: 0.5, trainAccuracy: 0.75, testCost: null, testAccuracy: null, elapsedMs });

  it('prints a line every 10% off a terminal, with the rate and the time left', () => {
    const lines: string[] = [];
    const p = new Progress((t) => lines.push(t), { total: 50, tty: false });
    for (let e = 0; e < 50; e++) p.update(m(e, (e + 1) * 10));
    p.finish();
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('epoch 5/50 (10%)  cost 0.500000  acc 75.00%  100 epochs/s  ETA 0s\n');
    expect(lines[9]).toBe('epoch 50/50 (100%)  cost 0.500000  acc 75.00%  100 epochs/s\n');
  });

  it('redraws at most every 100 ms on a terminal and always shows the last epoch', () => {
    let now = 0;
    const out: string[] = [];
    const p = new Progress((t) => out.push(t), { total: 1000, tty: true, now: () => now });
    for (let e = 0; e < 999; e++) {
      now = e; // 1 ms per epoch
      p.update(m(e, e + 1));
    }
    p.finish();
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out[out.length - 2]).toContain('epoch 999/1000');
    expect(out[out.length - 1]).toBe('\n');
    expect(out[0]).toMatch(/^\repoch 1\/1000 .*ETA 1s\x1b\[K$/);
  });
});

describe('bin/backprop-lab.js as a child process', () => {
  it('train --epochs 0 --json: the init cost equals numpy’s, nothing but JSON on stdout', () => {
    const r = spawnSync(process.execPath, [BIN, 'train', '--epochs', '0', '--json'], { cwd: ROOT, encoding: 'utf8', env: childEnv });
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(relErr(lastJson(r.stdout).finalCost, grads0.cost)).toBeLessThan(1e-12);
    expect(r.stderr).toContain('initializing');
  });

  it('a bad value exits 2 with one line on stderr', () => {
    const r = spawnSync(process.execPath, [BIN, 'train', '--lr', 'abc'], { cwd: ROOT, encoding: 'utf8', env: childEnv });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('backprop-lab: --lr must be a positive number, got "abc"\n');
  });

  it('SIGINT stops a run: partial JSON result and exit code 130', async () => {
    const child = spawn(process.execPath, [BIN, 'train', '--epochs', '1000000', '--json'], { cwd: ROOT, env: childEnv });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('training 1000000 epochs')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await started;
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const out = lastJson(stdout);
    expect(out.status).toBe('stopped');
    expect(out.epochs).toBeGreaterThan(0);
  });
});
