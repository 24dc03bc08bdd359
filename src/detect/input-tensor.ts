import type { Frame } from '../media/frame.js';

export type ChannelOrder = 'bgr' | 'rgb';

export interface TensorGeometry {
  /** Size the frame is resized to before padding. */
  width: number;
  height: number;
  /** Tensor size: width/height rounded up to the model's stride multiple; the margin is zero padding. */
  paddedWidth: number;
  paddedHeight: number;
}

export function tensorGeometry(width: number, height: number, multiple: number): TensorGeometry {
  return {
    width,
    height,
    paddedWidth: Math.ceil(width / multiple) * multiple,
    paddedHeight: Math.ceil(height / multiple) * multiple,
  };
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Fills a CHW float32 tensor (values 0..255) from a frame, resizing bilinearly to `geo.width` x
 * `geo.height`. YUV frames are converted with BT.601 limited-range coefficients; the detectors are
 * trained on ordinary photos and are insensitive to the small BT.601/709 difference.
 */
export function fillInputTensor(frame: Frame, geo: TensorGeometry, order: ChannelOrder, out: Float32Array): void {
  const { width: dw, height: dh, paddedWidth: pw, paddedHeight: ph } = geo;
  const plane = pw * ph;
  out.fill(0);
  const [p0, p1, p2] = frame.planes as [Frame['planes'][0], Frame['planes'][0], Frame['planes'][0]];
  const sxScale = frame.width / dw;
  const syScale = frame.height / dh;
  const xs0 = new Int32Array(dw);
  const xs1 = new Int32Array(dw);
  const xf = new Float32Array(dw);
  for (let x = 0; x < dw; x++) {
    const sx = Math.min(Math.max((x + 0.5) * sxScale - 0.5, 0), frame.width - 1);
    xs0[x] = Math.floor(sx);
    xs1[x] = Math.min(xs0[x]! + 1, frame.width - 1);
    xf[x] = sx - xs0[x]!;
  }
  const rOff = order === 'rgb' ? 0 : 2 * plane;
  const bOff = order === 'rgb' ? 2 * plane : 0;
  const gOff = plane;
  const isYuv = frame.layout !== 'rgb';
  const cw = p1.width;
  const sub = p1.subsample;
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(Math.max((y + 0.5) * syScale - 0.5, 0), frame.height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, frame.height - 1);
    const fy = sy - y0;
    const r0 = y0 * frame.width;
    const r1 = y1 * frame.width;
    const crow = Math.min(Math.round(sy / sub), p1.height - 1) * cw;
    const o = y * pw;
    for (let x = 0; x < dw; x++) {
      const a = xs0[x]!;
      const b = xs1[x]!;
      const f = xf[x]!;
      if (isYuv) {
        const yv =
          (p0.data[r0 + a]! * (1 - f) + p0.data[r0 + b]! * f) * (1 - fy) +
          (p0.data[r1 + a]! * (1 - f) + p0.data[r1 + b]! * f) * fy;
        const ci = crow + Math.min(Math.round((a + f) / sub), cw - 1);
        const c = 1.164 * (yv - 16);
        const d = p1.data[ci]! - 128;
        const e = p2.data[ci]! - 128;
        out[rOff + o + x] = clamp255(c + 1.596 * e);
        out[gOff + o + x] = clamp255(c - 0.392 * d - 0.813 * e);
        out[bOff + o + x] = clamp255(c + 2.017 * d);
      } else {
        const s = (p: Uint8Array) =>
          (p[r0 + a]! * (1 - f) + p[r0 + b]! * f) * (1 - fy) + (p[r1 + a]! * (1 - f) + p[r1 + b]! * f) * fy;
        out[rOff + o + x] = s(p0.data);
        out[gOff + o + x] = s(p1.data);
        out[bOff + o + x] = s(p2.data);
      }
    }
  }
}
