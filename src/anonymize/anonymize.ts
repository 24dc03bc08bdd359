import { boxHeight, boxWidth, type Detection } from '../detect/box.js';
import type { Frame } from '../media/frame.js';
import { planeValues, type Rgb } from './color.js';
import { blur, fillSolid, pixelate } from './filters.js';
import { cappedMargin, maskFromDetection, rasterize, type MaskShape } from './mask.js';

export type Replacement = 'blur' | 'pixelate' | 'solid' | 'none';

export interface AnonymizeSettings {
  replaceWith: Replacement;
  region: 'face' | 'eyes';
  shape: MaskShape['kind'];
  maskScale: number;
  /** Pixels added on every side of the scaled mask. */
  maskMargin: number;
  /** Cells across the face for pixelate. */
  mosaicSize: number;
  color: Rgb;
}

/**
 * Cells across the face for blur. Four cells leave a face as a few soft patches of skin and hair
 * colour: unrecognisable, and with nothing finer left to recover.
 */
export const BLUR_CELLS_PER_FACE = 4;

/** The mask each region gets; exposed so that reports and benchmarks see exactly what is anonymized. */
export function regionMask(d: Detection, s: AnonymizeSettings): MaskShape {
  return s.region === 'eyes' ? eyeBand(d, s) : maskFromDetection(d, s.shape, s.maskScale, s.maskMargin);
}

/**
 * --region eyes: a band along the line through the eyes, rotated with it (the head's roll), from
 * just below the eyes to the top of the forehead, wide enough for both brows. Proportions are in
 * eye distances, as in the 68-landmark tools; without landmarks, the upper part of the box.
 */
function eyeBand(d: Detection, s: AnonymizeSettings): MaskShape {
  const [re, le] = d.landmarks ?? [];
  const w = boxWidth(d.box);
  const h = boxHeight(d.box);
  const mx = cappedMargin(s.maskMargin, w);
  const my = cappedMargin(s.maskMargin, h);
  if (!re || !le) {
    return { kind: s.shape, cx: (d.box.x1 + d.box.x2) / 2, cy: d.box.y1 + 0.33 * h, rx: (w * s.maskScale) / 2 + mx, ry: 0.3 * h * s.maskScale + my, angle: 0 };
  }
  const dist = Math.max(1, Math.hypot(le.x - re.x, le.y - re.y));
  const angle = Math.atan2(le.y - re.y, le.x - re.x);
  // "Up" towards the forehead is perpendicular to the eye line.
  const up = { x: Math.sin(angle), y: -Math.cos(angle) };
  const below = 0.5 * dist;
  const above = 1.4 * dist;
  const shift = (above - below) / 2;
  return {
    kind: s.shape,
    cx: (re.x + le.x) / 2 + up.x * shift,
    cy: (re.y + le.y) / 2 + up.y * shift,
    rx: 1.2 * dist * s.maskScale + mx,
    ry: ((above + below) / 2) * s.maskScale + my,
    angle,
  };
}

/** Anonymizes every region of one frame in place. */
export function anonymizeFrame(frame: Frame, regions: readonly Detection[], s: AnonymizeSettings): void {
  if (s.replaceWith === 'none') return;
  const solid = planeValues(s.color, frame.layout);
  for (const d of regions) {
    const shape = regionMask(d, s);
    const faceSize = Math.max(boxWidth(d.box), boxHeight(d.box));
    frame.planes.forEach((plane, p) => {
      const spans = rasterize(shape, plane.width, plane.height, plane.subsample);
      if (s.replaceWith === 'solid') fillSolid(plane, spans, solid[p]!);
      else if (s.replaceWith === 'pixelate') pixelate(plane, spans, faceSize / s.mosaicSize / plane.subsample);
      else blur(plane, spans, faceSize / BLUR_CELLS_PER_FACE / plane.subsample);
    });
  }
}
