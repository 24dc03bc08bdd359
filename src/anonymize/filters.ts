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

export function fillSolid(plane: Plane, spans: Spans, value: number): void {
  const { data, width } = plane;
  for (let i = 0; i < spans.x0.length; i++) {
    const row = (spans.y0 + i) * width;
    data.fill(value, row + spans.x0[i]!, row + spans.x1[i]!);
  }
}

/**
 * Averages the spans' bounding rectangle over a grid of `cell`-sized cells anchored at its top-left
 * corner. Returns the grid size and the per-cell means.
 */
function cellMeans(plane: Plane, rect: { x: number; y: number; w: number; h: number }, cell: number) {
  const gw = Math.max(1, Math.ceil(rect.w / cell));
  const gh = Math.max(1, Math.ceil(rect.h / cell));
  const sums = new Float64Array(gw * gh);
  const counts = new Float64Array(gw * gh);
  const colCell = new Int32Array(rect.w);
  for (let x = 0; x < rect.w; x++) colCell[x] = Math.min(gw - 1, Math.floor(x / cell));
  for (let y = 0; y < rect.h; y++) {
    const g = Math.min(gh - 1, Math.floor(y / cell)) * gw;
    const row = (rect.y + y) * plane.width + rect.x;
    for (let x = 0; x < rect.w; x++) {
      const k = g + colCell[x]!;
      sums[k]! += plane.data[row + x]!;
      counts[k]! += 1;
    }
  }
  for (let k = 0; k < sums.length; k++) sums[k] = counts[k]! > 0 ? sums[k]! / counts[k]! : 0;
  return { gw, gh, means: sums };
}

function boundingRect(spans: Spans) {
  const [top, bottom] = spanRows(spans);
  return { x: spans.minX, y: top, w: Math.max(0, spans.maxX - spans.minX), h: Math.max(0, bottom - top) };
}

/** Replaces the covered pixels with the mean of their `cell` x `cell` block. */
export function pixelate(plane: Plane, spans: Spans, cell: number): void {
  const rect = boundingRect(spans);
  if (rect.w === 0 || rect.h === 0) return;
  const c = Math.max(1, cell);
  const { gw, gh, means } = cellMeans(plane, rect, c);
  for (let i = 0; i < spans.x0.length; i++) {
    const y = spans.y0 + i;
    const g = Math.min(gh - 1, Math.floor((y - rect.y) / c)) * gw;
    const row = y * plane.width;
    for (let x = spans.x0[i]!; x < spans.x1[i]!; x++) {
      plane.data[row + x] = Math.round(means[g + Math.min(gw - 1, Math.floor((x - rect.x) / c))]!);
    }
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
  const c = Math.max(1, cell);
  const { gw, gh, means } = cellMeans(plane, rect, c);
  const j0 = new Int32Array(rect.w);
  const j1 = new Int32Array(rect.w);
  const fx = new Float32Array(rect.w);
  for (let x = 0; x < rect.w; x++) {
    const u = Math.min(Math.max((x + 0.5) / c - 0.5, 0), gw - 1);
    j0[x] = Math.floor(u);
    j1[x] = Math.min(j0[x]! + 1, gw - 1);
    fx[x] = u - j0[x]!;
  }
  for (let i = 0; i < spans.x0.length; i++) {
    const y = spans.y0 + i;
    const v = Math.min(Math.max((y - rect.y + 0.5) / c - 0.5, 0), gh - 1);
    const i0 = Math.floor(v);
    const i1 = Math.min(i0 + 1, gh - 1);
    const fy = v - i0;
    const r0 = i0 * gw;
    const r1 = i1 * gw;
    const row = y * plane.width;
    for (let x = spans.x0[i]!; x < spans.x1[i]!; x++) {
      const k = x - rect.x;
      const a = j0[k]!;
      const b = j1[k]!;
      const f = fx[k]!;
      const top = means[r0 + a]! * (1 - f) + means[r0 + b]! * f;
      const bot = means[r1 + a]! * (1 - f) + means[r1 + b]! * f;
      plane.data[row + x] = Math.round(top * (1 - fy) + bot * fy);
    }
  }
}
