import type { Box } from './box.js';

/**
 * A higher score required of large detections: a face that large is seen with many pixels and
 * scores high, while the detector's large false alarms (a crowd's texture seen whole by the half-size
 * pass, a signer's hands) score low. `side` is the box's longer side over the frame's shorter side.
 */
export interface LargeFaceRule {
  side: number;
  threshold: number;
}

/**
 * The video plan's rule, measured with YuNet-s at 1, ½ and 2× (the video passes) on the 264 WIDER
 * FACE validation photos scaled to 640 px wide: of the detections whose longer side is at least 7% of
 * the frame's shorter side, 33 of the 1608 that match a face (IoU ≥ 0.5) score below 0.5, and 193
 * of the 249 that overlap none (IoU < 0.1); below that size the two overlap far more (427 of 3616
 * true, 1562 of 2006 false). A face is found by several passes and in many frames, each of which
 * may clear it, so a large face is seldom lost; `faceblur analyze` keeps the rest as candidates.
 * End to end on bench:video (docs/accuracy.md), 7% beat 13% on both spill and exposure.
 */
export const VIDEO_LARGE_FACE: LargeFaceRule = { side: 0.07, threshold: 0.5 };

/** The score a detection with this box (frame pixels) needs in a `width`×`height` frame. */
export function scoreNeeded(box: Box, frame: { width: number; height: number }, threshold: number, rule: LargeFaceRule | undefined): number {
  if (!rule || rule.threshold <= threshold) return threshold;
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1);
  return side >= rule.side * Math.min(frame.width, frame.height) ? rule.threshold : threshold;
}
