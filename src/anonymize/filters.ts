import type { Plane } from '../media/frame.js';
import type { Spans } from './mask.js';

/** Rows of the spans' bounding rectangle that hold covered pixels: [top, bottom). */
function spanRows(s: Spans): [number, number] {
  let first = -1;
  let last = -1;
  for (let i = 0; i < s.x0.length; i++) {
    if (s.x1[i]! > s.x0[i]!) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? [0, 0] : [s.y0 + first, s.y0 + last + 1];
}

/** Sets every covered pixel of the plane to `value` (0–255, the plane's value of the chosen colour). */
export function fillSolid(plane: Plane, spans: Spans, value: number): void {
  const { data, width } = plane;
  for (let i = 0; i < spans.x0.length; i++) {
    const row = (spans.y0 + i) * width;
    data.fill(value, row + spans.x0[i]!, row + spans.x1[i]!);
  }
}

/**
 * A grid of `count` equal cells over `length` pixels (count <= length): the cell of each pixel, and
 * each pixel's position in cell units measured from the first cell's centre, clamped to the outer
 * centres (for bilinear interpolation). Equal cells of at least one pixel each are what keeps every
 * cell populated: a grid of `ceil(length / cell)` cells of a fractional size can leave the last cell
 * empty, and an empty cell's mean of 0 is what painted green edges on chroma planes.
 */
function axisGrid(length: number, count: number) {
  const cellOf = new Int32Array(length);
  // The interpolation's two cells and the weight of the second, per pixel: worked out once per
  // region rather than once per covered pixel (the position is a float32, as it always was).
  const lo = new Int32Array(length);
  const hi = new Int32Array(length);
  const frac = new Float64Array(length);
  for (let x = 0; x < length; x++) {
    cellOf[x] = Math.floor((x * count) / length);
    const at = Math.fround(Math.min(Math.max(((x + 0.5) * count) / length - 0.5, 0), count - 1));
    lo[x] = Math.floor(at);
    hi[x] = Math.min(lo[x]! + 1, count - 1);
    frac[x] = at - lo[x]!;
  }
  return { count, cellOf, lo, hi, frac };
}

/** Cells along a side of `length` pixels for a requested cell size: as near the size as whole cells allow, at least one, at most one per pixel. */
const cellCount = (length: number, cell: number): number => Math.min(length, Math.max(1, Math.round(length / Math.max(1, cell))));

/**
 * Averages the spans' bounding rectangle over a grid of about `cell`-sized cells. Every cell holds at
 * least one pixel of the rectangle, so every mean lies between the rectangle's darkest and brightest
 * value. Returns the grids along x and y and the per-cell means, row by row.
 */
function cellMeans(plane: Plane, rect: { x: number; y: number; w: number; h: number }, cell: number) {
  const gx = axisGrid(rect.w, cellCount(rect.w, cell));
  const gy = axisGrid(rect.h, cellCount(rect.h, cell));
  const sums = new Float64Array(gx.count * gy.count);
  const counts = new Float64Array(gx.count * gy.count);
  for (let y = 0; y < rect.h; y++) {
    const g = gy.cellOf[y]! * gx.count;
    const row = (rect.y + y) * plane.width + rect.x;
    for (let x = 0; x < rect.w; x++) {
      const k = g + gx.cellOf[x]!;
      sums[k]! += plane.data[row + x]!;
      counts[k]! += 1;
    }
  }
  for (let k = 0; k < sums.length; k++) sums[k] = sums[k]! / counts[k]!;
  return { gx, gy, means: sums };
}

function boundingRect(spans: Spans) {
  const [top, bottom] = spanRows(spans);
  return { x: spans.minX, y: top, w: Math.max(0, spans.maxX - spans.minX), h: Math.max(0, bottom - top) };
}

/** Replaces the covered pixels with the mean of their cell (about `cell` x `cell` pixels). */
export function pixelate(plane: Plane, spans: Spans, cell: number): void {
  const rect = boundingRect(spans);
  if (rect.w === 0 || rect.h === 0) return;
  const { gx, gy, means } = cellMeans(plane, rect, cell);
  for (let i = 0; i < spans.x0.length; i++) {
    const y = spans.y0 + i;
    const g = gy.cellOf[y - rect.y]! * gx.count;
    const row = y * plane.width;
    for (let x = spans.x0[i]!; x < spans.x1[i]!; x++) plane.data[row + x] = Math.round(means[g + gx.cellOf[x - rect.x]!]!);
  }
}

/**
 * A blur that cannot be undone: the region is reduced to a coarse grid of cell means (a few cells
 * across the face) and rebuilt by bilinear interpolation between the cell centres. The output depends
 * on nothing but those few means, so no deconvolution can bring back detail finer than a cell,
 * unlike a box or Gaussian blur of the same look, which keep high frequencies at low amplitude.
 */
export function blur(plane: Plane, spans: Spans, cell: number): void {
  const rect = boundingRect(spans);
  if (rect.w === 0 || rect.h === 0) return;
  const { gx, gy, means } = cellMeans(plane, rect, cell);
  const gw = gx.count;
  const { lo, hi, frac } = gx;
  const data = plane.data;
  for (let i = 0; i < spans.x0.length; i++) {
    const y = spans.y0 + i;
    const fy = gy.frac[y - rect.y]!;
    const r0 = gy.lo[y - rect.y]! * gw;
    const r1 = gy.hi[y - rect.y]! * gw;
    const row = y * plane.width;
    for (let x = spans.x0[i]!, end = spans.x1[i]!; x < end; x++) {
      const k = x - rect.x;
      const a = lo[k]!, b = hi[k]!, f = frac[k]!;
      const top = means[r0 + a]! * (1 - f) + means[r0 + b]! * f;
      const bot = means[r1 + a]! * (1 - f) + means[r1 + b]! * f;
      data[row + x] = Math.round(top * (1 - fy) + bot * fy);
    }
  }
}
