import { describe, expect, it } from 'vitest';
import { anonymizeFrame, type AnonymizeSettings } from '../../src/anonymize/anonymize.js';
import { parseHexColor, planeValues } from '../../src/anonymize/color.js';
import { blur, fillSolid, pixelate } from '../../src/anonymize/filters.js';
import { placeLabels } from '../../src/anonymize/labels.js';
import { rasterize } from '../../src/anonymize/mask.js';
import { frameFromBuffer, type Plane } from '../../src/media/frame.js';

const plane = (width: number, height: number, f: (x: number, y: number) => number): Plane => {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { data, width, height, subsample: 1 };
};
const fullBox = (w: number, h: number) => rasterize({ kind: 'box', cx: w / 2, cy: h / 2, rx: w / 2, ry: h / 2, angle: 0 }, w, h);
const innerBox = rasterize({ kind: 'box', cx: 8, cy: 8, rx: 4, ry: 4, angle: 0 }, 16, 16); // pixels 4..11

describe('filters', () => {
  it('solid fills exactly the covered pixels', () => {
    const p = plane(16, 16, () => 7);
    fillSolid(p, innerBox, 200);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++) expect(p.data[y * 16 + x]).toBe(x >= 4 && x < 12 && y >= 4 && y < 12 ? 200 : 7);
  });

  it('pixelate gives each cell its mean and leaves the rest alone', () => {
    const p = plane(8, 8, (x) => x * 10);
    pixelate(p, fullBox(8, 8), 4);
    expect(Array.from(p.data.subarray(0, 8))).toEqual([15, 15, 15, 15, 55, 55, 55, 55]);
    const q = plane(16, 16, (x) => x);
    pixelate(q, innerBox, 4);
    expect(q.data[0]).toBe(0);
    expect(q.data[4 * 16 + 4]).toBe(Math.round((4 + 5 + 6 + 7) / 4));
  });

  it('blur is the bilinear interpolation of the cell means between cell centres, pixel for pixel', () => {
    // 30x22 pixels in cells of about 8: 4x3 cells of uneven sizes, each mean from its own pixels.
    const [w, h] = [30, 22];
    const p = plane(w, h, (x, y) => (x * 37 + y * 91 + ((x * y) % 13) * 11) % 256);
    const want = Uint8Array.from(p.data);
    const [cx, cy] = [Math.round(w / 8), Math.round(h / 8)];
    const sums = new Float64Array(cx * cy);
    const counts = new Float64Array(cx * cy);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const k = Math.floor((y * cy) / h) * cx + Math.floor((x * cx) / w);
        sums[k]! += p.data[y * w + x]!;
        counts[k]! += 1;
      }
    const mean = (i: number, j: number) => sums[j * cx + i]! / counts[j * cx + i]!;
    // A pixel's position in cell units from the first cell's centre, clamped to the outer centres.
    const at = (v: number, n: number, len: number) => Math.fround(Math.min(Math.max(((v + 0.5) * n) / len - 0.5, 0), n - 1));
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const u = at(x, cx, w), v = at(y, cy, h);
        const [a, j] = [Math.floor(u), Math.floor(v)];
        const [b, k] = [Math.min(a + 1, cx - 1), Math.min(j + 1, cy - 1)];
        const [f, g] = [u - a, v - j];
        const top = mean(a, j) * (1 - f) + mean(b, j) * f;
        const bot = mean(a, k) * (1 - f) + mean(b, k) * f;
        want[y * w + x] = Math.round(top * (1 - g) + bot * g);
      }
    blur(p, fullBox(w, h), 8);
    expect(Array.from(p.data)).toEqual(Array.from(want));
  });

  it('blur destroys detail finer than a cell: a checkerboard becomes flat', () => {
    const p = plane(32, 32, (x, y) => ((x + y) % 2 ? 255 : 0));
    blur(p, fullBox(32, 32), 8);
    const values = Array.from(p.data);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
  });

  it('blur keeps only coarse structure: the output is determined by the cell means', () => {
    // Two inputs with equal cell means but different detail give the same output.
    const a = plane(16, 16, (x, y) => (x % 4 < 2 ? 100 : 140) + (y % 2));
    const b = plane(16, 16, (x, y) => (x % 4 < 2 ? 140 : 100) + ((y + 1) % 2));
    blur(a, fullBox(16, 16), 4);
    blur(b, fullBox(16, 16), 4);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('blur is smooth across cells: neighbouring pixels never jump by more than the cell step allows', () => {
    const p = plane(32, 32, (x) => (x < 16 ? 0 : 255));
    blur(p, fullBox(32, 32), 8);
    for (let x = 1; x < 32; x++) expect(Math.abs(p.data[x]! - p.data[x - 1]!)).toBeLessThanOrEqual(Math.ceil(255 / 8) + 1);
  });
});

describe('colours', () => {
  it('parses hex colours and converts them to limited-range YUV', () => {
    expect(parseHexColor('ff00ff')).toEqual({ r: 255, g: 0, b: 255 });
    expect(parseHexColor('#0f0')).toEqual({ r: 0, g: 255, b: 0 });
    expect(parseHexColor('red')).toBeUndefined();
    expect(planeValues({ r: 0, g: 0, b: 0 }, 'yuv420p')).toEqual([16, 128, 128]);
    expect(planeValues({ r: 255, g: 255, b: 255 }, 'yuv420p')).toEqual([235, 128, 128]);
  });
});

describe('anonymizeFrame', () => {
  const settings: AnonymizeSettings = { replaceWith: 'solid', shape: 'box', maskScale: 1, mosaicSize: 8, color: { r: 0, g: 0, b: 0 } };

  it('covers the luma and the matching chroma of a yuv420p frame', () => {
    const buf = new Uint8Array(8 * 8 + 2 * 4 * 4).fill(90);
    const frame = frameFromBuffer(buf, 'yuv420p', 8, 8, 0, 0);
    anonymizeFrame(frame, [{ score: 1, box: { x1: 0, y1: 0, x2: 4, y2: 4 } }], settings);
    expect(frame.planes[0]!.data[0]).toBe(16);
    expect(frame.planes[0]!.data[3 * 8 + 3]).toBe(16);
    expect(frame.planes[0]!.data[4]).toBe(90);
    expect(frame.planes[1]!.data[0]).toBe(128);
    expect(frame.planes[1]!.data[1]).toBe(128);
    expect(frame.planes[1]!.data[3]).toBe(90);
  });

  it('does nothing with none', () => {
    const buf = new Uint8Array(8 * 8 + 2 * 16).fill(90);
    const frame = frameFromBuffer(buf, 'yuv420p', 8, 8, 0, 0);
    anonymizeFrame(frame, [{ score: 1, box: { x1: 0, y1: 0, x2: 8, y2: 8 } }], { ...settings, replaceWith: 'none' });
    expect(buf.every((v) => v === 90)).toBe(true);
  });
});

describe('--draw-scores label placement', () => {
  it('never lets two labels overlap, even for faces side by side, and keeps them in the frame', () => {
    // A row of touching faces and a second row just below: every label's natural spot is taken by a neighbour's.
    const boxes = Array.from({ length: 12 }, (_, i) => ({ x1: 10 + (i % 6) * 30, y1: i < 6 ? 40 : 75, x2: 40 + (i % 6) * 30, y2: i < 6 ? 70 : 105 }));
    const sizes = boxes.map(() => ({ w: 36, h: 16 }));
    const spots = placeLabels(boxes, sizes, 400, 300);
    for (let i = 0; i < spots.length; i++) {
      const a = spots[i]!;
      expect(a.x >= 0 && a.y >= 0 && a.x + a.w <= 400 && a.y + a.h <= 300).toBe(true);
      for (let j = i + 1; j < spots.length; j++) {
        const b = spots[j]!;
        expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `${i} and ${j}`).toBe(false);
      }
    }
    // A lone face keeps the natural spot, just above its box.
    expect(placeLabels([{ x1: 100, y1: 100, x2: 140, y2: 140 }], [{ w: 36, h: 16 }], 400, 300)).toEqual([{ x: 100, y: 84, w: 36, h: 16 }]);
  });
});
