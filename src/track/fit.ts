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

/** Whether `inner` lies within `outer` enlarged by `slack` of its size on every side. */
export function holds(outer: Box, inner: Box, slack: number): boolean {
  const sx = slack * (outer.x2 - outer.x1);
  const sy = slack * (outer.y2 - outer.y1);
  return inner.x1 >= outer.x1 - sx && inner.x2 <= outer.x2 + sx && inner.y1 >= outer.y1 - sy && inner.y2 <= outer.y2 + sy;
}

/** Linear interpolation between two keys' boxes at `frame`. */
export function between(a: { frame: number; box: Box }, b: { frame: number; box: Box }, frame: number): Box {
  const u = (frame - a.frame) / (b.frame - a.frame);
  const [ca, cb] = [toCs(a.box), toCs(b.box)];
  return fromCs(ca.map((v, i) => v + u * (cb[i]! - v)));
}

/** Range of widths and heights of the keys (pixels). */
export function sizeRange(keys: readonly { box: Box }[]): { w: [number, number]; h: [number, number] } {
  const ws = keys.map((k) => k.box.x2 - k.box.x1);
  const hs = keys.map((k) => k.box.y2 - k.box.y1);
  return { w: [Math.min(...ws), Math.max(...ws)], h: [Math.min(...hs), Math.max(...hs)] };
}
