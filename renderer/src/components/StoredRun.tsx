// Parts of the Design panel for picking a stored run up again (clone & edit, re-run, continue training) and the
// training controls past the basics: the learning-rate schedule with its warm-up, and early stopping.
import { useState } from 'react';
import { EARLY_STOP_METRICS, type EarlyStopMetric, type TrainingSpec } from '../../../engine/config';
import { formatLrSchedule, parseLrSchedule, type LrSchedule } from '../../../engine/schedule';
import type { Design } from '../live/design';
import { NumberField, Row } from './fields';

/** The stored run the Design panel shows, and what can be done with it. */
export interface StoredRunActions {
  runId: string;
  name: string;
  /** The epochs it has trained; continue picks up after them. */
  epochsDone: number;
  /** Where it came from, in words ("cloned from moons · lr 0.005 · adam"); null for a run trained from scratch. */
  lineage: string | null;
  /** Whether its trainer state was saved, so that it can be continued. */
  canContinue: boolean;
  /** Turns the panel into a new unsaved design from this run's configuration (Train records the run as its parent). */
  clone(): void;
  /** Trains it again from its recorded configuration (bit-identical). */
  rerun(): void;
  /** Trains `epochs` more epochs from its final weights and optimizer state. */
  continueFor(epochs: number): void;
}

export function StoredRunBar({ stored, design }: { stored: StoredRunActions; design: Design }) {
  const [epochs, setEpochs] = useState<number | null>(100);
  const cloning = design.from?.runId === stored.runId;
  return (
    <section className="stored-run" data-testid="stored-run">
      <p className="small">
        {cloning ? (
          <>
            New design cloned from <strong>{stored.name}</strong>: Train starts a new run that records it as its parent.
          </>
        ) : (
          <>
            Showing the settings of <strong>{stored.name}</strong> ({stored.epochsDone.toLocaleString('en-US')} epochs).
          </>
        )}
        {stored.lineage && (
          <span className="lineage muted" data-testid="run-lineage">
            {' '}
            It was {stored.lineage}.
          </span>
        )}
      </p>
      <div className="stored-actions">
        {!cloning && (
          <button type="button" className="btn small" data-testid="clone-run" onClick={stored.clone} title="Edit a copy of these settings; Train starts a new run">
            Clone &amp; edit
          </button>
        )}
        <button type="button" className="btn small" data-testid="rerun-run" onClick={stored.rerun} title="Train it again with the same settings and seeds (bit-identical)">
          Re-run
        </button>
        <span className="continue-group">
          <button
            type="button"
            className="btn small"
            data-testid="continue-run"
            disabled={!stored.canContinue || epochs === null}
            onClick={() => epochs !== null && stored.continueFor(epochs)}
            title={stored.canContinue ? 'Train more epochs from its final weights and optimizer state' : 'This run saved no trainer state to continue from'}
          >
            Continue training
          </button>
          <NumberField value={epochs} integer min={1} max={100_000_000} emptyValue={null} label="more epochs" testId="continue-epochs" onChange={setEpochs} />
          <span className="muted small">more epochs</span>
        </span>
      </div>
    </section>
  );
}

type ScheduleKind = LrSchedule['kind'];

/** The schedule's parts, or constant when the text does not parse (the host would refuse it anyway). */
function schedule(text: string): LrSchedule {
  try {
    return parseLrSchedule(text);
  } catch {
    return { kind: 'constant' };
  }
}

const DEFAULTS: Record<ScheduleKind, LrSchedule> = {
  constant: { kind: 'constant' },
  step: { kind: 'step', every: 100, gamma: 0.5 },
  exp: { kind: 'exp', gamma: 0.999 },
  cosine: { kind: 'cosine', min: 0 },
};

export function TrainingControls({ training, setTraining }: { training: TrainingSpec; setTraining: <K extends keyof TrainingSpec>(k: K, v: TrainingSpec[K]) => void }) {
  const s = schedule(training.lrSchedule);
  const set = (next: LrSchedule) => setTraining('lrSchedule', formatLrSchedule(next));
  return (
    <div className="two-col training-controls" data-testid="training-controls">
      <div className="span-2">
        <Row label="LR schedule" hint="per epoch t of E: step lr·γ^⌊t/every⌋, exp lr·γ^t, cosine min + (lr − min)·(1 + cos πt/E)/2">
          <select value={s.kind} data-testid="lr-schedule" onChange={(e) => set(DEFAULTS[e.target.value as ScheduleKind])}>
            <option value="constant">constant</option>
            <option value="step">step</option>
            <option value="exp">exponential</option>
            <option value="cosine">cosine</option>
          </select>
        </Row>
      </div>
      <Row label="Warm-up" hint="epochs of linear warm-up: lr·(t+1)/N for t < N">
        <NumberField value={training.warmup} integer min={0} max={100_000_000} field="Warm-up" testId="warmup" onChange={(v) => v !== null && setTraining('warmup', v)} />
      </Row>
      {s.kind === 'step' && (
        <>
          <Row label="Every (epochs)">
            <NumberField value={s.every} integer min={1} field="Schedule step every" testId="lr-step-every" onChange={(v) => v !== null && set({ ...s, every: v })} />
          </Row>
          <Row label="γ">
            <NumberField value={s.gamma} min={0} minExclusive field="Schedule γ" testId="lr-gamma" onChange={(v) => v !== null && set({ ...s, gamma: v })} />
          </Row>
        </>
      )}
      {s.kind === 'exp' && (
        <Row label="γ per epoch">
          <NumberField value={s.gamma} min={0} minExclusive field="Schedule γ" testId="lr-gamma" onChange={(v) => v !== null && set({ ...s, gamma: v })} />
        </Row>
      )}
      {s.kind === 'cosine' && (
        <Row label="Min LR">
          <NumberField value={s.min} min={0} field="Schedule min LR" testId="lr-min" onChange={(v) => v !== null && set({ ...s, min: v })} />
        </Row>
      )}
      <Row label="Early stop" hint="patience in epochs (0: off): stop when the metric has not improved for this many, keep the best epoch's weights">
        <NumberField value={training.earlyStop} integer min={0} max={100_000_000} field="Early-stop patience" testId="early-stop" onChange={(v) => v !== null && setTraining('earlyStop', v)} />
      </Row>
      {training.earlyStop > 0 && (
        <>
          <Row label="Watch cost" hint="auto: the test cost when there is a test set, else the train cost">
            <select value={training.earlyStopMetric} data-testid="early-stop-metric" onChange={(e) => setTraining('earlyStopMetric', e.target.value as EarlyStopMetric)}>
              {EARLY_STOP_METRICS.map((m) => (
                <option key={m} value={m}>
                  {m === 'auto' ? 'auto' : m === 'testCost' ? 'test' : 'train'}
                </option>
              ))}
            </select>
          </Row>
          <Row label="Min delta">
            <NumberField value={training.minDelta} min={0} field="Min delta" testId="min-delta" onChange={(v) => v !== null && setTraining('minDelta', v)} />
          </Row>
        </>
      )}
    </div>
  );
}
