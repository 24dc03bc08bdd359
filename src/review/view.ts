import { keptDuplicates } from '../project/regions.js';
import type { Boxes, Candidate, Project, Track } from '../project/schema.js';

import type { ProjectPatch, ProjectView, TrackChange, TrackView } from './wire.js';

export type { ProjectPatch, ProjectView, TrackView };

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
  const follows = keptDuplicates(p);
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
    tracks: items(p).map((i) => trackView(i, follows)),
  };
}

type Item = { track: Track } | { candidate: Candidate };

/** Tracks, then candidates. */
const items = (p: Project): Item[] => [...p.tracks.map((track) => ({ track })), ...p.candidates.map((candidate) => ({ candidate }))];
const itemOf = (i: Item): Track | Candidate => ('track' in i ? i.track : i.candidate);

/** `follows`: keptDuplicates of the project, auto track id → kept track id. */
function trackView(i: Item, follows: Map<number, number>): TrackView {
  if ('track' in i) {
    const t = i.track;
    const kept = follows.get(t.id);
    return { id: t.id, origin: t.origin, action: t.action, ...(kept === undefined ? {} : { follows: kept }), ...(t.label ? { label: t.label } : {}), ...best(t.boxes), boxes: boxesView(t.boxes) };
  }
  const c = i.candidate;
  return { id: c.id, origin: 'candidate', action: 'candidate', ...best(c.boxes), bestScore: c.bestScore, boxes: boxesView(c.boxes) };
}

/**
 * What changed from project `a` (revision `from`) to `b`: edits are pure and share what they leave
 * alone (src/project/edit.ts), so a track or candidate that is the same object in both is unchanged,
 * unless the kept face it follows changed (an edit of another track), and one whose box table is
 * the same object is sent without its boxes.
 */
export function projectPatch(a: Project, from: number, b: Project, revision: number): ProjectPatch {
  const before = new Map(items(a).map((i) => [itemOf(i).id, i]));
  const [followed, follows] = [keptDuplicates(a), keptDuplicates(b)];
  const changed: TrackChange[] = [];
  for (const i of items(b)) {
    const now = itemOf(i);
    const old = before.get(now.id);
    before.delete(now.id);
    if (old && itemOf(old) === now && 'track' in old === 'track' in i && followed.get(now.id) === follows.get(now.id)) continue;
    const { boxes, ...rest } = trackView(i, follows);
    changed.push(old && itemOf(old).boxes === now.boxes ? rest : { ...rest, boxes });
  }
  return { from, revision, changed, removed: [...before.keys()] };
}
