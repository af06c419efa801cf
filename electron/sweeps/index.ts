// Sweeps: a spec (spec.ts) → trials (trials.ts), stopped early by ASHA (asha.ts). Pure parts only; running the
// trials (a local pool, or BullMQ workers) belongs to the host core.

export * from './spec';
export * from './trials';
export * from './asha';
