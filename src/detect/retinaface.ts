import type { Detection, Point } from './box.js';

/** Strides of RetinaFace's three FPN levels and the two square prior sizes (pixels) of each, in output order. */
export const RETINAFACE_PRIORS = [
  { stride: 8, sizes: [16, 32] },
  { stride: 16, sizes: [64, 128] },
  { stride: 32, sizes: [256, 512] },
] as const;

/** Box-regression variances of the biubug6/Pytorch_Retinaface config (`variance: [0.1, 0.2]`). */
const CENTER_VARIANCE = 0.1;
const SIZE_VARIANCE = 0.2;

/** RetinaFace's three outputs as plain arrays: `output0`, `output1`, `output2` of the published graph. */
export interface RetinaFaceOutputs {
  /** [N,4] box deltas (dcx, dcy, dw, dh). */
  loc: Float32Array;
  /** [N,2] softmaxed scores; column 1 is "face". */
  conf: Float32Array;
  /** [N,10] landmark deltas, (dx, dy) for right eye, left eye, nose, right and left mouth corner. */
  landmarks: Float32Array;
}

/** Number of priors for an input of `width` x `height` pixels: Σ ceil(H/s)·ceil(W/s)·2. */
export function retinaFacePriorCount(width: number, height: number): number {
  return RETINAFACE_PRIORS.reduce((n, l) => n + Math.ceil(height / l.stride) * Math.ceil(width / l.stride) * l.sizes.length, 0);
}

/**
 * Decodes RetinaFace MobileNet-0.25 for an input tensor of `width` x `height` pixels into detections
 * in tensor pixels (before NMS), keeping scores of at least `threshold`. Priors in the order of the
 * upstream PriorBox (layers/functions/prior_box.py): stride, then row, then column, then size; centre
 * ((j+0.5)·s, (i+0.5)·s). Decoding as its utils/box_utils.py `decode`/`decode_landm` with variances
 * 0.1 and 0.2. See ../shared/models/DETECTORS.md.
 * @throws Error when an output's length does not match the prior count.
 */
export function decodeRetinaFace(o: RetinaFaceOutputs, width: number, height: number, threshold: number): Detection[] {
  const n = retinaFacePriorCount(width, height);
  if (o.conf.length !== 2 * n || o.loc.length !== 4 * n || o.landmarks.length !== 10 * n) {
    throw new Error(`RetinaFace outputs have ${o.conf.length / 2} priors, expected ${n} for ${width}x${height}`);
  }
  const found: Detection[] = [];
  let a = 0;
  for (const { stride: s, sizes } of RETINAFACE_PRIORS) {
    const rows = Math.ceil(height / s);
    const cols = Math.ceil(width / s);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        for (const m of sizes) {
          const score = o.conf[2 * a + 1]!;
          if (score >= threshold) {
            const pcx = (j + 0.5) * s;
            const pcy = (i + 0.5) * s;
            const cx = pcx + o.loc[4 * a]! * CENTER_VARIANCE * m;
            const cy = pcy + o.loc[4 * a + 1]! * CENTER_VARIANCE * m;
            const w = m * Math.exp(o.loc[4 * a + 2]! * SIZE_VARIANCE);
            const h = m * Math.exp(o.loc[4 * a + 3]! * SIZE_VARIANCE);
            const landmarks: Point[] = [];
            for (let k = 0; k < 5; k++) {
              landmarks.push({
                x: pcx + o.landmarks[10 * a + 2 * k]! * CENTER_VARIANCE * m,
                y: pcy + o.landmarks[10 * a + 2 * k + 1]! * CENTER_VARIANCE * m,
              });
            }
            found.push({ score, box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, landmarks });
          }
          a++;
        }
      }
    }
  }
  return found;
}
