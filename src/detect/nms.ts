import { iou, type Detection } from './box.js';

/**
 * The most detections one pass hands on: the best PRE_NMS_TOP_K by score go into NMS, and at most
 * KEEP_TOP_K come out (RetinaFace's reference detector, biubug6/Pytorch_Retinaface detect.py:
 * top_k 5000, keep_top_k 750). A real picture has far fewer faces; the caps bound the work of a
 * threshold near 0, where every anchor passes (a trial's `--thresh 0` ran for over ten minutes on
 * 60 frames and did not answer Ctrl+C).
 */
export const PRE_NMS_TOP_K = 5000;
export const KEEP_TOP_K = 750;

/**
 * Greedy non-maximum suppression: keeps the best-scoring detection of every group that overlaps
 * by IoU >= `iouThreshold` (0.3, as OpenCV's YuNet wrapper and CenterFace use), of the
 * PRE_NMS_TOP_K best, and at most KEEP_TOP_K of them.
 */
export function nms(detections: readonly Detection[], iouThreshold = 0.3): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score).slice(0, PRE_NMS_TOP_K);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length === KEEP_TOP_K) break;
    if (kept.every((k) => iou(k.box, d.box) < iouThreshold)) kept.push(d);
  }
  return kept;
}
