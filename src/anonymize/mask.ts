import { boxHeight, boxWidth, type Detection } from '../detect/box.js';

/** A mask in full-resolution frame coordinates: an ellipse or rectangle centred on (cx, cy), rotated by `angle` radians. */
export interface MaskShape {
  kind: 'ellipse' | 'box';
  cx: number;
  cy: number;
  /** Half-width and half-height before rotation. */
  rx: number;
  ry: number;
  angle: number;
}

/**
 * The pixels a mask covers in one plane, as one run per row: rows y0 … y0 + x0.length - 1, each
 * covering columns [x0[i], x1[i]); a row with x1 <= x0 is empty. Always inside the plane.
 */
export interface Spans {
  y0: number;
  x0: Int32Array;
  x1: Int32Array;
  /** Bounding rectangle of the covered pixels (x1/y1 exclusive); empty when minX >= maxX. */
  minX: number;
  maxX: number;
}

/**
 * The margin added around a face of this side: at most three quarters of it, so that a 10 px margin
 * around a 6 px face does not cover its neighbours for no gain.
 */
export function cappedMargin(margin: number, side: number): number {
  return Math.min(margin, 0.75 * side);
}

/**
 * `maskScale` multiplies the detection box's width and height about its centre; the ellipse is the
 * one inscribed in that scaled box, and --boxes uses the scaled box itself. `margin` then adds that
 * many pixels on every side (at most three quarters of the face size): a small face's box is off by
 * a few pixels as often as a large one's, which a relative scale alone does not cover.
 */
export function maskFromDetection(d: Detection, kind: MaskShape['kind'], maskScale: number, margin = 0, angle = 0): MaskShape {
  const w = boxWidth(d.box);
  const h = boxHeight(d.box);
  return {
    kind,
    cx: (d.box.x1 + d.box.x2) / 2,
    cy: (d.box.y1 + d.box.y2) / 2,
    rx: (w * maskScale) / 2 + cappedMargin(margin, w),
    ry: (h * maskScale) / 2 + cappedMargin(margin, h),
    angle,
  };
}

/** Horizontal extent [left, right] of the shape on the line y = dy (relative to the centre), or undefined. */
function rowExtent(s: MaskShape, dy: number): [number, number] | undefined {
  const c = Math.cos(s.angle);
  const sn = Math.sin(s.angle);
  if (s.kind === 'ellipse') {
    // Points with (dx·c + dy·sn)²/rx² + (−dx·sn + dy·c)²/ry² ≤ 1: a quadratic in dx.
    const irx = 1 / (s.rx * s.rx);
    const iry = 1 / (s.ry * s.ry);
    const a = c * c * irx + sn * sn * iry;
    const b = 2 * dy * sn * c * (irx - iry);
    const k = dy * dy * (sn * sn * irx + c * c * iry) - 1;
    const disc = b * b - 4 * a * k;
    if (disc < 0) return undefined;
    const root = Math.sqrt(disc);
    return [(-b - root) / (2 * a), (-b + root) / (2 * a)];
  }
  // Rectangle: intersect |dx·c + dy·sn| ≤ rx and |−dx·sn + dy·c| ≤ ry, one slab at a time.
  let lo = -Infinity;
  let hi = Infinity;
  for (const [coef, off, r] of [
    [c, dy * sn, s.rx],
    [-sn, dy * c, s.ry],
  ] as const) {
    if (Math.abs(coef) < 1e-12) {
      if (Math.abs(off) > r) return undefined;
      continue;
    }
    const t1 = (-r - off) / coef;
    const t2 = (r - off) / coef;
    lo = Math.max(lo, Math.min(t1, t2));
    hi = Math.min(hi, Math.max(t1, t2));
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Half-extent of the rotated shape's bounding box along y. */
function halfHeight(s: MaskShape): number {
  const c = Math.abs(Math.cos(s.angle));
  const sn = Math.abs(Math.sin(s.angle));
  return s.kind === 'ellipse' ? Math.sqrt((s.rx * sn) ** 2 + (s.ry * c) ** 2) : s.rx * sn + s.ry * c;
}

/**
 * Rasterizes a mask into a plane that is `subsample` times smaller than the frame. A pixel is covered
 * when its centre is inside the shape; for subsampled chroma the shape grows by half a luma pixel so
 * that every covered luma pixel also has its chroma covered.
 */
export function rasterize(shape: MaskShape, planeWidth: number, planeHeight: number, subsample = 1): Spans {
  const grow = (subsample - 1) / 2;
  const s: MaskShape = { ...shape, rx: shape.rx + grow, ry: shape.ry + grow };
  const hh = halfHeight(s);
  const top = Math.max(0, Math.ceil((s.cy - hh) / subsample - 0.5));
  const bottom = Math.min(planeHeight - 1, Math.floor((s.cy + hh) / subsample - 0.5));
  const rows = Math.max(0, bottom - top + 1);
  const x0 = new Int32Array(rows);
  const x1 = new Int32Array(rows);
  let minX = planeWidth;
  let maxX = 0;
  for (let i = 0; i < rows; i++) {
    const yc = (top + i + 0.5) * subsample;
    const ext = rowExtent(s, yc - s.cy);
    if (!ext) continue;
    const a = Math.max(0, Math.ceil((s.cx + ext[0]) / subsample - 0.5));
    const b = Math.min(planeWidth, Math.floor((s.cx + ext[1]) / subsample - 0.5) + 1);
    if (b <= a) continue;
    x0[i] = a;
    x1[i] = b;
    if (a < minX) minX = a;
    if (b > maxX) maxX = b;
  }
  return { y0: top, x0, x1, minX, maxX };
}
