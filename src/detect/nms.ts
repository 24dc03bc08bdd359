import { iou, type Detection } from './box.js';

/**
 * Greedy non-maximum suppression: keeps the best-scoring detection of every group that overlaps
 * by IoU >= `iouThreshold` (0.3, as OpenCV's YuNet wrapper and CenterFace use).
 */
export function nms(detections: readonly Detection[], iouThreshold = 0.3): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.every((k) => iou(k.box, d.box) < iouThreshold)) kept.push(d);
  }
  return kept;
}
