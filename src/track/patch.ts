import type { Box } from '../detect/box.js';

/**
 * Resamples the part `region` (in plane pixels, may run past the edges) of an 8-bit plane into
 * `out` (outWidth x outHeight, row-major), bilinearly. Pixels outside the plane repeat its edge, so
 * that a box half out of the frame still gets a patch of the requested size.
 */
export function samplePatch(
  data: Uint8Array,
  width: number,
  height: number,
  region: Box,
  outWidth: number,
  outHeight: number,
  out: Uint8Array,
): void {
  const sx = (region.x2 - region.x1) / outWidth;
  const sy = (region.y2 - region.y1) / outHeight;
  const maxX = width - 1;
  const maxY = height - 1;
  // Every row samples the same columns: their offsets and weights are worked out once, which cuts
  // the cost of the box follower's search windows to a third (0.26 to 0.09 ms for 90x100).
  const left = new Int32Array(outWidth);
  const step = new Int32Array(outWidth);
  const weight = new Float64Array(outWidth);
  for (let i = 0; i < outWidth; i++) {
    // Pixel centres: output pixel i covers [i, i+1) and samples the source at its middle.
    let fx = region.x1 + (i + 0.5) * sx - 0.5;
    fx = fx < 0 ? 0 : fx > maxX ? maxX : fx;
    const x0 = Math.floor(fx);
    left[i] = x0;
    step[i] = x0 < maxX ? 1 : 0;
    weight[i] = fx - x0;
  }
  for (let j = 0; j < outHeight; j++) {
    let fy = region.y1 + (j + 0.5) * sy - 0.5;
    fy = fy < 0 ? 0 : fy > maxY ? maxY : fy;
    const y0 = Math.floor(fy);
    const r0 = y0 * width;
    const r1 = (y0 < maxY ? y0 + 1 : y0) * width;
    const wy = fy - y0;
    const o = j * outWidth;
    for (let i = 0; i < outWidth; i++) {
      const a = r0 + left[i]!;
      const b = r1 + left[i]!;
      const s = step[i]!;
      const wx = weight[i]!;
      const top = data[a]! + (data[a + s]! - data[a]!) * wx;
      const bottom = data[b]! + (data[b + s]! - data[b]!) * wx;
      // Values are 0..255: adding a half and truncating rounds them.
      out[o + i] = (top + (bottom - top) * wy + 0.5) | 0;
    }
  }
}
