// How much of this machine's CPU time its host took while a benchmark ran. A virtual machine's vCPUs share the
// host's cores with other guests; Linux counts the time a vCPU was ready to run but the host ran something else as
// "steal" (/proc/stat). Two training threads that wait on each other lose more than the stolen share, so a row
// timed while the host stole 20 % can take twice as long as the same row a minute later: the benches print the
// share beside their figures, so a reader can tell the code's speed from the host's. null where there is no
// /proc/stat (Windows, macOS).
import { readFileSync } from 'node:fs';

/** Clock ticks since boot over every CPU: the stolen ones and all of them. */
export interface CpuTimes {
  steal: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat's text (user nice system idle iowait irq softirq steal …); null if absent. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  // guest and guest_nice (fields 9–10) are already counted in user and nice
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
  return { steal: f[7]!, total: f.reduce((a, b) => a + b, 0) };
}

/** This machine's CPU times now; null where the kernel does not report them. */
export function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Adds up the stolen and total ticks over several measured spans; share() is their ratio (null: nothing measured). */
export class StealMeter {
  private steal = 0;
  private total = 0;
  private from: CpuTimes | null = null;

  start(): void {
    this.from = readCpuTimes();
  }

  stop(): void {
    const to = readCpuTimes();
    if (this.from && to) {
      this.steal += to.steal - this.from.steal;
      this.total += to.total - this.from.total;
    }
    this.from = null;
  }

  /** Measures the span of `f` (its promise's settling for an async one). */
  async around<T>(f: () => T | Promise<T>): Promise<T> {
    this.start();
    try {
      return await f();
    } finally {
      this.stop();
    }
  }

  /** The stolen fraction of every CPU's time over the measured spans; null when none could be measured. */
  share(): number | null {
    return this.total > 0 ? this.steal / this.total : null;
  }
}

/** A share as the benches print it: "12 %", or "-" where the host's steal is not reported. */
export const stealText = (share: number | null): string => (share === null ? '-' : `${Math.round(share * 100)} %`);
