/** Axis-aligned box in pixel coordinates; x2/y2 are exclusive edges (a 1-pixel box has x2 = x1 + 1). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Point {
  x: number;
  y: number;
}

/** One face found in one frame. Landmarks, when the model gives them: right eye, left eye, nose, right and left mouth corner. */
export interface Detection {
  score: number;
  box: Box;
  landmarks?: Point[];
}

/**
 * The smallest box a person may draw or give to follow, in frame pixels each way: a smaller one holds
 * too little picture for the box follower's template to find again (src/track/follow.ts).
 */
export const MIN_BOX = 4;

export const boxWidth = (b: Box): number => Math.max(0, b.x2 - b.x1);
export const boxHeight = (b: Box): number => Math.max(0, b.y2 - b.y1);
export const boxArea = (b: Box): number => boxWidth(b) * boxHeight(b);

export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** Scales a box's width and height by `factor` about its centre. */
export function scaleBox(b: Box, factor: number): Box {
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  const hw = (boxWidth(b) * factor) / 2;
  const hh = (boxHeight(b) * factor) / 2;
  return { x1: cx - hw, y1: cy - hh, x2: cx + hw, y2: cy + hh };
}

/** Clips a box to the frame [0,width) x [0,height). The result may be empty (x2 <= x1). */
export function clipBox(b: Box, width: number, height: number): Box {
  return {
    x1: Math.min(Math.max(b.x1, 0), width),
    y1: Math.min(Math.max(b.y1, 0), height),
    x2: Math.min(Math.max(b.x2, 0), width),
    y2: Math.min(Math.max(b.y2, 0), height),
  };
}

/** Maps a detection from detector-input coordinates back to frame coordinates. */
export function rescaleDetection(d: Detection, sx: number, sy: number): Detection {
  const box = { x1: d.box.x1 * sx, y1: d.box.y1 * sy, x2: d.box.x2 * sx, y2: d.box.y2 * sy };
  const landmarks = d.landmarks?.map((p) => ({ x: p.x * sx, y: p.y * sy }));
  return landmarks ? { score: d.score, box, landmarks } : { score: d.score, box };
}
