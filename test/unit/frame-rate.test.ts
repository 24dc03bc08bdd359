import { describe, expect, it } from 'vitest';
import { rateFromTimes } from '../../src/media/frame-rate.js';

/** Issue 13, defect 4: constant or variable is read off the frames' timestamps, never the container's declared rate. */
describe('rateFromTimes', () => {
  const grid = (n: number, fps: number, start = 0) => Array.from({ length: n }, (_, k) => start + k / fps);
  const ms = (t: number[]) => t.map((x) => Math.round(x * 1000) / 1000);

  it('calls 29.97 fps constant, also with Matroska’s millisecond rounding and from a late start', () => {
    for (const times of [grid(300, 30000 / 1001), ms(grid(300, 30000 / 1001, 0.521))]) {
      const r = rateFromTimes(times)!;
      expect(r.variable).toBe(false);
      expect(r.fps).toBeCloseTo(30000 / 1001, 2);
    }
  });

  it('calls a phone’s 33/67/100 ms gaps variable, with their mean rate', () => {
    const times = [0.021];
    for (let i = 1; i < 84; i++) times.push(times[i - 1]! + [0.033, 0.067, 0.1][i % 3]!);
    const r = rateFromTimes(ms(times))!;
    expect(r.variable).toBe(true);
    expect(r.fps).toBeCloseTo(83 / (times[83]! - times[0]!), 6);
  });

  it('calls one dropped frame variable, and takes timestamps in decode order', () => {
    const times = grid(100, 25).filter((_, k) => k !== 40);
    expect(rateFromTimes(times)!.variable).toBe(true);
    const reordered = grid(30, 25);
    [reordered[3], reordered[4]] = [reordered[4]!, reordered[3]!];
    expect(rateFromTimes(reordered)!.variable).toBe(false);
  });

  it('knows nothing from fewer than three timestamps, or none that differ', () => {
    expect(rateFromTimes([0, 0.04])).toBeUndefined();
    expect(rateFromTimes([1, 1, 1, 1])).toBeUndefined();
    expect(rateFromTimes([NaN, NaN, NaN])).toBeUndefined();
  });
});
