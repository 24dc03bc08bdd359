import { describe, expect, it } from 'vitest';
import { anonymizeFrame, type AnonymizeSettings } from '../../src/anonymize/anonymize.js';
import { blur, fillSolid, pixelate } from '../../src/anonymize/filters.js';
import { rasterize, type MaskShape, type Spans } from '../../src/anonymize/mask.js';
import { frameFromBuffer, rgbFrameFromInterleaved, type Plane } from '../../src/media/frame.js';

/**
 * Defect 2 of issue 13, as a kind: a filter writes only values drawn from the region's own
 * neighbourhood (its bounding rectangle), on every plane, for every region size, position and cell
 * size. The case that broke it: a fractional cell size left the grid's last column of cells without
 * a pixel, whose mean of 0 was blended into the edge — green on a chroma plane.
 */

/** A plane with texture (so that means differ from cell to cell), deterministic. */
function texturedPlane(width: number, height: number, subsample: number, seed: number): Plane {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = 40 + ((i * 2654435761 + seed * 97) >>> 0) % 176;
  return { data, width, height, subsample };
}

function covered(spans: Spans, x: number, y: number): boolean {
  const i = y - spans.y0;
  return i >= 0 && i < spans.x0.length && x >= spans.x0[i]! && x < spans.x1[i]!;
}

/** [min, max] of the input over the spans' bounding rectangle (its rows and columns [minX, maxX)). */
function neighbourhoodRange(p: Plane, spans: Spans): [number, number] {
  let lo = 255;
  let hi = 0;
  for (let y = spans.y0; y < spans.y0 + spans.x0.length; y++) {
    for (let x = spans.minX; x < spans.maxX; x++) {
      const v = p.data[y * p.width + x]!;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}

/** Regions from 1 px to beyond the whole plane, centred inside, on the edges and in the corners. */
function* regions(width: number, height: number): Generator<MaskShape> {
  const sides = [0.5, 1, 1.5, 2, 3, 5, 7, 12, 19, Math.max(width, height) / 2, Math.max(width, height)];
  const centres = [[width / 2, height / 2], [0, 0], [width, height], [0, height / 2], [width, 0], [width / 3 + 0.3, height / 4 + 0.7]];
  for (const kind of ['box', 'ellipse'] as const) {
    for (const r of sides) for (const [cx, cy] of centres) yield { kind, cx: cx!, cy: cy!, rx: r, ry: r * 0.8 + 0.3, angle: kind === 'ellipse' ? 0.4 : 0 };
  }
}

const CELLS = [0.4, 1, 1.37, 1.5, 2.125, 3.3, 4, 6.8, 11.25, 50];
const PLANES = [
  { name: 'luma (full resolution)', width: 37, height: 23, subsample: 1 },
  { name: 'chroma (half resolution)', width: 19, height: 12, subsample: 2 },
  { name: 'RGB channel of a photo', width: 33, height: 31, subsample: 1 },
];

describe('filters write only values from the region’s own neighbourhood', () => {
  for (const pl of PLANES) {
    for (const [name, filter] of [['blur', blur], ['pixelate', pixelate]] as const) {
      it(`${name} on a ${pl.name} plane: inside the neighbourhood's range, nothing outside the mask touched`, () => {
        let checked = 0;
        for (const shape of regions(pl.width * pl.subsample, pl.height * pl.subsample)) {
          const spans = rasterize(shape, pl.width, pl.height, pl.subsample);
          for (const cell of CELLS) {
            const p = texturedPlane(pl.width, pl.height, pl.subsample, checked);
            const before = Uint8Array.from(p.data);
            const [lo, hi] = neighbourhoodRange(p, spans);
            filter(p, spans, cell);
            for (let y = 0; y < pl.height; y++) {
              for (let x = 0; x < pl.width; x++) {
                const v = p.data[y * pl.width + x]!;
                if (!covered(spans, x, y)) {
                  if (v !== before[y * pl.width + x]) expect.fail(`${JSON.stringify(shape)} cell ${cell}: uncovered ${x},${y} changed`);
                } else if (v < lo || v > hi) expect.fail(`${JSON.stringify(shape)} cell ${cell}: ${v} at ${x},${y} outside [${lo}, ${hi}]`);
              }
            }
            checked++;
          }
        }
        expect(checked).toBeGreaterThan(1000);
      });

      it(`${name} on a ${pl.name} plane: a uniform region stays exactly uniform, whatever surrounds it`, () => {
        for (const shape of regions(pl.width * pl.subsample, pl.height * pl.subsample)) {
          const spans = rasterize(shape, pl.width, pl.height, pl.subsample);
          for (const cell of CELLS) {
            // Uniform over the bounding rectangle, textured elsewhere.
            const p = texturedPlane(pl.width, pl.height, pl.subsample, 3);
            for (let y = spans.y0; y < spans.y0 + spans.x0.length; y++) p.data.fill(131, y * pl.width + spans.minX, y * pl.width + Math.max(spans.minX, spans.maxX));
            filter(p, spans, cell);
            for (let y = spans.y0; y < spans.y0 + spans.x0.length; y++) {
              for (let x = spans.minX; x < spans.maxX; x++) if (p.data[y * pl.width + x] !== 131) expect.fail(`${JSON.stringify(shape)} cell ${cell}: ${p.data[y * pl.width + x]} at ${x},${y}`);
            }
          }
        }
      });
    }

    it(`solid on a ${pl.name} plane writes exactly its value on exactly the mask`, () => {
      for (const shape of regions(pl.width * pl.subsample, pl.height * pl.subsample)) {
        const spans = rasterize(shape, pl.width, pl.height, pl.subsample);
        const p = texturedPlane(pl.width, pl.height, pl.subsample, 5);
        const before = Uint8Array.from(p.data);
        fillSolid(p, spans, 17);
        for (let y = 0; y < pl.height; y++) {
          for (let x = 0; x < pl.width; x++) {
            const want = covered(spans, x, y) ? 17 : before[y * pl.width + x];
            if (p.data[y * pl.width + x] !== want) expect.fail(`${JSON.stringify(shape)}: ${p.data[y * pl.width + x]} at ${x},${y}, want ${want}`);
          }
        }
      }
    });
  }
});

describe('anonymizeFrame never brings in a colour the frame does not have', () => {
  const base: AnonymizeSettings = { replaceWith: 'blur', region: 'face', shape: 'ellipse', maskScale: 1.3, maskMargin: 4, mosaicSize: 8, color: { r: 0, g: 0, b: 0 } };
  /** Face boxes of every size the detector gives, from a few pixels to the frame, at the edges too. */
  const faces = (w: number, h: number) =>
    [3, 5, 9, 14, 17, 23, 31, 47, 66, 101, 160].flatMap((s) =>
      [[w / 2, h / 2], [1, 1], [w - 2, h - 1], [w / 2, h - 3], [w - 1, h / 3]].map(([cx, cy]) => ({
        score: 0.9,
        box: { x1: cx! - s / 2, y1: cy! - s * 0.6, x2: cx! + s / 2, y2: cy! + s * 0.6 },
      })),
    );

  for (const replaceWith of ['blur', 'pixelate'] as const) {
    it(`${replaceWith}: a grey yuv420p frame of odd size stays exactly grey on every plane`, () => {
      const w = 161;
      const h = 97;
      const buf = new Uint8Array(w * h + 2 * 81 * 49).fill(128);
      anonymizeFrame(frameFromBuffer(buf, 'yuv420p', w, h, 0, 0), faces(w, h), { ...base, replaceWith });
      expect(buf.every((v) => v === 128)).toBe(true);
    });

    it(`${replaceWith}: an RGB photo of one colour keeps exactly that colour`, () => {
      const w = 123;
      const h = 77;
      const px = new Uint8Array(w * h * 3);
      for (let i = 0; i < px.length; i += 3) px.set([200, 150, 90], i);
      const frame = rgbFrameFromInterleaved(px, w, h, 3);
      anonymizeFrame(frame, faces(w, h), { ...base, replaceWith });
      expect(frame.planes.map((p) => p.data.every((v) => v === [200, 150, 90][frame.planes.indexOf(p)]))).toEqual([true, true, true]);
    });
  }
});
