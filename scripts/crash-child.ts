// The child process of the store's crash test (test/electron/store/crash.test.ts) and its two-writer test:
// trains a real engine run at full speed on the CPU backend, recording it through MetricsRecorder, and prints
//   started <runId>        once the run exists
//   committed <lastEpoch>  after each committed metrics batch (the line is written only after the commit)
//   finished <epochs>      when the run ends normally (with --epochs N)
// The crash test SIGKILLs it at random moments; every epoch it reported must then be in the database.
//
//   npx tsx scripts/crash-child.ts DBPATH [--epochs N] [--flush-ms MS] [--name NAME]

import { CpuBackend } from '../engine/backends/cpu';
import { resolveConfig } from '../engine/config';
import { loadData } from '../engine/datasets/index';
import { createTrainer } from '../engine/train';
import { MetricsRecorder, openStore } from '../electron/store/index';

function arg(flag: string, fallback: string): string {
  const i = process.argv.indexOf(flag);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const dbPath = process.argv[2];
  if (!dbPath || dbPath.startsWith('--')) {
    process.stderr.write('usage: crash-child.ts DBPATH [--epochs N] [--flush-ms MS] [--name NAME]\n');
    process.exit(2);
  }
  const epochs = Number(arg('--epochs', '1000000'));
  const flushEveryMs = Number(arg('--flush-ms', '20'));
  const config = resolveConfig({ training: { epochs }, backend: 'cpu' });
  const data = loadData(config.data);
  const backend = new CpuBackend();
  const info = { name: backend.name, mode: backend.mode, precision: backend.precision, reason: 'cpu was asked for' };
  const trainer = await createTrainer(config, { data, backend: { backend, info } });

  const store = openStore({ path: dbPath });
  const run = store.createRun(config, { name: arg('--name', `crash-child ${process.pid}`), backend: info });
  process.stdout.write(`started ${run.id}\n`);
  const recorder = new MetricsRecorder(store, run.id, {
    flushEveryMs,
    // stdout to a pipe is synchronous on Linux and macOS: the line is out before the next epoch starts
    onFlush: ({ lastStep }) => process.stdout.write(`committed ${lastStep}\n`),
  });
  const result = await trainer.run({ onEpoch: (m) => recorder.record(m) });
  recorder.finish(result, trainer.params());
  store.close();
  process.stdout.write(`finished ${result.epochs}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`crash-child: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
