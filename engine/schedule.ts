// Learning-rate schedules: the learning rate of epoch t of E (0-based), from the configured rate, a schedule and a
// linear warm-up. One formula each, written in the order of operations the numpy fixtures and the .py export use.

import { ConfigError } from './config';

/** A parsed schedule: what `training.lrSchedule` says. */
export type LrSchedule =
  | { kind: 'constant' }
  /** lr·γ^⌊t/every⌋ */
  | { kind: 'step'; every: number; gamma: number }
  /** lr·γ^t */
  | { kind: 'exp'; gamma: number }
  /** min + (lr − min)·(1 + cos(πt/E))/2 */
  | { kind: 'cosine'; min: number };

const FORMS = 'constant, step:EVERY:GAMMA, exp:GAMMA or cosine[:MIN_LR]';

/**
 * Parses `constant`, `step:EVERY:GAMMA`, `exp:GAMMA`, `cosine` or `cosine:MIN_LR`. Throws ConfigError naming the
 * value and the valid forms.
 */
export function parseLrSchedule(text: string, path = 'training.lrSchedule'): LrSchedule {
  const bad = (why: string) => new ConfigError(`${path} ${JSON.stringify(text)} ${why}; use ${FORMS}`);
  if (typeof text !== 'string') throw new ConfigError(`${path} must be a string (${FORMS}), got ${JSON.stringify(text)}`);
  const [kind, ...args] = text.trim().split(':');
  const number = (s: string | undefined, what: string): number => {
    const v = s === undefined || s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) throw bad(`has ${what} ${JSON.stringify(s ?? '')}, not a number`);
    return v;
  };
  switch (kind) {
    case 'constant':
      if (args.length) throw bad('takes no arguments');
      return { kind: 'constant' };
    case 'step': {
      if (args.length !== 2) throw bad('needs EVERY and GAMMA');
      const every = number(args[0], 'EVERY');
      if (!Number.isInteger(every) || every < 1) throw bad('needs EVERY, a whole number of epochs ≥ 1');
      const gamma = number(args[1], 'GAMMA');
      if (!(gamma > 0)) throw bad('needs GAMMA > 0');
      return { kind: 'step', every, gamma };
    }
    case 'exp': {
      if (args.length !== 1) throw bad('needs GAMMA');
      const gamma = number(args[0], 'GAMMA');
      if (!(gamma > 0)) throw bad('needs GAMMA > 0');
      return { kind: 'exp', gamma };
    }
    case 'cosine': {
      if (args.length > 1) throw bad('takes at most MIN_LR');
      const min = args.length ? number(args[0], 'MIN_LR') : 0;
      if (min < 0) throw bad('needs MIN_LR ≥ 0');
      return { kind: 'cosine', min };
    }
    default:
      throw bad('is not a schedule');
  }
}

/** The schedule's canonical text (what the store and the CLI show). */
export function formatLrSchedule(s: LrSchedule): string {
  switch (s.kind) {
    case 'constant':
      return 'constant';
    case 'step':
      return `step:${s.every}:${s.gamma}`;
    case 'exp':
      return `exp:${s.gamma}`;
    case 'cosine':
      return s.min === 0 ? 'cosine' : `cosine:${s.min}`;
  }
}

/**
 * The learning rate of epoch t (0-based) of E: lr·(t+1)/warmup while t < warmup, else the schedule at t (the
 * schedule's clock is not shifted by the warm-up).
 */
export function learningRateAt(lr: number, schedule: LrSchedule, warmup: number, t: number, E: number): number {
  if (t < warmup) return (lr * (t + 1)) / warmup;
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'step':
      return lr * schedule.gamma ** Math.floor(t / schedule.every);
    case 'exp':
      return lr * schedule.gamma ** t;
    case 'cosine':
      return schedule.min + ((lr - schedule.min) * (1 + Math.cos((Math.PI * t) / E))) / 2;
  }
}
