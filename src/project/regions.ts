import { iou } from '../detect/box.js';
import type { TrackedRegion } from '../track/tracker.js';
import { indexOfFrame, rowAt } from './boxes.js';
import type { BoxKind, Project, Track } from './schema.js';

/** A region a project asks to anonymize on one frame: a redacted track's box there. */
export interface ProjectRegion {
  score: number;
  box: TrackedRegion['box'];
  trackId: number;
  kind: BoxKind;
}

/** Frames per bucket of the index: small enough that a bucket lists few tracks, large enough to stay small. */
const BUCKET = 256;

/** An auto track follows a kept face when their boxes' median IoU over their shared frames is at least this... */
const SAME_FACE_IOU = 0.5;
/** ...and they share at least this part of the auto track's frames. */
const SAME_FACE_SHARE = 0.5;

/**
 * The auto tracks that follow the face of a `keep` track, each with the kept track's id: over the
 * frames both have (at least half of the auto track's), their boxes' median IoU is at least 0.5.
 * The analysis can give one face two tracks (a new-user trial's classroom clip: 7 tracks for 4
 * people), and an accepted candidate can be the kept face again; "keep" means that person stays
 * visible, so those tracks stay visible with it. A passer-by crossing the kept face shares a few
 * frames, not half its track, and stays redacted; manual and static tracks, which a person drew,
 * always do.
 */
export function keptDuplicates(project: Project): Map<number, number> {
  const kept = project.tracks.filter((t) => t.action === 'keep' && t.boxes.frame.length > 0);
  const out = new Map<number, number>();
  if (kept.length === 0) return out;
  for (const t of project.tracks) {
    if (t.action !== 'redact' || t.origin !== 'auto') continue;
    for (const k of kept) {
      const ious: number[] = [];
      t.boxes.frame.forEach((f, i) => {
        const j = indexOfFrame(k.boxes, f);
        if (j >= 0) ious.push(iou(rowAt(t.boxes, i).box, rowAt(k.boxes, j).box));
      });
      ious.sort((a, b) => a - b);
      if (ious.length >= SAME_FACE_SHARE * t.boxes.frame.length && ious.length > 0 && ious[ious.length >> 1]! >= SAME_FACE_IOU) {
        out.set(t.id, k.id);
        break;
      }
    }
  }
  return out;
}

/**
 * The regions of every redacted track (auto, manual or static) on any frame; `keep` tracks, the
 * auto tracks that follow a kept face (keptDuplicates) and candidates are left out. Tracks are
 * indexed by buckets of frames, so a random frame (the editor seeking) costs a binary search in the
 * few tracks of its bucket, not a scan of all of them.
 */
export function projectRegionsAt(project: Project): (frame: number) => ProjectRegion[] {
  const duplicates = keptDuplicates(project);
  const redacted = project.tracks.filter((t) => t.action === 'redact' && t.boxes.frame.length > 0 && !duplicates.has(t.id));
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
      out.push({ score: r.score, box: r.box, trackId: t.id, kind: r.kind });
    }
    return out;
  };
}
