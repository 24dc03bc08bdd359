import type { Box } from '../detect/box.js';

/**
 * Width / height of the face boxes the detector gives, and so of every box that stands for a face.
 * Measured with YuNet-s (`--single-pass --thresh 0.2`) on the 264 WIDER FACE validation photos of
 * ../shared/data/wider-val: the 2456 detections that match a ground-truth face (IoU ≥ 0.5) run
 * from 0.544 to 1.540 (0.1th–99.9th percentile 0.546–1.271, median 0.793); all 6202 detections,
 * false alarms included, from 0.388 to 1.673. The accepted range is the matched one widened by a
 * sixth each way, so that no face the detector finds is refused for its shape, while the tall body
 * boxes of issue 13 (0.24, e.g. 69×286 px) and the slivers of a runaway size fit are.
 * The ground-truth boxes themselves, cut and occluded faces included, run 0.34–1.95 at the
 * 0.1th–99.9th percentile.
 */
export const FACE_ASPECT = { min: 0.45, max: 1.8 } as const;

/** A face box narrower than this (pixels) on either side is degenerate: no detector finds such a face. */
export const MIN_FACE_SIDE = 3;

/**
 * A face box may overhang the frame (a face cut by the edge) but is never larger than this many
 * times the frame's width, or its height: a face filling a portrait phone frame is about as tall as
 * the frame, never twice.
 */
export const MAX_FRAME_SHARE = 1.25;

export interface FrameSize {
  width: number;
  height: number;
}

/**
 * Whether a box (frame pixels) has a shape some face has: finite, not degenerate, with an aspect
 * ratio in FACE_ASPECT, no larger than MAX_FRAME_SHARE of the frame and overlapping it. `frame`
 * undefined skips the checks against the frame.
 */
export function isPlausibleFace(b: Box, frame?: FrameSize): boolean {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  if (![b.x1, b.y1, b.x2, b.y2].every(Number.isFinite) || w < MIN_FACE_SIDE || h < MIN_FACE_SIDE) return false;
  const aspect = w / h;
  if (aspect < FACE_ASPECT.min || aspect > FACE_ASPECT.max) return false;
  if (!frame) return true;
  if (w > MAX_FRAME_SHARE * frame.width || h > MAX_FRAME_SHARE * frame.height) return false;
  return b.x2 > 0 && b.y2 > 0 && b.x1 < frame.width && b.y1 < frame.height;
}

/**
 * The size (w, h) with the same area and an aspect ratio moved into FACE_ASPECT; sides at least
 * MIN_FACE_SIDE and, when the frame is known, at most MAX_FRAME_SHARE of it.
 */
export function plausibleSize(w: number, h: number, frame?: FrameSize): [number, number] {
  const area = Math.max(MIN_FACE_SIDE, w) * Math.max(MIN_FACE_SIDE, h);
  const aspect = Math.min(FACE_ASPECT.max, Math.max(FACE_ASPECT.min, w / Math.max(1e-9, h)));
  let pw = Math.max(MIN_FACE_SIDE, Math.sqrt(area * aspect));
  let ph = Math.max(MIN_FACE_SIDE, Math.sqrt(area / aspect));
  if (frame) {
    // Shrinks both sides alike, so the aspect stays in range.
    const k = Math.min(1, (MAX_FRAME_SHARE * frame.width) / pw, (MAX_FRAME_SHARE * frame.height) / ph);
    pw *= k;
    ph *= k;
  }
  return [pw, ph];
}
