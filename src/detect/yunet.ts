import type { Detection } from './box.js';

/** The plain arrays of YuNet's outputs, by output name (cls_8, obj_8, bbox_8, kps_8, …). */
export type TensorMap = Record<string, Float32Array>;

export const YUNET_STRIDES = [8, 16, 32] as const;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Decodes YuNet's anchor-free outputs for an input of `width` x `height` (multiples of 32) into
 * detections in input pixel coordinates, keeping those scoring at least `threshold`. NMS is left to the caller.
 */
export function decodeYunet(outputs: TensorMap, width: number, height: number, threshold: number): Detection[] {
  const found: Detection[] = [];
  for (const s of YUNET_STRIDES) {
    const cols = width / s;
    const n = cols * (height / s);
    const cls = outputs[`cls_${s}`];
    const obj = outputs[`obj_${s}`];
    const bbox = outputs[`bbox_${s}`];
    const kps = outputs[`kps_${s}`];
    if (!cls || !obj || !bbox || !kps) throw new Error(`YuNet output for stride ${s} is missing`);
    if (cls.length !== n) throw new Error(`YuNet output cls_${s} has ${cls.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) {
      const score = Math.sqrt(clamp01(cls[i]!) * clamp01(obj[i]!));
      if (score < threshold) continue;
      const row = Math.floor(i / cols);
      const col = i - row * cols;
      const cx = (col + bbox[i * 4]!) * s;
      const cy = (row + bbox[i * 4 + 1]!) * s;
      const w = Math.exp(bbox[i * 4 + 2]!) * s;
      const h = Math.exp(bbox[i * 4 + 3]!) * s;
      const landmarks = [];
      for (let k = 0; k < 5; k++) {
        landmarks.push({ x: (kps[i * 10 + 2 * k]! + col) * s, y: (kps[i * 10 + 2 * k + 1]! + row) * s });
      }
      found.push({ score, box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, landmarks });
    }
  }
  return found;
}
