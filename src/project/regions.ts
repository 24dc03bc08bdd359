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

/**
 * The regions of every redacted track (auto, manual or static) on any frame; `keep` tracks and
 * candidates are left out. Tracks are indexed by buckets of frames, so a random frame (the editor
 * seeking) costs a binary search in the few tracks of its bucket, not a scan of all of them.
 */
export function projectRegionsAt(project: Project): (frame: number) => ProjectRegion[] {
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
      out.push({ score: r.score, box: r.box, trackId: t.id, kind: r.kind });
    }
    return out;
  };
}
