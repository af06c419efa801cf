// The benches' measure of the host's steal: /proc/stat's aggregate line read right, and a meter over real spans of
// this machine's time.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProcStat, readCpuTimes, StealMeter, stealText } from '../../scripts/bench/host-steal';

describe('host steal', () => {
  it("reads the aggregate cpu line's steal and total ticks (guest time is already in user)", () => {
    const text = 'cpu  2682631 1328 328490 6908538 10013 0 3061 25171 900 7\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2\n';
    expect(parseProcStat(text)).toEqual({ steal: 25171, total: 2682631 + 1328 + 328490 + 6908538 + 10013 + 0 + 3061 + 25171 });
    // a kernel older than steal's field, or something that is not /proc/stat
    expect(parseProcStat('cpu  1 2 3 4 5 6\n')).toBeNull();
    expect(parseProcStat('cpu0 1 2 3 4 5 6 7 8\n')).toBeNull();
    expect(parseProcStat('cpu  1 2 x 4 5 6 7 8\n')).toBeNull();
    expect(stealText(0.214)).toBe('21 %');
    expect(stealText(null)).toBe('-');
  });

  it('measures the share over the spans it is given, on this machine', async () => {
    if (!existsSync('/proc/stat')) {
      console.warn('host steal test: this system has no /proc/stat; the benches print "-" for steal here');
      expect(readCpuTimes()).toBeNull();
      expect(new StealMeter().share()).toBeNull();
      return;
    }
    const now = parseProcStat(readFileSync('/proc/stat', 'utf8'))!;
    const a = readCpuTimes()!;
    expect(a.total).toBeGreaterThanOrEqual(now.total);
    expect(a.steal).toBeLessThanOrEqual(a.total);
    const meter = new StealMeter();
    expect(meter.share()).toBeNull();
    // spans long enough for the kernel's ticks to move: busy until they have
    for (let i = 0; i < 2; i++) {
      await meter.around(() => {
        const from = readCpuTimes()!.total;
        while (readCpuTimes()!.total === from);
      });
    }
    const share = meter.share();
    expect(share).not.toBeNull();
    expect(share!).toBeGreaterThanOrEqual(0);
    expect(share!).toBeLessThanOrEqual(1);
    // a span that ends early throws through around() and still counts
    await expect(meter.around(() => Promise.reject(new Error('a failed run')))).rejects.toThrow('a failed run');
    expect(meter.share()).not.toBeNull();
  });
});
