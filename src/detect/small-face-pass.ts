import { iou, type Detection } from './box.js';

/**
 * Side (the larger of width and height, frame pixels) from which a detection of an upscaled pass
 * counts only when another pass of the frame reports the same face. An upscaled pass (factor > 1,
 * the video plan's 2× on frames up to 960 px wide) is there for faces below YuNet's smallest
 * stride; a face this large is seen by the full-size pass too.
 *
 * Measured by `node bench/landmarks.js` (bench/results/landmarks.json, `upscaledPass`): YuNet-s at
 * 1, ½ and 2× (threshold 0.3) on the 264 WIDER FACE validation photos scaled to 640 px wide (the
 * size of bench:video's frames). Of the 2× pass's 272 detections at 56 px or more that match a
 * face (IoU ≥ 0.5), every one is also reported by the 1× or ½ pass (IoU ≥ 0.4); of its 73 there
 * that overlap no face, 58 are reported by no other pass, as are 94 of the 2× pass's 145 boxes of
 * 56 px or more on the signers' hands and bodies in the ASL clips. Between 48 and 56 px one true
 * face (score 0.61) is reported by the 2× pass alone, hence 56, not lower. The CLI confirms at the
 * detectors' candidate floor (0.1), which keeps more than this measurement at 0.3 did.
 */
export const UPSCALED_PASS_MAX_ALONE = 56;

/** IoU at which two passes' detections are the same face: fusion's grouping IoU (multi-pass.ts). */
export const SAME_FACE_IOU = 0.4;

/**
 * Drops the detections of upscaled passes (factor > 1) that are at least UPSCALED_PASS_MAX_ALONE
 * pixels on a side and that no other pass reports (IoU ≥ SAME_FACE_IOU). `passes[i]` holds pass
 * i's detections (frame pixels), `factors[i]` its scale relative to the plan's detection size.
 * Returns new lists; the others are returned as they are.
 */
export function dropLargeUnconfirmed(passes: readonly (readonly Detection[])[], factors: readonly number[]): Detection[][] {
  return passes.map((list, i) => {
    if (!((factors[i] ?? 1) > 1)) return [...list];
    return list.filter((d) => {
      const side = Math.max(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1);
      return side < UPSCALED_PASS_MAX_ALONE || passes.some((other, j) => j !== i && other.some((o) => iou(o.box, d.box) >= SAME_FACE_IOU));
    });
  });
}
