import { boxArea, boxHeight, boxWidth, clipBox, type Box } from '../detect/box.js';

// Pure geometry of box following: motion prediction, the drawn box's relation to a detection, and
// the tests that end a track. All boxes in frame pixels.

/** Per-frame motion of a box: centre shift in pixels per frame, and size change as a log ratio per frame. */
export interface Motion {
  dx: number;
  dy: number;
  dlogSize: number;
}

export const STILL: Motion = { dx: 0, dy: 0, dlogSize: 0 };

const centre = (b: Box): [number, number] => [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2];

/** A box of the given centre and size. */
export function boxAt(cx: number, cy: number, w: number, h: number): Box {
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}

/** Where constant motion puts `box` one frame later. */
export function predictBox(box: Box, m: Motion): Box {
  const [cx, cy] = centre(box);
  const k = Math.exp(m.dlogSize);
  return boxAt(cx + m.dx, cy + m.dy, boxWidth(box) * k, boxHeight(box) * k);
}

/**
 * The motion from `prev` to `next`, blended into `m` with weight `alpha` (an exponential moving
 * average: one noisy frame moves the prediction by only `alpha` of its error).
 */
export function updateMotion(m: Motion, prev: Box, next: Box, alpha = 0.5): Motion {
  const [px, py] = centre(prev);
  const [nx, ny] = centre(next);
  const ds = Math.log(Math.max(1e-6, boxWidth(next) + boxHeight(next)) / Math.max(1e-6, boxWidth(prev) + boxHeight(prev)));
  return {
    dx: (1 - alpha) * m.dx + alpha * (nx - px),
    dy: (1 - alpha) * m.dy + alpha * (ny - py),
    dlogSize: (1 - alpha) * m.dlogSize + alpha * ds,
  };
}

/** Motion slowed by `factor` per frame, for frames where nothing confirmed the box. */
export const damp = (m: Motion, factor = 0.8): Motion => ({ dx: m.dx * factor, dy: m.dy * factor, dlogSize: m.dlogSize * factor });

/**
 * How the drawn box sits on a detection box: its edges as fractions of the detection's width and
 * height, from the detection's top-left corner. A person's box is seldom drawn like the detector's
 * (looser, or with the hair): re-detections are mapped through this so that the followed box keeps
 * the drawn shape.
 */
export interface Relation {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function relationOf(drawn: Box, anchor: Box): Relation {
  const w = Math.max(1e-6, boxWidth(anchor));
  const h = Math.max(1e-6, boxHeight(anchor));
  return { x1: (drawn.x1 - anchor.x1) / w, y1: (drawn.y1 - anchor.y1) / h, x2: (drawn.x2 - anchor.x1) / w, y2: (drawn.y2 - anchor.y1) / h };
}

export function applyRelation(r: Relation, anchor: Box): Box {
  const w = boxWidth(anchor);
  const h = boxHeight(anchor);
  return { x1: anchor.x1 + r.x1 * w, y1: anchor.y1 + r.y1 * h, x2: anchor.x1 + r.x2 * w, y2: anchor.y1 + r.y2 * h };
}

/** The share (0..1) of a box's area inside a width x height frame; 0 for an empty box. */
export function visibleFraction(b: Box, width: number, height: number): number {
  const a = boxArea(b);
  return a > 0 ? boxArea(clipBox(b, width, height)) / a : 0;
}

/** A square region centred on `box`, `factor` times its longer side. */
export function squareAround(box: Box, factor: number): Box {
  const [cx, cy] = centre(box);
  const side = Math.max(boxWidth(box), boxHeight(box)) * factor;
  return boxAt(cx, cy, side, side);
}
