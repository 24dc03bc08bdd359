import type { Detection, Point } from './box.js';

export const SCRFD_STRIDES = [8, 16, 32] as const;
/** SCRFD places two anchors on every cell of every stride. */
const ANCHORS_PER_CELL = 2;

/** One output of an SCRFD graph: its dims and values. The names differ between exports, so shapes say what each is. */
export interface ScrfdOutput {
  dims: readonly number[];
  data: Float32Array;
}

interface StrideOutputs {
  score?: Float32Array;
  bbox?: Float32Array;
  kps?: Float32Array;
}

/**
 * Sorts SCRFD's outputs by stride and kind from their shapes alone: the last dim says score (1),
 * box (4) or keypoints (10); the anchor count n_s = 2·(H/s)·(W/s) says the stride.
 * @throws Error on an output of any other shape, or a stride without score and box.
 */
function byStride(outputs: readonly ScrfdOutput[], width: number, height: number): Map<number, Required<Pick<StrideOutputs, 'score' | 'bbox'>> & StrideOutputs> {
  const found = new Map<number, StrideOutputs>();
  for (const o of outputs) {
    const last = o.dims[o.dims.length - 1]!;
    const count = o.data.length / last;
    const s = SCRFD_STRIDES.find((st) => ANCHORS_PER_CELL * (width / st) * (height / st) === count);
    const kind = last === 1 ? 'score' : last === 4 ? 'bbox' : last === 10 ? 'kps' : undefined;
    if (s === undefined || kind === undefined) throw new Error(`SCRFD output of shape [${o.dims.join(',')}] fits no stride of a ${width}x${height} input`);
    const entry = found.get(s) ?? {};
    entry[kind] = o.data;
    found.set(s, entry);
  }
  const result = new Map<number, Required<Pick<StrideOutputs, 'score' | 'bbox'>> & StrideOutputs>();
  for (const s of SCRFD_STRIDES) {
    const e = found.get(s);
    if (!e?.score || !e.bbox) throw new Error(`SCRFD output for stride ${s} is missing`);
    result.set(s, { ...e, score: e.score, bbox: e.bbox });
  }
  return result;
}

/**
 * Decodes SCRFD (InsightFace; the 500M/1G/2.5G exports, with or without keypoints) for an input
 * tensor of `width` x `height` pixels (multiples of 32) into detections in tensor pixels, before NMS.
 * As insightface's scrfd.py: anchor a of stride s sits on cell floor(a/2), at (col·s, row·s) with no
 * half-cell offset; scores are already sigmoid; boxes are distances (left, top, right, bottom) and
 * keypoints offsets, both in stride units. See ../shared/models/DETECTORS.md.
 * @throws Error when the outputs do not fit the input size (see byStride).
 */
export function decodeScrfd(outputs: readonly ScrfdOutput[], width: number, height: number, threshold: number): Detection[] {
  const found: Detection[] = [];
  for (const [s, { score, bbox, kps }] of byStride(outputs, width, height)) {
    const cols = width / s;
    for (let a = 0; a < score.length; a++) {
      const p = score[a]!;
      if (p < threshold) continue;
      const cell = Math.floor(a / ANCHORS_PER_CELL);
      const row = Math.floor(cell / cols);
      const cx = (cell - row * cols) * s;
      const cy = row * s;
      const box = { x1: cx - bbox[4 * a]! * s, y1: cy - bbox[4 * a + 1]! * s, x2: cx + bbox[4 * a + 2]! * s, y2: cy + bbox[4 * a + 3]! * s };
      if (!kps) {
        found.push({ score: p, box });
        continue;
      }
      const landmarks: Point[] = [];
      for (let k = 0; k < 5; k++) landmarks.push({ x: cx + kps[10 * a + 2 * k]! * s, y: cy + kps[10 * a + 2 * k + 1]! * s });
      found.push({ score: p, box, landmarks });
    }
  }
  return found;
}
