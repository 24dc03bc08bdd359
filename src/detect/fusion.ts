import { iou, type Detection, type Point } from './box.js';

export type ScoreRule = 'max' | 'noisy-or';

/**
 * Detections below this score are never kept by any pass: below the threshold, they only refine the
 * box of a face another pass is surer of, and `faceblur analyze` offers them as candidates.
 */
export const CANDIDATE_FLOOR = 0.1;

/**
 * Weighted box fusion of several detection passes (scales, models) over the same frame.
 * Detections of one face across passes are grouped by IoU; the group's box and landmarks are the
 * score-weighted mean of its members, so agreeing passes refine the box instead of stacking masks.
 * With 'noisy-or', a face several passes agree on scores higher than any one pass gave it
 * (1 − Π(1 − sᵢ), best member per pass), so one threshold can keep weak but confirmed faces and
 * drop weak single-pass ones.
 */
export function fuseDetections(passes: readonly (readonly Detection[])[], iouThreshold = 0.4, rule: ScoreRule = 'noisy-or'): Detection[] {
  const all = passes.flatMap((list, pass) => list.map((d) => ({ d, pass }))).sort((a, b) => b.d.score - a.d.score);
  const groups: { members: typeof all; box: Detection['box'] }[] = [];
  for (const item of all) {
    const g = groups.find((x) => iou(x.box, item.d.box) >= iouThreshold);
    if (g) {
      g.members.push(item);
      g.box = weightedBox(g.members.map((m) => m.d));
    } else groups.push({ members: [item], box: { ...item.d.box } });
  }
  return groups.map((g) => {
    const best = new Map<number, number>();
    for (const m of g.members) best.set(m.pass, Math.max(best.get(m.pass) ?? 0, m.d.score));
    const scores = [...best.values()];
    const score = rule === 'max' ? Math.max(...scores) : 1 - scores.reduce((p, s) => p * (1 - s), 1);
    const landmarks = weightedLandmarks(g.members.map((m) => m.d));
    return landmarks ? { score, box: g.box, landmarks } : { score, box: g.box };
  });
}

function weightedBox(ds: readonly Detection[]): Detection['box'] {
  let w = 0;
  const b = { x1: 0, y1: 0, x2: 0, y2: 0 };
  for (const d of ds) {
    w += d.score;
    b.x1 += d.box.x1 * d.score;
    b.y1 += d.box.y1 * d.score;
    b.x2 += d.box.x2 * d.score;
    b.y2 += d.box.y2 * d.score;
  }
  return { x1: b.x1 / w, y1: b.y1 / w, x2: b.x2 / w, y2: b.y2 / w };
}

function weightedLandmarks(ds: readonly Detection[]): Point[] | undefined {
  const withLm = ds.filter((d) => d.landmarks && d.landmarks.length === 5);
  if (withLm.length === 0) return undefined;
  const w = withLm.reduce((s, d) => s + d.score, 0);
  return [0, 1, 2, 3, 4].map((k) => ({
    x: withLm.reduce((s, d) => s + d.landmarks![k]!.x * d.score, 0) / w,
    y: withLm.reduce((s, d) => s + d.landmarks![k]!.y * d.score, 0) / w,
  }));
}
