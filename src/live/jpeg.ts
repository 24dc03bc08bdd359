import sharp from 'sharp';
import type { Frame } from '../media/frame.js';

/** Rounds too: a typed array store truncates. */
const clamp = (v: number) => (v < 0 ? 0 : v >= 254.5 ? 255 : v + 0.5);

/** Limited-range BT.601 YUV 4:2:0 (or RGB planes) to interleaved RGB; the copy frees the frame for reuse. */
export function frameToRgb(frame: Frame, out = new Uint8Array(frame.width * frame.height * 3)): Uint8Array {
  const { width, height } = frame;
  const [p0, p1, p2] = frame.planes as [Frame['planes'][0], Frame['planes'][0], Frame['planes'][0]];
  if (frame.layout === 'rgb') {
    for (let i = 0, j = 0; i < width * height; i++, j += 3) {
      out[j] = p0.data[i]!;
      out[j + 1] = p1.data[i]!;
      out[j + 2] = p2.data[i]!;
    }
    return out;
  }
  for (let y = 0; y < height; y++) {
    const crow = (y >> 1) * p1.width;
    for (let x = 0, j = y * width * 3; x < width; x++, j += 3) {
      const c = 1.164 * (p0.data[y * width + x]! - 16);
      const u = p1.data[crow + (x >> 1)]! - 128;
      const v = p2.data[crow + (x >> 1)]! - 128;
      out[j] = clamp(c + 1.596 * v);
      out[j + 1] = clamp(c - 0.392 * u - 0.813 * v);
      out[j + 2] = clamp(c + 2.017 * u);
    }
  }
  return out;
}

export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 80): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
