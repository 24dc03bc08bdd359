import { BT601 } from '../media/bt601.js';
import { writeRgbInterleaved, type Frame } from '../media/frame.js';

/** Rounds too: a typed array store truncates. */
const clamp = (v: number) => (v < 0 ? 0 : v >= 254.5 ? 255 : v + 0.5);

/** Limited-range BT.601 YUV 4:2:0 (or RGB planes) to interleaved RGB; the copy frees the frame for reuse. */
export function frameToRgb(frame: Frame, out = new Uint8Array(frame.width * frame.height * 3)): Uint8Array {
  const { width, height } = frame;
  const [p0, p1, p2] = frame.planes as [Frame['planes'][0], Frame['planes'][0], Frame['planes'][0]];
  if (frame.layout === 'rgb') {
    writeRgbInterleaved(frame, out, 3);
    return out;
  }
  const k = BT601;
  for (let y = 0; y < height; y++) {
    const crow = (y >> 1) * p1.width;
    for (let x = 0, j = y * width * 3; x < width; x++, j += 3) {
      const c = k.y * (p0.data[y * width + x]! - 16);
      const u = p1.data[crow + (x >> 1)]! - 128;
      const v = p2.data[crow + (x >> 1)]! - 128;
      out[j] = clamp(c + k.rv * v);
      out[j + 1] = clamp(c + k.gu * u + k.gv * v);
      out[j + 2] = clamp(c + k.bu * u);
    }
  }
  return out;
}

export async function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 80): Promise<Buffer> {
  // Loaded when a preview is first watched, not by every run.
  const { default: sharp } = await import('sharp');
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
