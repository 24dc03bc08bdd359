import { describe, expect, it } from 'vitest';
import { maskFromDetection } from '../../src/anonymize/mask.js';
import type { Detection } from '../../src/detect/box.js';
import { fuseDetections } from '../../src/detect/fusion.js';

const det = (x1: number, y1: number, x2: number, y2: number, score: number): Detection => ({ score, box: { x1, y1, x2, y2 } });

describe('fuseDetections', () => {
  it('merges one face seen by several passes into one score-weighted box', () => {
    const fused = fuseDetections([[det(10, 10, 30, 30, 0.9)], [det(12, 12, 32, 32, 0.3)]], 0.4, 'max');
    expect(fused).toHaveLength(1);
    expect(fused[0]!.score).toBe(0.9);
    expect(fused[0]!.box.x1).toBeCloseTo((10 * 0.9 + 12 * 0.3) / 1.2, 6);
    expect(fused[0]!.box.x2).toBeCloseTo((30 * 0.9 + 32 * 0.3) / 1.2, 6);
  });

  it('keeps faces that only one pass found', () => {
    const fused = fuseDetections([[det(0, 0, 10, 10, 0.8)], [det(50, 50, 90, 90, 0.7)]], 0.4, 'max');
    expect(fused.map((d) => d.score).sort()).toEqual([0.7, 0.8]);
  });

  it('with noisy-or, agreement between passes raises the score above any single pass', () => {
    const [f] = fuseDetections([[det(0, 0, 10, 10, 0.5)], [det(0, 0, 10, 10, 0.5)]], 0.4, 'noisy-or');
    expect(f!.score).toBeCloseTo(0.75, 6);
    // Two detections from the same pass count once, by their best score.
    const [g] = fuseDetections([[det(0, 0, 10, 10, 0.5), det(1, 0, 11, 10, 0.4)]], 0.4, 'noisy-or');
    expect(g!.score).toBeCloseTo(0.5, 6);
  });

  it('averages landmarks with the same weights', () => {
    const lm = (x: number) => [0, 1, 2, 3, 4].map((k) => ({ x: x + k, y: 5 }));
    const [f] = fuseDetections([[{ ...det(0, 0, 10, 10, 0.6), landmarks: lm(0) }], [{ ...det(0, 0, 10, 10, 0.2), landmarks: lm(4) }]], 0.4, 'max');
    expect(f!.landmarks![0]!.x).toBeCloseTo(1, 6);
  });
});

describe('mask margin', () => {
  it('adds the margin on every side, at most three quarters of the face size', () => {
    const big = maskFromDetection(det(0, 0, 100, 60, 1), 'ellipse', 1.3, 10);
    expect(big.rx).toBeCloseTo(65 + 10);
    expect(big.ry).toBeCloseTo(39 + 10);
    const tiny = maskFromDetection(det(0, 0, 8, 8, 1), 'ellipse', 1.3, 10);
    expect(tiny.rx).toBeCloseTo(5.2 + 6);
  });
});
