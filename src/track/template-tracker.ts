import { boxHeight, boxWidth, type Box } from '../detect/box.js';
import type { Plane } from '../media/frame.js';
import { boxAt } from './follow-geometry.js';
import type { OpenCv } from './opencv.js';
import { samplePatch } from './patch.js';

/**
 * The template's longer side, in pixels: boxes of any size are matched at this scale. 40 keeps a
 * face's eyes and mouth apart; a match costs a fraction of the 2.4 ms measured for an 80-pixel
 * template in a 240-pixel window (docs/development.md).
 */
const TEMPLATE_SIDE = 40;
/** Size changes tried per frame (the zoom clips of bench:track change size by under 1% a frame). */
const SCALES = [1, 1 / 1.02, 1.02];
/**
 * A size change must beat the unchanged size's correlation by this much: correlation slightly
 * favours the smaller scale (less background in the window), and without a margin a still box
 * shrank by 8% in 30 frames of a pan.
 */
const SCALE_MARGIN = 0.005;
/** The template follows the region's slow changes of look (turning, light) at this weight per confident frame. */
export const TEMPLATE_BLEND = 0.2;
/** Only matches this good update the template: a blurred or occluded frame must not become what is looked for. */
export const TEMPLATE_UPDATE_SCORE = 0.8;

export interface Match {
  box: Box;
  /** Normalised cross-correlation of the template and the match, -1..1 (1 = identical up to brightness and contrast). */
  score: number;
}

export interface TemplateTracker {
  /** Looks for the region in `luma` (the frame's Y plane) around `predicted`; `reach` is the search margin in frame pixels. */
  match(luma: Plane, predicted: Box, reach: number): Match;
  /** Takes the region's look at `box` in `luma` into the template: fully (`weight` 1, re-anchoring) or in part. */
  learn(luma: Plane, box: Box, weight: number): void;
  dispose(): void;
}

/**
 * Template matching with OpenCV's normalised cross-correlation (TM_CCOEFF_NORMED) on the luma plane,
 * at three scales. The template is the seed region resampled so that its longer side is
 * TEMPLATE_SIDE pixels; the search window is resampled at the same scale, so a match costs the same
 * for a badge of 30 pixels and a face of 600.
 */
export function createTemplateTracker(cv: OpenCv, luma: Plane, seed: Box): TemplateTracker {
  const scale = TEMPLATE_SIDE / Math.max(boxWidth(seed), boxHeight(seed));
  const tw = Math.max(8, Math.round(boxWidth(seed) * scale));
  const th = Math.max(8, Math.round(boxHeight(seed) * scale));
  const templ = new cv.Mat(th, tw, cv.CV_8UC1);
  const patch = new Uint8Array(tw * th);
  const result = new cv.Mat();
  const sample = (p: Plane, region: Box, w: number, h: number, out: Uint8Array) => samplePatch(p.data, p.width, p.height, region, w, h, out);
  sample(luma, seed, tw, th, templ.data);
  // One search window per scale, kept between frames and made again only when its size changes.
  const windows = SCALES.map(() => new cv.Mat(th, tw, cv.CV_8UC1));

  return {
    match(p, predicted, reach) {
      const w = boxWidth(predicted);
      const h = boxHeight(predicted);
      const cx = (predicted.x1 + predicted.x2) / 2;
      const cy = (predicted.y1 + predicted.y2) / 2;
      let best: Match = { box: predicted, score: -1 };
      SCALES.forEach((k, i) => {
        // Frame pixels per template pixel when the region has grown by k.
        const unit = (k * Math.max(w, h)) / TEMPLATE_SIDE;
        const margin = Math.ceil(reach / unit);
        const sw = tw + 2 * margin;
        const sh = th + 2 * margin;
        if (windows[i]!.cols !== sw || windows[i]!.rows !== sh) {
          windows[i]!.delete();
          windows[i] = new cv.Mat(sh, sw, cv.CV_8UC1);
        }
        const search = windows[i]!;
        const region = boxAt(cx, cy, sw * unit, sh * unit);
        sample(p, region, sw, sh, search.data);
        cv.matchTemplate(search, templ, result, cv.TM_CCOEFF_NORMED);
        const { maxVal, maxLoc } = cv.minMaxLoc(result);
        if (maxVal > best.score + (k === 1 ? 0 : SCALE_MARGIN)) {
          const [ox, oy] = subpixelPeak(result.data32F, result.cols, result.rows, maxLoc.x, maxLoc.y);
          const x1 = region.x1 + (maxLoc.x + ox) * unit;
          const y1 = region.y1 + (maxLoc.y + oy) * unit;
          best = { box: { x1, y1, x2: x1 + tw * unit, y2: y1 + th * unit }, score: maxVal };
        }
      });
      return best;
    },
    learn(p, box, weight) {
      sample(p, box, tw, th, patch);
      const t = templ.data;
      for (let i = 0; i < t.length; i++) t[i] = Math.round(t[i]! + (patch[i]! - t[i]!) * weight);
    },
    dispose() {
      templ.delete();
      result.delete();
      for (const m of windows) m.delete();
    },
  };
}

/**
 * The peak's offset from the best whole pixel (each axis -0.5..0.5), from a parabola through it and
 * its two neighbours. One template pixel is 1/40 of the box: without this, a region moving by a
 * fraction of that each frame would be matched short, and the template, refreshed at the short
 * position, would drift behind it.
 */
export function subpixelPeak(r: Float32Array, cols: number, rows: number, x: number, y: number): [number, number] {
  const at = (i: number, j: number) => r[j * cols + i]!;
  const offset = (a: number, c: number, b: number) => {
    const d = a - 2 * c + b;
    return d < 0 ? Math.max(-0.5, Math.min(0.5, (a - b) / (2 * d))) : 0;
  };
  return [
    x > 0 && x < cols - 1 ? offset(at(x - 1, y), at(x, y), at(x + 1, y)) : 0,
    y > 0 && y < rows - 1 ? offset(at(x, y - 1), at(x, y), at(x, y + 1)) : 0,
  ];
}
