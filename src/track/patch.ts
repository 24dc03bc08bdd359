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
  for (let j = 0; j < outHeight; j++) {
    // Pixel centres: output pixel j covers [j, j+1) and samples the source at its middle.
    let fy = region.y1 + (j + 0.5) * sy - 0.5;
    fy = fy < 0 ? 0 : fy > maxY ? maxY : fy;
    const y0 = Math.floor(fy);
    const y1 = y0 < maxY ? y0 + 1 : y0;
    const wy = fy - y0;
    const r0 = y0 * width;
    const r1 = y1 * width;
    const o = j * outWidth;
    for (let i = 0; i < outWidth; i++) {
      let fx = region.x1 + (i + 0.5) * sx - 0.5;
      fx = fx < 0 ? 0 : fx > maxX ? maxX : fx;
      const x0 = Math.floor(fx);
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const wx = fx - x0;
      const top = data[r0 + x0]! + (data[r0 + x1]! - data[r0 + x0]!) * wx;
      const bottom = data[r1 + x0]! + (data[r1 + x1]! - data[r1 + x0]!) * wx;
      out[o + i] = Math.round(top + (bottom - top) * wy);
    }
  }
}
