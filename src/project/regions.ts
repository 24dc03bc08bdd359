import { boxArea, intersectionArea, type Box } from '../detect/box.js';
import type { TrackedRegion } from '../track/tracker.js';
import { indexOfFrame, rowAt } from './boxes.js';
import type { BoxKind, Boxes, Project, Track } from './schema.js';

/** A region a project asks to anonymize on one frame: a redacted track's box there. */
export interface ProjectRegion {
  score: number;
  box: TrackedRegion['box'];
  trackId: number;
  kind: BoxKind;
}

/** Frames per bucket of the index: small enough that a bucket lists few tracks, large enough to stay small. */
const BUCKET = 256;

/** Whether the project anonymizes anything: some `redact` track with a box. */
export const redactsAnything = (project: Project): boolean => project.tracks.some((t) => t.action === 'redact' && t.boxes.frame.length > 0);

/**
 * How much of the smaller of two boxes the other covers, 0..1. Not IoU: the analysis can give one face
 * a box of its middle, one of its upper half and one of its lower half (a trial's classroom clip:
 * IoU 0.29–0.40 with each other), each lying inside the face.
 */
const overlapOfSmaller = (a: Box, b: Box): number => intersectionArea(a, b) / Math.max(1e-9, Math.min(boxArea(a), boxArea(b)));

/** A box lies on a kept face when at least this share of the smaller of the two is shared. */
const ON_FACE = 0.5;
/** An auto track follows a kept face when its box lies on it in at least this share of its frames. */
const SAME_FACE_SHARE = 0.5;

/**
 * The auto tracks that follow the face of a `keep` track, each with the kept track's id: in at least
 * half of the auto track's frames, its box and the kept track's lie on each other (overlapOfSmaller ≥
 * 0.5). The analysis can give one face two or three tracks (a new-user trial's classroom clip: 7
 * tracks for 4 people), and an accepted suggestion can be the kept face again; "keep" means that
 * person stays visible, so such a track is left visible with it, but only on the frames where its
 * box lies on the kept one (projectRegionsAt): a track that switches to another person stays
 * covered there. A passer-by crossing the kept face shares a few frames, not half its track, and
 * stays covered; manual and static tracks, which a person drew, always do.
 */
export function keptDuplicates(project: Project): Map<number, number> {
  const kept = project.tracks.filter((t) => t.action === 'keep' && t.boxes.frame.length > 0);
  const out = new Map<number, number>();
  if (kept.length === 0) return out;
  for (const t of project.tracks) {
    if (t.action !== 'redact' || t.origin !== 'auto') continue;
    const k = kept.find((k) => followsFace(t.boxes, k.boxes));
    if (k) out.set(t.id, k.id);
  }
  return out;
}

/**
 * Whether `t`'s box lies on `k`'s (liesOn) in at least SAME_FACE_SHARE of `t`'s frames. Both frame
 * lists are sorted: one walk over the two, which stops once the share is reached or out of reach.
 * Run at every render and, in the editor, at every edit: a search per frame took 0.29 s on a
 * one-hour project with one kept face among 20.
 */
function followsFace(t: Boxes, k: Boxes): boolean {
  const n = t.frame.length;
  const need = SAME_FACE_SHARE * n;
  let found = 0;
  for (let i = 0, j = 0; i < n && j < k.frame.length && found + (n - i) >= need; ) {
    if (t.frame[i]! < k.frame[j]!) i++;
    else if (t.frame[i]! > k.frame[j]!) j++;
    else {
      if (liesOn(boxOfRow(t, i), boxOfRow(k, j)) && ++found >= need) return true;
      i++;
      j++;
    }
  }
  return found >= need;
}

const boxOfRow = (b: Boxes, i: number): Box => ({ x1: b.x1[i]!, y1: b.y1[i]!, x2: b.x2[i]!, y2: b.y2[i]! });

/**
 * A box much smaller than the kept one is another face, even inside it (a face far behind the kept
 * head): part of a face is at least this share of its area.
 */
const PART_OF_FACE = 0.2;

/** Whether `box` lies on the kept face's box `kept`, and is of a size to be that face or a part of it. */
function liesOn(box: Box, kept: Box): boolean {
  const [a, b] = [boxArea(box), boxArea(kept)];
  return Math.min(a, b) >= PART_OF_FACE * Math.max(a, b) && overlapOfSmaller(box, kept) >= ON_FACE;
}

/** Whether `box`, on `frame`, lies on the kept track `k`'s box there (liesOn). */
function onKeptFace(box: Box, k: Track, frame: number): boolean {
  const j = indexOfFrame(k.boxes, frame);
  return j >= 0 && liesOn(box, boxOfRow(k.boxes, j));
}

/**
 * The regions of every redacted track (auto, manual or static) on any frame; `keep` tracks, the
 * auto tracks that follow a kept face (keptDuplicates) on the frames where they lie on it, and
 * candidates are left out. Tracks are indexed by buckets of frames, so a random frame (the editor
 * seeking) costs a binary search in the few tracks of its bucket, not a scan of all of them.
 */
export function projectRegionsAt(project: Project): (frame: number) => ProjectRegion[] {
  const duplicates = keptDuplicates(project);
  const keptTrack = new Map(project.tracks.map((t) => [t.id, t]));
  const redacted = project.tracks.filter((t) => t.action === 'redact' && t.boxes.frame.length > 0);
  const buckets: Track[][] = Array.from({ length: Math.ceil(project.input.frameCount / BUCKET) }, () => []);
  for (const t of redacted) {
    const first = Math.floor(t.boxes.frame[0]! / BUCKET);
    const last = Math.floor(t.boxes.frame[t.boxes.frame.length - 1]! / BUCKET);
    for (let b = first; b <= last; b++) buckets[b]?.push(t);
  }
  return (frame) => {
    const out: ProjectRegion[] = [];
    for (const t of buckets[Math.floor(frame / BUCKET)] ?? []) {
      const i = indexOfFrame(t.boxes, frame);
      if (i < 0) continue;
      const r = rowAt(t.boxes, i);
      const kept = duplicates.get(t.id);
      if (kept !== undefined && onKeptFace(r.box, keptTrack.get(kept)!, frame)) continue;
      out.push({ score: r.score, box: r.box, trackId: t.id, kind: r.kind });
    }
    return out;
  };
}
