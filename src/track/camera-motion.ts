import type { Frame } from '../media/frame.js';

/**
 * How far the picture's content moved from one frame to the next, in full-resolution pixels: what
 * was at (x, y) is now at (x + dx, y + dy). Multiples of 1/SUBPIXEL px, so that sums of shifts are
 * exact in floating point whatever frame they start from.
 */
export interface Shift {
  dx: number;
  dy: number;
}

/** Shifts are rounded to 1/16 px: finer than any measurement, and dyadic, so their sums are exact. */
const SUBPIXEL = 16;
/** Width of the working picture the motion is measured on: 160 px keeps a 1080p frame's cost near 1 ms. */
const WORK_WIDTH = 160;
/** Largest shift searched, as a share of the working width: 15% of 640 px is 96 px a frame, past any hand-held shake. */
const SEARCH_SHARE = 0.15;
/** Blocks per side of the refinement grid; the shift is their median, and a majority must agree with it. */
const GRID = 3;
/** Blocks whose own best shift lies within this many working pixels of the median, needed for the estimate to stand. */
const AGREEMENT = { within: 1, blocks: 5 };
/**
 * Largest median over the blocks of the mean absolute difference left at the best shift, in standard
 * deviations of the working picture. Two unrelated pictures differ by about 2/√π ≈ 1.13 (the mean
 * absolute difference of two independent unit normals); the same scene moved differs by 0.02–0.15 in
 * the tests' crowd photo, 0.3 with a walker over a seventh of it, and 0.8 across a cut.
 */
const MAX_DIFFERENCE = 0.5;
/** A working picture this flat (standard deviation in 8-bit levels) holds nothing to match: dark or blank frames. */
const MIN_CONTRAST = 2;

interface Level {
  data: Float32Array;
  width: number;
  height: number;
}

/** The working copy at full, half and quarter size. */
type Pyramid = [Level, Level, Level];

function pyramid(l: Level): Pyramid {
  const half = halve(l);
  return [l, half, halve(half)];
}

/** A rectangle of a level, in its pixels (x1, y1 exclusive). */
interface SearchArea {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The window `m` pixels inside the level's edges. */
const inset = (l: Level, m: number): SearchArea => ({ x0: m, y0: m, x1: l.width - m, y1: l.height - m });

/**
 * The global translation of a video's picture between consecutive frames (camera pan and shake), for
 * the tracker to carry faces with the camera when the detector does not see them. Measured on a
 * ~160 px wide copy of the luma (or green) plane, normalised to zero mean and unit variance so that a
 * frame darkening does not read as motion: an exhaustive search of the mean absolute difference on a
 * quarter-size copy, refined by ±1 px on the half-size one, then by ±1 px on each block of a 3×3
 * grid of the working copy, refined below a working pixel by a parabola through the costs around
 * each block's best; the blocks' median is the shift.
 * Block matching with a median is the textbook robust global-motion estimate (e.g. Szeliski,
 * "Computer Vision: Algorithms and Applications", 2nd ed., §9.2): a person walking through a third
 * of a still picture moves three blocks at most and does not move the median. When fewer than
 * AGREEMENT.blocks blocks agree, or the best match still differs by more than MAX_DIFFERENCE (zoom,
 * rotation, a cut, a flat frame), there is no estimate.
 * One instance per stream: it keeps the previous frame's working copy.
 */
export class CameraMotion {
  private prev: Pyramid | undefined;

  /** The shift from the previous frame given to this one; undefined for the first frame or when unsure. */
  estimate(frame: Frame): Shift | undefined {
    const k = Math.max(1, Math.floor(frame.width / WORK_WIDTH));
    const fine = workingCopy(frame, k);
    const cur = fine ? pyramid(fine) : undefined;
    const prev = this.prev;
    this.prev = cur;
    if (!cur || !prev || prev[0].width !== cur[0].width || prev[0].height !== cur[0].height) return undefined;
    // Exhaustive on the quarter-size copy, then ±1 px at each finer level: each level halves the error.
    const top = cur[2];
    const r = Math.max(1, Math.round(SEARCH_SHARE * top.width));
    const coarse = bestShift(prev[2], top, inset(top, r), 0, 0, r);
    const r1 = 2 * r + 1;
    if (cur[1].width <= 2 * r1 || cur[1].height <= 2 * r1) return undefined;
    const mid = bestShift(prev[1], cur[1], inset(cur[1], r1), 2 * coarse[0], 2 * coarse[1], 1);
    // The block search reaches 2·r1 + 1 working pixels, and the sub-pixel fit one more.
    const R = 2 * r1 + 2;
    const w = cur[0].width - 2 * R;
    const h = cur[0].height - 2 * R;
    if (w < GRID * 4 || h < GRID * 4) return undefined;
    /** Per block: best whole shift (u, v), its cost, and the shift below a pixel (x, y). */
    const found: [number, number, number, number, number][] = [];
    for (let by = 0; by < GRID; by++) {
      for (let bx = 0; bx < GRID; bx++) {
        const win = { x0: R + Math.floor((bx * w) / GRID), y0: R + Math.floor((by * h) / GRID), x1: R + Math.floor(((bx + 1) * w) / GRID), y1: R + Math.floor(((by + 1) * h) / GRID) };
        const [u, v, cost] = bestShift(prev[0], cur[0], win, 2 * mid[0], 2 * mid[1], 1);
        // Below a working pixel (k frame pixels, 4 at 640 px wide): the vertex of the parabola through
        // the block's costs at its best shift and the two neighbours on each axis. Whole working pixels
        // alone would let the error of a hold's summed shifts random-walk by several frame pixels.
        const at = (du: number, dv: number) => meanDifference(prev[0], cur[0], win, u + du, v + dv);
        const vertex = (minus: number, plus: number) => {
          const curve = minus - 2 * cost + plus;
          return curve > 0 ? Math.max(-0.5, Math.min(0.5, (minus - plus) / (2 * curve))) : 0;
        };
        found.push([u, v, cost, u + vertex(at(-1, 0), at(1, 0)), v + vertex(at(0, -1), at(0, 1))]);
      }
    }
    const median = (i: 0 | 1 | 2 | 3 | 4) => found.map((f) => f[i]).sort((a, b) => a - b)[Math.floor(found.length / 2)]!;
    const [mx, my] = [median(0), median(1)];
    if (median(2) > MAX_DIFFERENCE) return undefined;
    const agree = found.filter(([x, y]) => Math.abs(x - mx) <= AGREEMENT.within && Math.abs(y - my) <= AGREEMENT.within).length;
    if (agree < AGREEMENT.blocks) return undefined;
    const sub = (v: number) => Math.round(v * k * SUBPIXEL) / SUBPIXEL;
    return { dx: sub(median(3)), dy: sub(median(4)) };
  }
}

/**
 * The frame's first plane (luma, or green for RGB frames) averaged over k×k cells (sampling 2×2 or
 * more points per cell), normalised to zero mean and unit variance; undefined when it is flat.
 */
function workingCopy(frame: Frame, k: number): Level | undefined {
  const plane = frame.planes[frame.layout === 'rgb' ? 1 : 0]!;
  const width = Math.floor(plane.width / k);
  const height = Math.floor(plane.height / k);
  if (width < 8 || height < 8) return undefined;
  const step = Math.max(1, Math.floor(k / 2));
  const data = new Float32Array(width * height);
  const src = plane.data;
  let sum = 0;
  let sq = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      let n = 0;
      for (let yy = y * k; yy < (y + 1) * k; yy += step) {
        const row = yy * plane.width;
        for (let xx = x * k; xx < (x + 1) * k; xx += step, n++) s += src[row + xx]!;
      }
      const v = s / n;
      data[y * width + x] = v;
      sum += v;
      sq += v * v;
    }
  }
  const mean = sum / data.length;
  const sd = Math.sqrt(Math.max(0, sq / data.length - mean * mean));
  if (sd < MIN_CONTRAST) return undefined;
  for (let i = 0; i < data.length; i++) data[i] = (data[i]! - mean) / sd;
  return { data, width, height };
}

/** The level averaged over 2×2 cells. */
function halve(l: Level): Level {
  const width = l.width >> 1;
  const height = l.height >> 1;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const a = 2 * y * l.width;
    const b = a + l.width;
    for (let x = 0; x < width; x++) data[y * width + x] = (l.data[a + 2 * x]! + l.data[a + 2 * x + 1]! + l.data[b + 2 * x]! + l.data[b + 2 * x + 1]!) / 4;
  }
  return { data, width, height };
}

/**
 * The shift (u, v) within ±r of (cu, cv) that minimises the mean absolute difference between `cur`
 * over the window and `prev` moved by it, and that difference; ties go to the shift nearest (cu, cv). The window must
 * stay `r` + |c| inside both pictures.
 */
function bestShift(prev: Level, cur: Level, win: SearchArea, cu: number, cv: number, r: number): [number, number, number] {
  let best: [number, number] = [cu, cv];
  let bestCost = Infinity;
  for (let v = cv - r; v <= cv + r; v++) {
    for (let u = cu - r; u <= cu + r; u++) {
      const cost = meanDifference(prev, cur, win, u, v);
      const nearer = Math.abs(u - cu) + Math.abs(v - cv) < Math.abs(best[0] - cu) + Math.abs(best[1] - cv);
      if (cost < bestCost || (cost === bestCost && nearer)) {
        bestCost = cost;
        best = [u, v];
      }
    }
  }
  return [best[0], best[1], bestCost];
}

/** Mean absolute difference between `cur` over the window and `prev` moved by (u, v). */
function meanDifference(prev: Level, cur: Level, win: SearchArea, u: number, v: number): number {
  let cost = 0;
  for (let y = win.y0; y < win.y1; y++) {
    const c = y * cur.width;
    const p = (y - v) * prev.width - u;
    for (let x = win.x0; x < win.x1; x++) cost += Math.abs(cur.data[c + x]! - prev.data[p + x]!);
  }
  return cost / ((win.x1 - win.x0) * (win.y1 - win.y0));
}
