import { describe, expect, it } from 'vitest';
import type { Box } from '../../src/detect/box.js';
import type { Plane } from '../../src/media/frame.js';
import { windowFrames } from '../../src/track/follow-frames.js';
import { applyRelation, damp, predictBox, relationOf, squareAround, STILL, updateMotion, visibleFraction } from '../../src/track/follow-geometry.js';
import { loadOpenCv } from '../../src/track/opencv.js';
import { samplePatch } from '../../src/track/patch.js';
import { createTemplateTracker, subpixelPeak } from '../../src/track/template-tracker.js';

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

/** A smooth random texture (sums of sines with fixed, incommensurate frequencies), shifted by (ox, oy) and scaled by k about (cx, cy). */
function texture(width: number, height: number, ox = 0, oy = 0, k = 1, cx = 0, cy = 0): Plane {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = cx + (x - ox - cx) / k;
      const v = cy + (y - oy - cy) / k;
      const s = Math.sin(u * 0.21 + v * 0.07) + Math.sin(u * 0.05 - v * 0.23 + 1) + Math.sin((u + 2 * v) * 0.11 + 2) * Math.cos(u * 0.031);
      data[y * width + x] = Math.round(128 + 40 * s);
    }
  }
  return { data, width, height, subsample: 1 };
}

describe('samplePatch', () => {
  const plane = Uint8Array.from({ length: 16 }, (_, i) => i * 10); // 4x4, value = 10 * (4y + x)

  it('copies a region at its own size exactly', () => {
    const out = new Uint8Array(4);
    samplePatch(plane, 4, 4, box(1, 1, 3, 3), 2, 2, out);
    expect([...out]).toEqual([50, 60, 90, 100]);
  });

  it('averages neighbours when halving, and repeats edge pixels past the plane', () => {
    const half = new Uint8Array(4);
    samplePatch(plane, 4, 4, box(0, 0, 4, 4), 2, 2, half);
    // Output pixel (0,0) samples the source at (0.5, 0.5): the mean of 0, 10, 40, 50.
    expect([...half]).toEqual([25, 45, 105, 125]);
    const outside = new Uint8Array(4);
    samplePatch(plane, 4, 4, box(-10, -10, -8, -8), 2, 2, outside);
    expect([...outside]).toEqual([0, 0, 0, 0]);
    samplePatch(plane, 4, 4, box(6, 1, 8, 3), 2, 2, outside);
    expect([...outside]).toEqual([70, 70, 110, 110]);
  });

  it('samples any region as bilinear interpolation at each output pixel centre, edges repeated', () => {
    // The textbook formula, pixel by pixel, against the column tables of samplePatch.
    const t = texture(37, 29);
    const at = (x: number, y: number) => t.data[Math.min(28, Math.max(0, y)) * 37 + Math.min(36, Math.max(0, x))]!;
    const bilinear = (fx: number, fy: number) => {
      const [x, y] = [Math.min(36, Math.max(0, fx)), Math.min(28, Math.max(0, fy))];
      const [x0, y0] = [Math.floor(x), Math.floor(y)];
      const [wx, wy] = [x - x0, y - y0];
      const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * wx;
      const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * wx;
      return Math.round(top + (bottom - top) * wy);
    };
    // Fixed regions (inside, around, past the corner), then 300 pseudo-random ones.
    const cases: [Box, number, number][] = [[box(3.3, 2.7, 20.9, 17.1), 11, 9], [box(-6, -4, 45, 33), 23, 17], [box(30, 20, 44, 35), 14, 15]];
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let n = 0; n < 300; n++) {
      const [x, y] = [rand() * 50 - 10, rand() * 40 - 8];
      cases.push([box(x, y, x + 1 + rand() * 30, y + 1 + rand() * 25), 1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 40)]);
    }
    for (const [region, w, h] of cases) {
      const out = new Uint8Array(w * h);
      samplePatch(t.data, 37, 29, region, w, h, out);
      const [sx, sy] = [(region.x2 - region.x1) / w, (region.y2 - region.y1) / h];
      for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) expect(out[j * w + i], `(${i},${j})`).toBe(bilinear(region.x1 + (i + 0.5) * sx - 0.5, region.y1 + (j + 0.5) * sy - 0.5));
    }
  });
});

describe('follow geometry', () => {
  it('predicts along the smoothed motion and slows down without confirmation', () => {
    const a = box(100, 100, 140, 140);
    const b = box(110, 96, 150, 136);
    const m = updateMotion(STILL, a, b, 1);
    expect(m.dx).toBeCloseTo(10);
    expect(m.dy).toBeCloseTo(-4);
    expect(m.dlogSize).toBeCloseTo(0);
    expect(predictBox(b, m)).toEqual(box(120, 92, 160, 132));
    const half = updateMotion(STILL, a, b, 0.5);
    expect(half.dx).toBeCloseTo(5);
    expect(damp(m, 0.5).dx).toBeCloseTo(5);
    const grown = updateMotion(STILL, a, box(98, 98, 142, 142), 1);
    expect(Math.exp(grown.dlogSize)).toBeCloseTo(1.1);
    const p = predictBox(a, grown);
    expect(p.x2 - p.x1).toBeCloseTo(44);
  });

  it('keeps the drawn box on a detection through the relation, at any size', () => {
    const drawn = box(90, 80, 130, 140);
    const det = box(100, 100, 120, 125);
    const r = relationOf(drawn, det);
    expect(applyRelation(r, det)).toEqual(drawn);
    // The same face twice as large and moved: the drawn box scales with it.
    const b = applyRelation(r, box(200, 200, 240, 250));
    expect(b.x1).toBeCloseTo(180);
    expect(b.y1).toBeCloseTo(160);
    expect(b.x2).toBeCloseTo(260);
    expect(b.y2).toBeCloseTo(280);
  });

  it('measures how much of a box is inside the frame', () => {
    expect(visibleFraction(box(10, 10, 20, 20), 100, 100)).toBe(1);
    expect(visibleFraction(box(-10, 10, 10, 20), 100, 100)).toBeCloseTo(0.5);
    expect(visibleFraction(box(95, 95, 105, 105), 100, 100)).toBeCloseTo(0.25);
    expect(visibleFraction(box(200, 10, 210, 20), 100, 100)).toBe(0);
    expect(visibleFraction(box(10, 10, 10, 20), 100, 100)).toBe(0);
  });

  it('squares a region around a box', () => {
    expect(squareAround(box(10, 20, 30, 60), 2)).toEqual(box(-20, 0, 60, 80));
  });

  it('holds a bounded number of frames for backward following', () => {
    expect(windowFrames(1280, 720)).toBe(169);
    expect(windowFrames(1920, 1080)).toBe(75);
    expect(windowFrames(7680, 4320)).toBe(8);
    // Luma alone is 1 byte a pixel: 224 MiB / (1280 x 720), and / (1920 x 1080).
    expect(windowFrames(1280, 720, 'gray')).toBe(254);
    expect(windowFrames(1920, 1080, 'gray')).toBe(113);
  });
});

describe('subpixelPeak', () => {
  it('finds the vertex of a parabola sampled at whole pixels', () => {
    // 3x3 correlation surface sampled from 1 - (x - 1.3)^2 - (y - 0.8)^2: peak at (1.3, 0.8).
    const f = (x: number, y: number) => 1 - (x - 1.3) ** 2 - (y - 0.8) ** 2;
    const r = Float32Array.from({ length: 9 }, (_, i) => f(i % 3, Math.floor(i / 3)));
    const [ox, oy] = subpixelPeak(r, 3, 3, 1, 1);
    expect(ox).toBeCloseTo(0.3, 5);
    expect(oy).toBeCloseTo(-0.2, 5);
    // On the border there is no neighbour on one side: no refinement.
    expect(subpixelPeak(r, 3, 3, 0, 1)[0]).toBe(0);
  });
});

describe('template tracker (OpenCV.js)', () => {
  it('finds a region moved by a few pixels, and one that grew', async () => {
    const cv = await loadOpenCv();
    const seed = box(80, 60, 140, 110);
    const t = createTemplateTracker(cv, texture(240, 200), seed);
    try {
      const moved = t.match(texture(240, 200, 7, -5), seed, 20);
      expect(moved.score).toBeGreaterThan(0.95);
      expect(moved.box.x1).toBeCloseTo(87, -0.5);
      expect(moved.box.y1).toBeCloseTo(55, -0.5);
      // Growing by 2% a frame about the box's centre for 8 frames (17% in all): the size follows
      // within one 2% step.
      let grown = { box: seed, score: 1 };
      for (let n = 1; n <= 8; n++) grown = t.match(texture(240, 200, 0, 0, 1.02 ** n, 110, 85), grown.box, 10);
      expect(grown.score).toBeGreaterThan(0.95);
      expect((grown.box.x2 - grown.box.x1) / 60).toBeGreaterThan(1.02 ** 7);
      expect((grown.box.x2 - grown.box.x1) / 60).toBeLessThan(1.02 ** 9);
      // A different picture does not match.
      const other = t.match({ ...texture(240, 200, 0, 0, 3.7, 17, 150) }, seed, 20);
      expect(other.score).toBeLessThan(0.5);
    } finally {
      t.dispose();
    }
  });
});
