import type { Box } from '../detect/box.js';

/** A box as centre and size (cx, cy, w, h), in pixels: the quantities fitted over time. */
export type Cs = [number, number, number, number];

export const toCs = (b: Box): Cs => [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2, b.x2 - b.x1, b.y2 - b.y1];
export const fromCs = ([cx, cy, w, h]: readonly number[]): Box => ({ x1: cx! - w! / 2, y1: cy! - h! / 2, x2: cx! + w! / 2, y2: cy! + h! / 2 });

/**
 * Weighted least-squares line through the boxes' centre and size over time, evaluated at `frame`:
 * `at` is the line's value there (pixels), `slope` its change per frame (pixels per frame; zero
 * with a single frame). Weights fall as 1 / (1 + |Δt|), so nearer boxes count more: a centred
 * window smooths jitter without lagging a face that moves steadily.
 */
export function fitAt(keys: readonly { frame: number; box: Box }[], frame: number): { at: Cs; slope: Cs } {
  let sw = 0, st = 0, stt = 0;
  const sv = [0, 0, 0, 0];
  const stv = [0, 0, 0, 0];
  for (const k of keys) {
    const t = k.frame - frame;
    const w = 1 / (1 + Math.abs(t));
    const v = toCs(k.box);
    sw += w;
    st += w * t;
    stt += w * t * t;
    for (let i = 0; i < 4; i++) {
      sv[i]! += w * v[i]!;
      stv[i]! += w * t * v[i]!;
    }
  }
  const det = sw * stt - st * st;
  // With all keys on one frame, their mean and no motion.
  if (Math.abs(det) < 1e-9) return { at: sv.map((s) => s / sw) as Cs, slope: [0, 0, 0, 0] };
  return {
    at: sv.map((s, i) => (s * stt - st * stv[i]!) / det) as Cs,
    slope: sv.map((s, i) => (sw * stv[i]! - st * s) / det) as Cs,
  };
}
