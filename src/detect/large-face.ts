import type { Box, Detection } from './box.js';

/**
 * A higher score required of large detections: a face that large is seen with many pixels and
 * scores high, while the detector's large false alarms (a crowd's texture seen whole by the half-size
 * pass, a signer's hands) score low. `side` is the box's longer side over the frame's shorter side.
 */
export interface LargeFaceRule {
  side: number;
  threshold: number;
  /**
   * Outsized boxes, tier by tier: in a frame where some detection scores at least `sure`, a box
   * whose longer side is over `ratio` times the longest side of those sure detections needs `threshold`.
   */
  outsized?: OutsizedTier[];
}

/** One tier of the outsized rule: `ratio` of box sides (unitless), `sure` and `threshold` scores in 0..1. */
export interface OutsizedTier {
  ratio: number;
  sure: number;
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
 *
 * `outsized`: the false boxes left above 0.5 are a crowd's torsos and clothes seen whole, four
 * times the size of the sure faces around them (a folded-arms torso at 0.51–0.58 for 50 frames of
 * a family photo), and a signer's raised hands, 1.7 times the size of his face (0.73–0.75 beside his
 * face at 0.94, 17 frames of an ASL clip). People in one picture stand at similar distances, so a
 * true face half as large again as every sure face in its frame is rare, and then seen with many
 * pixels: it scores high. On the 264 WIDER FACE validation photos at 640 px (the video passes,
 * fused), the first tier removes none of the 2485 detections that match a face, at a ratio of 1.1,
 * 1.25, 1.5, 2 or 3, and 29, 13, 6, 1 and 0 false ones. On bench:video's main clips a ratio of 2
 * took the mean spill from 4.33% to 3.02% and the worst frame from 25.6% to 14.3%; 1.5 to 2.66% and
 * 13.4%; 1.25 no further (2.65%), each with no face-frame more exposed (docs/accuracy.md). The
 * second tier judges against confident faces (0.8), which the first cannot do for a box that itself
 * scores 0.6 or more: on the same photos, the boxes between 0.6 and 0.8 over 1.5 times the longest
 * confident face are 3 false ones, 2 that overlap a face by IoU 0.1–0.5 and no true one (at 1.25
 * times, two true faces at 0.62 and 0.77). End to end it ends every ASL frame over a fifth of the
 * picture (17 of 1324 before), with exposure and spill elsewhere unchanged (docs/accuracy.md).
 */
export const VIDEO_LARGE_FACE: LargeFaceRule = {
  side: 0.07,
  threshold: 0.5,
  outsized: [
    { ratio: 1.5, sure: 0.6, threshold: 0.6 },
    { ratio: 1.5, sure: 0.8, threshold: 0.8 },
  ],
};

/** The score a detection with this box (frame pixels) needs in a `width`×`height` frame. */
export function scoreNeeded(box: Box, frame: { width: number; height: number }, threshold: number, rule: LargeFaceRule | undefined): number {
  if (!rule || rule.threshold <= threshold) return threshold;
  return sideOf(box) >= rule.side * Math.min(frame.width, frame.height) ? rule.threshold : threshold;
}

const sideOf = (b: Box): number => Math.max(b.x2 - b.x1, b.y2 - b.y1);

/**
 * The detections of one `width`×`height` frame (frame pixels) that are faces to redact at
 * `threshold` under `rule` (scoreNeeded, and the rule's `outsized` part, which judges each box
 * against the frame's sure detections). The rest are candidates for `faceblur analyze`.
 */
export function facesAmong(found: readonly Detection[], frame: { width: number; height: number }, threshold: number, rule: LargeFaceRule | undefined): Detection[] {
  const tiers = (rule?.outsized ?? []).map((t) => ({ ...t, side: Math.max(0, ...found.filter((d) => d.score >= t.sure).map((d) => sideOf(d.box))) }));
  return found.filter((d) => {
    const side = sideOf(d.box);
    const need = tiers.reduce((n, t) => (t.side > 0 && side > t.ratio * t.side ? Math.max(n, t.threshold) : n), scoreNeeded(d.box, frame, threshold, rule));
    return d.score >= need;
  });
}
