import { boxHeight, boxWidth, type Detection } from '../detect/box.js';
import type { Frame } from '../media/frame.js';
import { planeValues, type Rgb } from './color.js';
import { blur, fillSolid, pixelate } from './filters.js';
import { maskFromDetection, rasterize, type MaskShape } from './mask.js';

export type Replacement = 'blur' | 'pixelate' | 'solid' | 'none';

export interface AnonymizeSettings {
  replaceWith: Replacement;
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
  return maskFromDetection(d, s.shape, s.maskScale, s.maskMargin);
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
