import { describe, expect, it } from 'vitest';
import { clipBox, iou, scaleBox, type Detection } from '../../src/detect/box.js';
import { KEEP_TOP_K, nms, PRE_NMS_TOP_K } from '../../src/detect/nms.js';
import { regionMask, type AnonymizeSettings } from '../../src/anonymize/anonymize.js';
import { maskFromDetection, rasterize } from '../../src/anonymize/mask.js';
import { detectionSize } from '../../src/detect/detector.js';

const det = (x1: number, y1: number, x2: number, y2: number, score = 0.9): Detection => ({ score, box: { x1, y1, x2, y2 } });

describe('boxes', () => {
  it('computes IoU', () => {
    expect(iou(det(0, 0, 10, 10).box, det(0, 0, 10, 10).box)).toBe(1);
    expect(iou(det(0, 0, 10, 10).box, det(5, 0, 15, 10).box)).toBeCloseTo(50 / 150);
    expect(iou(det(0, 0, 10, 10).box, det(10, 0, 20, 10).box)).toBe(0);
  });
  it('scales about the centre and clips to the frame', () => {
    expect(scaleBox({ x1: 10, y1: 10, x2: 20, y2: 30 }, 2)).toEqual({ x1: 5, y1: 0, x2: 25, y2: 40 });
    expect(clipBox({ x1: -5, y1: 3, x2: 50, y2: 12 }, 40, 10)).toEqual({ x1: 0, y1: 3, x2: 40, y2: 10 });
  });
  it('keeps the aspect ratio when only one side of --scale is given', () => {
    expect(detectionSize(1920, 1080, { width: 640 })).toEqual({ width: 640, height: 360 });
    expect(detectionSize(1920, 1080, { height: 540 })).toEqual({ width: 960, height: 540 });
    expect(detectionSize(1920, 1080, {})).toEqual({ width: 1920, height: 1080 });
    expect(detectionSize(1920, 1080, { width: 320, height: 320 })).toEqual({ width: 320, height: 320 });
  });
});

describe('nms', () => {
  it('keeps the best of overlapping detections and every separate one', () => {
    const kept = nms([det(0, 0, 10, 10, 0.5), det(1, 1, 11, 11, 0.9), det(50, 50, 60, 60, 0.4)], 0.3);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.4]);
  });
  it('keeps overlaps below the IoU threshold', () => {
    expect(nms([det(0, 0, 10, 10, 0.5), det(8, 0, 18, 10, 0.9)], 0.3)).toHaveLength(2);
  });
  it('hands on at most KEEP_TOP_K of the PRE_NMS_TOP_K best, so that a threshold near 0 stays bounded', () => {
    // 8000 separate boxes, as every anchor of a 2x pass at --thresh 0 (a trial's run hung).
    const many = Array.from({ length: 8000 }, (_, i) => det((i % 100) * 20, Math.floor(i / 100) * 20, (i % 100) * 20 + 10, Math.floor(i / 100) * 20 + 10, i / 8000));
    const kept = nms(many, 0.3);
    expect(kept).toHaveLength(KEEP_TOP_K);
    expect(kept[0]!.score).toBe(7999 / 8000);
    expect(kept[KEEP_TOP_K - 1]!.score).toBe((8000 - KEEP_TOP_K) / 8000);
    expect(PRE_NMS_TOP_K).toBeGreaterThan(KEEP_TOP_K);
  });
});

describe('rasterize', () => {
  const count = (s: ReturnType<typeof rasterize>) => s.x0.reduce((n, a, i) => n + Math.max(0, s.x1[i]! - a), 0);

  it('covers exactly the pixels of an axis-aligned box, up to the last row and column', () => {
    const s = rasterize(maskFromDetection(det(2, 1, 6, 4), 'box', 1), 8, 8);
    expect(s.y0).toBe(1);
    expect(s.x0.length).toBe(3);
    for (let i = 0; i < 3; i++) expect([s.x0[i], s.x1[i]]).toEqual([2, 6]);
    expect(count(s)).toBe(12);
  });

  it('clips a mask that overflows the frame without an off-by-one edge', () => {
    const s = rasterize(maskFromDetection(det(-3, -3, 20, 20), 'box', 1), 8, 6);
    expect(s.y0).toBe(0);
    expect(s.x0.length).toBe(6);
    expect(Array.from(s.x0)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(s.x1)).toEqual([8, 8, 8, 8, 8, 8]);
    expect(count(s)).toBe(48);
  });

  it('gives nothing for a mask wholly outside the frame', () => {
    expect(count(rasterize(maskFromDetection(det(20, 20, 30, 30), 'ellipse', 1), 8, 8))).toBe(0);
    expect(count(rasterize(maskFromDetection(det(-30, 0, -10, 8), 'box', 1), 8, 8))).toBe(0);
  });

  it('fills an ellipse close to its area and inside its box', () => {
    const s = rasterize(maskFromDetection(det(10, 10, 50, 30), 'ellipse', 1), 64, 64);
    expect(Math.abs(count(s) - Math.PI * 20 * 10) / (Math.PI * 200)).toBeLessThan(0.03);
    expect(s.minX).toBeGreaterThanOrEqual(10);
    expect(s.maxX).toBeLessThanOrEqual(50);
  });

  it('scales the mask by --mask-scale about the centre', () => {
    const one = rasterize(maskFromDetection(det(20, 20, 40, 40), 'box', 1), 100, 100);
    const two = rasterize(maskFromDetection(det(20, 20, 40, 40), 'box', 2), 100, 100);
    expect(count(two)).toBe(4 * count(one));
    expect(two.minX).toBe(10);
    expect(two.maxX).toBe(50);
  });

  it('covers a rotated box symmetrically', () => {
    const shape = { kind: 'box' as const, cx: 16, cy: 16, rx: 8, ry: 4, angle: Math.PI / 4 };
    const s = rasterize(shape, 32, 32);
    expect(Math.abs(count(s) - 128)).toBeLessThan(10);
  });

  it('grows the chroma mask so that it covers every covered luma pixel', () => {
    const shape = maskFromDetection(det(3, 3, 13, 13), 'ellipse', 1);
    const luma = rasterize(shape, 16, 16, 1);
    const chroma = rasterize(shape, 8, 8, 2);
    for (let i = 0; i < luma.x0.length; i++) {
      const y = luma.y0 + i;
      for (let x = luma.x0[i]!; x < luma.x1[i]!; x++) {
        const cy = Math.floor(y / 2) - chroma.y0;
        expect(cy).toBeGreaterThanOrEqual(0);
        expect(Math.floor(x / 2)).toBeGreaterThanOrEqual(chroma.x0[cy]!);
        expect(Math.floor(x / 2)).toBeLessThan(chroma.x1[cy]!);
      }
    }
  });
});

describe('--region eyes', () => {
  const settings: AnonymizeSettings = { replaceWith: 'solid', region: 'eyes', shape: 'ellipse', maskScale: 1.3, maskMargin: 10, mosaicSize: 8, color: { r: 0, g: 0, b: 0 } };
  // A 100 px face centred on (150, 150), its landmarks turned by `roll` about the centre.
  const face = (roll: number): Detection => {
    const turn = ([x, y]: [number, number]) => ({ x: 150 + (x - 150) * Math.cos(roll) - (y - 150) * Math.sin(roll), y: 150 + (x - 150) * Math.sin(roll) + (y - 150) * Math.cos(roll) });
    const points: [number, number][] = [[130, 140], [170, 140], [150, 160], [135, 182], [165, 182]];
    return { score: 0.9, box: { x1: 100, y1: 100, x2: 200, y2: 200 }, landmarks: points.map(turn) };
  };
  const covers = (s: ReturnType<typeof rasterize>, p: { x: number; y: number }) => {
    const i = Math.round(p.y - 0.5) - s.y0;
    const x = Math.round(p.x - 0.5);
    return i >= 0 && i < s.x0.length && x >= s.x0[i]! && x < s.x1[i]!;
  };

  it('covers the eyes and the forehead above them but not the mouth, turning with the head', () => {
    for (const roll of [0, Math.PI / 6, -Math.PI / 4]) {
      const d = face(roll);
      const shape = regionMask(d, settings);
      expect(shape.angle).toBeCloseTo(roll);
      const spans = rasterize(shape, 300, 300);
      const [re, le, nose, rm, lm] = d.landmarks!;
      expect(covers(spans, re!)).toBe(true);
      expect(covers(spans, le!)).toBe(true);
      // One eye distance above the eyes' midpoint, perpendicular to the eye line: the forehead.
      const mid = { x: (re!.x + le!.x) / 2, y: (re!.y + le!.y) / 2 };
      expect(covers(spans, { x: mid.x + 40 * Math.sin(roll), y: mid.y - 40 * Math.cos(roll) })).toBe(true);
      expect(covers(spans, rm!)).toBe(false);
      expect(covers(spans, lm!)).toBe(false);
      expect(covers(spans, { x: 2 * nose!.x - mid.x, y: 2 * nose!.y - mid.y + 10 })).toBe(false);
    }
  });

  it('caps the margin at three quarters of a tiny face, as the face mask does', () => {
    const tiny: Detection = { score: 0.9, box: { x1: 10, y1: 10, x2: 14, y2: 14 }, landmarks: [{ x: 11, y: 11 }, { x: 13, y: 11 }, { x: 12, y: 12 }, { x: 11, y: 13 }, { x: 13, y: 13 }] };
    const shape = regionMask(tiny, settings);
    expect(shape.rx).toBeCloseTo(1.2 * 2 * 1.3 + 3);
    expect(shape.ry).toBeCloseTo(((1.4 * 2 + 0.5 * 2) / 2) * 1.3 + 3);
  });
});
