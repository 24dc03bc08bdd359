import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/detect/box.js';
import { Tracker, type TrackerSettings } from '../../src/track/tracker.js';

const settings: TrackerSettings = { holdFrames: 5, lookaheadFrames: 4, smoothFrames: 3, growthPerFrame: 0.05, maxGrowth: 1.5 };
const face = (cx: number, cy: number, size = 40, score = 0.9): Detection => ({
  score,
  box: { x1: cx - size / 2, y1: cy - size / 2, x2: cx + size / 2, y2: cy + size / 2 },
});
const centre = (d: Detection) => [(d.box.x1 + d.box.x2) / 2, (d.box.y1 + d.box.y2) / 2];
const width = (d: Detection) => d.box.x2 - d.box.x1;

describe('Tracker', () => {
  it('keeps two moving faces apart (association)', () => {
    const t = new Tracker(settings);
    for (let f = 0; f < 10; f++) t.update(f, [face(100 + 5 * f, 100), face(300 - 5 * f, 100)]);
    expect(t.trackCount).toBe(2);
    const regions = t.regionsAt(9);
    expect(regions).toHaveLength(2);
    const xs = regions.map((r) => centre(r)[0]!).sort((a, b) => a - b);
    expect(xs[0]).toBeCloseTo(145, 0);
    expect(xs[1]).toBeCloseTo(255, 0);
  });

  it('predicts a missed face along its motion and grows the mask while it is unseen', () => {
    const t = new Tracker(settings);
    for (let f = 0; f < 6; f++) t.update(f, [face(100 + 4 * f, 50)]);
    for (let f = 6; f < 9; f++) t.update(f, []);
    const [r] = t.regionsAt(8);
    expect(centre(r!)[0]).toBeCloseTo(132, 0);
    expect(width(r!)).toBeCloseTo(40 * (1 + 0.05 * 3), 1);
  });

  it('drops a track once its hold has run out', () => {
    const t = new Tracker(settings);
    t.update(0, [face(100, 100)]);
    for (let f = 1; f <= 5; f++) t.update(f, []);
    expect(t.regionsAt(5)).toHaveLength(1);
    t.update(6, []);
    expect(t.regionsAt(6)).toHaveLength(0);
  });

  it('covers a face in the look-ahead frames before its first detection (back-fill)', () => {
    const t = new Tracker(settings);
    for (let f = 0; f < 10; f++) t.update(f, f >= 6 ? [face(200, 200)] : []);
    expect(t.regionsAt(1)).toHaveLength(0);
    expect(t.regionsAt(2)).toHaveLength(1);
    const [cx, cy] = centre(t.regionsAt(3)[0]!);
    expect(cx).toBeCloseTo(200, 6);
    expect(cy).toBeCloseTo(200, 6);
  });

  it('bridges a gap by interpolating between the detections on either side', () => {
    const t = new Tracker(settings);
    // Seen at frames 0 and 8 (past the 5-frame hold, within hold + look-ahead), 48 px apart: no overlap left.
    for (let f = 0; f <= 8; f++) t.update(f, f === 0 || f === 8 ? [face(100 + 6 * f, 100)] : []);
    expect(t.trackCount).toBe(1);
    const [mid] = t.regionsAt(4);
    expect(t.regionsAt(4)).toHaveLength(1);
    expect(centre(mid!)[0]).toBeCloseTo(124, 5);
  });

  it('frames that were not looked at (--detect-every) are not misses', () => {
    const t = new Tracker({ ...settings, holdFrames: 2 });
    for (let f = 0; f <= 12; f++) t.update(f, f % 3 === 0 ? [face(100, 100)] : undefined);
    for (let f = 0; f <= 12; f++) expect(t.regionsAt(f)).toHaveLength(1);
  });

  it('smooths detector jitter on a still face', () => {
    const t = new Tracker(settings);
    const noise = [3, -2, 4, -3, 1, -4, 2, -1, 3, -3, 2, -2, 4, -4];
    noise.forEach((n, f) => t.update(f, [face(100 + n, 100)]));
    const raw = noise.slice(1).reduce((s, n, i) => s + Math.abs(n - noise[i]!), 0) / (noise.length - 1);
    const xs = noise.map((_, f) => centre(t.regionsAt(f)[0]!)[0]!);
    const smoothed = xs.slice(1).reduce((s, x, i) => s + Math.abs(x - xs[i]!), 0) / (xs.length - 1);
    expect(smoothed).toBeLessThan(raw / 2);
  });

  it('carries landmarks with the box', () => {
    const t = new Tracker(settings);
    const d: Detection = { ...face(100, 100), landmarks: [{ x: 90, y: 95 }, { x: 110, y: 95 }, { x: 100, y: 100 }, { x: 92, y: 110 }, { x: 108, y: 110 }] };
    t.update(0, [d]);
    t.update(1, [{ ...d, box: { x1: 90, y1: 80, x2: 130, y2: 120 }, landmarks: d.landmarks!.map((p) => ({ x: p.x + 10, y: p.y })) }]);
    const [r] = t.regionsAt(1);
    expect(r!.landmarks![0]!.x).toBeGreaterThan(90);
    expect(r!.landmarks![0]!.x).toBeLessThan(r!.landmarks![1]!.x);
  });

  it('spreads the landmarks with the growing mask while a face is unseen, so an eye band grows too', () => {
    const t = new Tracker(settings);
    const d: Detection = { ...face(100, 100), landmarks: [{ x: 90, y: 95 }, { x: 110, y: 95 }, { x: 100, y: 100 }, { x: 92, y: 110 }, { x: 108, y: 110 }] };
    t.update(0, [d]);
    for (let f = 1; f <= 4; f++) t.update(f, []);
    const eyes = (r: Detection) => r.landmarks![1]!.x - r.landmarks![0]!.x;
    expect(eyes(t.regionsAt(0)[0]!)).toBeCloseTo(20, 5);
    expect(eyes(t.regionsAt(4)[0]!)).toBeCloseTo(20 * (1 + 0.05 * 4), 5);
    expect(centre(t.regionsAt(4)[0]!)).toEqual(centre(t.regionsAt(0)[0]!));
  });

  it('marks each region with its track and how its box was found on that frame', () => {
    const t = new Tracker(settings);
    // Detected on frames 4, 5 and 8; the look-ahead reaches back 4 frames, the hold 5 frames on.
    for (let f = 0; f <= 13; f++) t.update(f, [4, 5, 8].includes(f) ? [face(100, 100)] : []);
    const kinds: string[] = [];
    // Frames are asked for after the detections that inform them, as the look-ahead window does.
    const t2 = new Tracker(settings);
    for (let f = 0; f <= 13; f++) {
      t2.update(f, [4, 5, 8].includes(f) ? [face(100, 100)] : []);
      if (f >= 4) kinds.push(...t2.regionsAt(f - 4).map((r) => `${f - 4}:${r.kind}:${r.trackId}`));
    }
    expect(kinds).toEqual(['0:lookahead:0', '1:lookahead:0', '2:lookahead:0', '3:lookahead:0', '4:detected:0', '5:detected:0', '6:interpolated:0', '7:interpolated:0', '8:detected:0', '9:held:0']);
    expect(t.regionsAt(13).map((r) => r.kind)).toEqual(['held']);
  });
});
