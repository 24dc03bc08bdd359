import type { Boxes, Project } from '../project/schema.js';

import type { ProjectView, TrackView } from './wire.js';

export type { ProjectView, TrackView };

const r1 = (v: number) => Math.round(v * 10) / 10;

function boxesView(b: Boxes): TrackView['boxes'] {
  return { frame: Array.from(b.frame), x1: Array.from(b.x1, r1), y1: Array.from(b.y1, r1), x2: Array.from(b.x2, r1), y2: Array.from(b.y2, r1), kind: Array.from(b.kind) };
}

/** The highest score of a track's boxes, and the frame of that box (its thumbnail). */
export function best(b: Boxes): { bestScore: number; bestFrame: number } {
  let i = 0;
  for (let k = 1; k < b.score.length; k++) if (b.score[k]! > b.score[i]!) i = k;
  return { bestScore: Math.round((b.score[i] ?? 0) * 1000) / 1000, bestFrame: b.frame[i] ?? 0 };
}

/**
 * What the page draws, as plain JSON: every track and candidate with its boxes as parallel arrays,
 * so that 200 tracks over a 10-minute video stay a few MB and the page needs no decoding library.
 */
export function projectView(p: Project, name: string, revision: number): ProjectView {
  return {
    revision,
    input: {
      name,
      kind: p.input.kind,
      width: p.input.width,
      height: p.input.height,
      frameCount: p.input.frameCount,
      duration: p.input.duration,
      timestamps: Array.from(p.input.timestamps, (t) => Math.round(t * 1e6) / 1e6),
    },
    tracks: [
      ...p.tracks.map((t): TrackView => ({ id: t.id, origin: t.origin, action: t.action, ...(t.label ? { label: t.label } : {}), ...best(t.boxes), boxes: boxesView(t.boxes) })),
      ...p.candidates.map((c): TrackView => ({ id: c.id, origin: 'candidate', action: 'candidate', ...best(c.boxes), bestScore: c.bestScore, boxes: boxesView(c.boxes) })),
    ],
  };
}
