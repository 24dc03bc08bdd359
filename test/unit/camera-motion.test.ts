import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/media/frame.js';
import { CameraMotion } from '../../src/track/camera-motion.js';
import { SHARED } from '../helpers.js';

// Windows of 640x480 cut from a real crowd photo (1920x1440), as a camera moving over the scene sees it.
const W = 640;
const H = 480;
let photo: { data: Buffer; width: number; height: number };

beforeAll(async () => {
  const { data, info } = await sharp(join(SHARED, 'data', 'images', 'human_group-1.jpg')).greyscale().raw().toBuffer({ resolveWithObject: true });
  photo = { data, width: info.width, height: info.height };
});

/** The luma of the window whose top-left corner is at (x, y), scaled by `gain`, as a yuv420p frame (chroma unused). */
function windowAt(x: number, y: number, gain = 1, paste?: { from: [number, number]; to: [number, number]; size: [number, number] }): Frame {
  const data = new Uint8Array(W * H);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) data[r * W + c] = Math.min(255, gain * photo.data[(y + r) * photo.width + x + c]!);
  if (paste) {
    const [fx, fy] = paste.from;
    const [tx, ty] = paste.to;
    for (let r = 0; r < paste.size[1]; r++) for (let c = 0; c < paste.size[0]; c++) data[(ty + r) * W + tx + c] = photo.data[(fy + r) * photo.width + fx + c]!;
  }
  return { width: W, height: H, layout: 'yuv420p', planes: [{ data, width: W, height: H, subsample: 1 }], index: 0, time: 0 };
}

describe('CameraMotion', () => {
  it('measures the picture\'s shift between frames, within a pixel', () => {
    const m = new CameraMotion();
    expect(m.estimate(windowAt(600, 400))).toBeUndefined();
    // The window moves left/up, so the content moves right/down: shift = −(window's move). Shake of up to 60 px a frame.
    let [x, y] = [600, 400];
    for (const [dx, dy] of [[0, 0], [8, 0], [-36, 20], [40, -28], [6, -3], [-60, 40], [13, 17]] as const) {
      [x, y] = [x - dx, y - dy];
      const e = m.estimate(windowAt(x, y));
      expect(e, `${dx},${dy}`).toBeDefined();
      expect(Math.abs(e!.dx - dx), `${dx},${dy}`).toBeLessThanOrEqual(1);
      expect(Math.abs(e!.dy - dy), `${dx},${dy}`).toBeLessThanOrEqual(1);
      // Sixteenths of a pixel, so that sums of shifts are exact.
      expect(Number.isInteger(16 * e!.dx) && Number.isInteger(16 * e!.dy)).toBe(true);
    }
  });

  it('is not fooled by a frame darkening as it moves', () => {
    const m = new CameraMotion();
    m.estimate(windowAt(600, 400));
    const e = m.estimate(windowAt(580, 412, 0.35));
    expect(Math.abs(e!.dx - 20)).toBeLessThanOrEqual(1);
    expect(Math.abs(e!.dy + 12)).toBeLessThanOrEqual(1);
  });

  it('reads a person walking through a still picture as no camera motion', () => {
    // A 200x200 patch (about a seventh of the picture) moves 40 px right across a still background.
    const m = new CameraMotion();
    const patch = (tx: number) => ({ from: [100, 100] as [number, number], to: [tx, 140] as [number, number], size: [200, 200] as [number, number] });
    m.estimate(windowAt(600, 400, 1, patch(180)));
    const e = m.estimate(windowAt(600, 400, 1, patch(220)));
    expect(Math.abs(e!.dx)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(e!.dy)).toBeLessThanOrEqual(0.5);
  });

  it('gives no estimate on a cut to another scene or on a blank frame', () => {
    const m = new CameraMotion();
    m.estimate(windowAt(600, 400));
    expect(m.estimate(windowAt(1200, 900))).toBeUndefined();
    const blank: Frame = { ...windowAt(0, 0), planes: [{ data: new Uint8Array(W * H).fill(16), width: W, height: H, subsample: 1 }] };
    expect(m.estimate(blank)).toBeUndefined();
    expect(m.estimate(windowAt(600, 400))).toBeUndefined();
  });
});
