// The foundation page: the seed architecture with its parameter counts, and a button that trains it for
// 100 epochs right here in the page with the engine's CPU backend. The full dashboard replaces this later.
import { useState } from 'react';
import { SEED_ARCHITECTURE, layerParameterCount, parameterCount } from '../../engine/architecture';
import { resolveConfig } from '../../engine/config';
import { createTrainer } from '../../engine/train';

const EPOCHS = 100;
const fmtInt = (n: number) => n.toLocaleString('en-US');

type TrainState =
  | { phase: 'idle' }
  | { phase: 'running'; epoch: number; epoch0Cost?: number }
  | { phase: 'done'; epoch0Cost: number; finalCost: number; trainAccuracy: number; testAccuracy: number | null; ms: number; backend: string }
  | { phase: 'failed'; message: string };

export function App() {
  const [train, setTrain] = useState<TrainState>({ phase: 'idle' });

  async function onTrain(): Promise<void> {
    setTrain({ phase: 'running', epoch: 0 });
    const started = performance.now();
    try {
      const trainer = await createTrainer(resolveConfig({ training: { epochs: EPOCHS }, backend: 'cpu' }));
      let epoch0Cost: number | undefined;
      const result = await trainer.run({
        onEpoch: (m) => {
          if (m.epoch === 0) epoch0Cost = m.trainCost;
          setTrain({ phase: 'running', epoch: m.epoch + 1, epoch0Cost });
        },
      });
      setTrain({
        phase: 'done',
        // costHistory[0] is the same number as epoch 0's trainCost; it backs up a trainer that skips onEpoch.
        epoch0Cost: epoch0Cost ?? result.costHistory[0],
        finalCost: result.finalCost,
        trainAccuracy: result.trainAccuracy,
        testAccuracy: result.testAccuracy,
        ms: performance.now() - started,
        backend: `${result.backend.name} · ${result.backend.mode}`,
      });
    } catch (e) {
      setTrain({ phase: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  }

  const total = parameterCount(SEED_ARCHITECTURE);
  const bridge = window.backpropLab;

  return (
    <main className="page">
      <header>
        <h1>Backprop Lab</h1>
        <p className="sub">
          Design, train and compare small neural networks.
          <span className="where" data-testid="host">
            {bridge ? `desktop app ${bridge.version} · Electron ${bridge.runtime.electron}` : 'browser'}
          </span>
        </p>
      </header>

      <section>
        <h2>Seed architecture</h2>
        <table className="layers" data-testid="architecture">
          <thead>
            <tr>
              <th>Layer</th>
              <th>Input</th>
              <th>Output</th>
              <th>Activation</th>
              <th className="num">Parameters</th>
            </tr>
          </thead>
          <tbody>
            {SEED_ARCHITECTURE.map((l, i) => (
              <tr key={i} data-testid="layer-row">
                <td>
                  W{i + 1}, b{i + 1}
                </td>
                <td>{l.input_dim}</td>
                <td>{l.output_dim}</td>
                <td>{l.activation}</td>
                <td className="num" data-testid="layer-params">
                  {fmtInt(layerParameterCount(l))}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={4}>Total</td>
              <td className="num" data-testid="total-params">
                {fmtInt(total)}
              </td>
            </tr>
          </tfoot>
        </table>
      </section>

      <section>
        <h2>Train</h2>
        <p className="sub">
          Moons (1000 samples, noise 0.2), full-batch gradient descent, learning rate 0.01 — the seed
          notebook's experiment, cut to {EPOCHS} epochs, on the float64 CPU backend.
        </p>
        <button type="button" data-testid="train" disabled={train.phase === 'running'} onClick={() => void onTrain()}>
          Train {EPOCHS} epochs in this window
        </button>
        <Status state={train} />
      </section>
    </main>
  );
}

function Status({ state }: { state: TrainState }) {
  switch (state.phase) {
    case 'idle':
      return null;
    case 'running':
      return (
        <p className="status" data-testid="status">
          Training… epoch {state.epoch} of {EPOCHS}
        </p>
      );
    case 'failed':
      return (
        <p className="status error" data-testid="train-error" role="alert">
          Training failed: {state.message}
        </p>
      );
    case 'done':
      // Costs are printed in full (shortest round-trip form) so they can be compared with numpy digit for digit.
      return (
        <dl className="results" data-testid="results">
          <dt>Cost at epoch 0</dt>
          <dd data-testid="epoch0-cost">{String(state.epoch0Cost)}</dd>
          <dt>Cost after {EPOCHS} epochs</dt>
          <dd data-testid="final-cost">{String(state.finalCost)}</dd>
          <dt>Train accuracy</dt>
          <dd data-testid="train-accuracy">{(state.trainAccuracy * 100).toFixed(2)} %</dd>
          <dt>Test accuracy</dt>
          <dd data-testid="test-accuracy">{state.testAccuracy === null ? '—' : `${(state.testAccuracy * 100).toFixed(2)} %`}</dd>
          <dt>Backend</dt>
          <dd data-testid="backend">{state.backend}</dd>
          <dt>Time</dt>
          <dd data-testid="train-ms">{state.ms.toFixed(0)} ms</dd>
        </dl>
      );
  }
}
