import type { Detection } from './box.js';

/** CenterFace's output names in the published graph. */
export const CENTERFACE_OUTPUTS = { heatmap: '537', scale: '538', offset: '539', landmarks: '540' } as const;
export const CENTERFACE_STRIDE = 4;

export interface CenterFaceOutputs {
  heatmap: Float32Array;
  scale: Float32Array;
  offset: Float32Array;
  landmarks: Float32Array;
}

/**
 * Decodes CenterFace's stride-4 maps for an input of `width` x `height` into detections in input
 * pixel coordinates (before NMS). The heatmap is already a sigmoid; scale channel 0 is the height,
 * channel 1 the width; offset channel 0 is y, 1 is x; landmarks are (y, x) pairs relative to the box corner.
 */
export function decodeCenterFace(o: CenterFaceOutputs, width: number, height: number, threshold: number): Detection[] {
  const mw = width / CENTERFACE_STRIDE;
  const mh = height / CENTERFACE_STRIDE;
  const n = mw * mh;
  if (o.heatmap.length !== n) throw new Error(`CenterFace heatmap has ${o.heatmap.length} values, expected ${n}`);
  const found: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const score = o.heatmap[i]!;
    if (score < threshold) continue;
    const row = Math.floor(i / mw);
    const col = i - row * mw;
    const h = Math.exp(o.scale[i]!) * CENTERFACE_STRIDE;
    const w = Math.exp(o.scale[n + i]!) * CENTERFACE_STRIDE;
    const cy = (row + o.offset[i]! + 0.5) * CENTERFACE_STRIDE;
    const cx = (col + o.offset[n + i]! + 0.5) * CENTERFACE_STRIDE;
    const x1 = cx - w / 2;
    const y1 = cy - h / 2;
    const landmarks = [];
    for (let k = 0; k < 5; k++) {
      landmarks.push({ x: o.landmarks[(2 * k + 1) * n + i]! * w + x1, y: o.landmarks[2 * k * n + i]! * h + y1 });
    }
    found.push({ score, box: { x1, y1, x2: x1 + w, y2: y1 + h }, landmarks });
  }
  return found;
}
