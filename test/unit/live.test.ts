import { describe, expect, it } from 'vitest';
import { Latest } from '../../src/live/latest.js';
import { percentile, StatsWindow } from '../../src/live/stats.js';
import { frameToRgb } from '../../src/live/jpeg.js';
import { frameFromBuffer } from '../../src/media/frame.js';

describe('Latest', () => {
  it('hands the newest item to the consumer and drops the ones it replaced', async () => {
    const dropped: number[] = [];
    const slot = new Latest<number>((v) => dropped.push(v));
    slot.put(1);
    slot.put(2);
    slot.put(3);
    expect(await slot.take()).toBe(3);
    expect(dropped).toEqual([1, 2]);
    expect(slot.dropped).toBe(2);
  });

  it('wakes a waiting consumer, and ends with undefined', async () => {
    const slot = new Latest<number>(() => undefined);
    const waiting = slot.take();
    slot.put(7);
    expect(await waiting).toBe(7);
    const last = slot.take();
    slot.end();
    expect(await last).toBeUndefined();
    const dropped: number[] = [];
    const ended = new Latest<number>((v) => dropped.push(v));
    ended.put(1);
    ended.end();
    ended.put(2);
    expect(dropped).toEqual([1, 2]);
    expect(await ended.take()).toBeUndefined();
  });
});

describe('live stats', () => {
  it('percentile picks the nearest rank', () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
    expect(percentile([], 50)).toBe(0);
  });

  it('gives fps, latency and faces over the window, and whole-session percentiles', () => {
    const s = new StatsWindow(1000);
    for (let i = 0; i <= 60; i++) s.add(i * 40, i % 10 === 0 ? 100 : 20, 2, 640, 480);
    const r = s.read(2400, 3);
    expect(r.fps).toBe(25);
    expect(r.latencyMs.median).toBe(20);
    expect(r.latencyMs.p95).toBe(100);
    expect([r.frames, r.dropped, r.faces, r.width, r.height]).toEqual([61, 3, 2, 640, 480]);
    expect(s.overall()).toEqual({ median: 20, p95: 100 });
  });
});

describe('frameToRgb', () => {
  it('turns limited-range grey, white and a saturated colour into RGB', () => {
    // 2x2 frame: Y = 16 (black), 235 (white), 126, 126; one chroma sample, neutral.
    const grey = frameToRgb(frameFromBuffer(Uint8Array.from([16, 235, 126, 126, 128, 128]), 'yuv420p', 2, 2, 0, 0));
    expect([...grey.subarray(0, 6)]).toEqual([0, 0, 0, 255, 255, 255]);
    expect(Math.abs(grey[6]! - 128)).toBeLessThanOrEqual(1);
    // BT.601 red: Y 81, U 90, V 240.
    const red = frameToRgb(frameFromBuffer(Uint8Array.from([81, 81, 81, 81, 90, 240]), 'yuv420p', 2, 2, 0, 0));
    expect(red[0]).toBeGreaterThan(250);
    expect(red[1]).toBeLessThan(5);
    expect(red[2]).toBeLessThan(5);
  });
});
