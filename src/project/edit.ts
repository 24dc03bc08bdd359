import { clipBox, type Box } from '../detect/box.js';
import { boxCount, boxesOf, indexOfFrame, rowAt, rowsOf, sliceBoxes, type BoxRow } from './boxes.js';
import { kindCode, type Candidate, type Project, type Track } from './schema.js';

/**
 * Editing operations on a project. Each is a pure function from a project to a new project: nothing
 * is mutated (untouched tracks and their box arrays are shared, not copied), so undo is keeping the
 * previous value. Each throws ProjectEditError for an edit that cannot apply (unknown id, frame out of
 * range, empty box), leaving the project as it was.
 */
export class ProjectEditError extends Error {
  override name = 'ProjectEditError';
}

/** The id the next new track gets: one past the largest among tracks and candidates. */
export function nextTrackId(p: Project): number {
  let max = -1;
  for (const t of p.tracks) max = Math.max(max, t.id);
  for (const c of p.candidates) max = Math.max(max, c.id);
  return max + 1;
}

function trackOf(p: Project, id: number): Track {
  const t = p.tracks.find((x) => x.id === id);
  if (!t) throw new ProjectEditError(`no track ${id}`);
  return t;
}

/** The project with track `id` replaced by f(track); the same project when f changes nothing (no undo step for it). */
const withTrack = (p: Project, id: number, f: (t: Track) => Track): Project => {
  const old = trackOf(p, id);
  const next = f(old);
  return next === old ? p : { ...p, tracks: p.tracks.map((t) => (t.id === id ? next : t)) };
};

function checkFrame(p: Project, frame: number): void {
  if (!Number.isInteger(frame) || frame < 0 || frame >= p.input.frameCount) {
    throw new ProjectEditError(`frame ${frame} is outside 0..${p.input.frameCount - 1}`);
  }
}

/** The box clipped to the frame; a box with nothing left inside the frame is refused. */
function frameBox(p: Project, box: Box): Box {
  const b = clipBox(box, p.input.width, p.input.height);
  if (!(b.x2 - b.x1 >= 1 && b.y2 - b.y1 >= 1)) throw new ProjectEditError('the box is empty or outside the frame');
  return b;
}

/** Redact the track, or keep it visible. */
export const setTrackAction = (p: Project, id: number, action: Track['action']): Project => withTrack(p, id, (t) => (t.action === action ? t : { ...t, action }));

/** Names the track (an empty label removes it). */
export const setTrackLabel = (p: Project, id: number, label: string): Project =>
  withTrack(p, id, ({ label: _, ...t }) => (label ? { ...t, label } : t));

/** Removes a track or a candidate. */
export function deleteTrack(p: Project, id: number): Project {
  if (!p.tracks.some((t) => t.id === id) && !p.candidates.some((c) => c.id === id)) throw new ProjectEditError(`no track ${id}`);
  return { ...p, tracks: p.tracks.filter((t) => t.id !== id), candidates: p.candidates.filter((c) => c.id !== id) };
}

/**
 * Splits a track before `frame`: its boxes from `frame` on become a new track (id nextTrackId(p))
 * with the same origin, action and label, placed right after it.
 */
export function splitTrack(p: Project, id: number, frame: number): Project {
  const t = trackOf(p, id);
  const at = indexOfFrame(t.boxes, frame);
  const cut = at >= 0 ? at : -at - 1;
  if (cut <= 0 || cut >= boxCount(t.boxes)) throw new ProjectEditError(`track ${id} has no boxes on both sides of frame ${frame}`);
  const second: Track = { ...t, id: nextTrackId(p), boxes: sliceBoxes(t.boxes, cut, boxCount(t.boxes)) };
  const tracks = p.tracks.flatMap((x) => (x.id === id ? [{ ...x, boxes: sliceBoxes(t.boxes, 0, cut) }, second] : [x]));
  return { ...p, tracks };
}

/** Rank of a box kind when two merged tracks both have a box on one frame: what was seen beats what was guessed. */
const RANK = ['keyframe', 'detected', 'interpolated', 'lookahead', 'held'].map((k) => kindCode(k as BoxRow['kind']));

/**
 * Merges track `otherId` into track `id` (the same face, split by the tracker): the boxes of both,
 * and on frames where both have one, the better-founded (keyframe, then detected, …; `id`'s on a tie).
 * The merged track is redacted if either was: leaving a face visible needs a decision on the whole.
 */
export function mergeTracks(p: Project, id: number, otherId: number): Project {
  if (id === otherId) throw new ProjectEditError('a track cannot be merged with itself');
  const a = trackOf(p, id);
  const b = trackOf(p, otherId);
  const byFrame = new Map<number, BoxRow>();
  for (const r of rowsOf(b.boxes)) byFrame.set(r.frame, r);
  for (const r of rowsOf(a.boxes)) {
    const o = byFrame.get(r.frame);
    if (!o || RANK.indexOf(kindCode(r.kind)) <= RANK.indexOf(kindCode(o.kind))) byFrame.set(r.frame, r);
  }
  const boxes = boxesOf([...byFrame.values()].sort((x, y) => x.frame - y.frame));
  const action = a.action === 'redact' || b.action === 'redact' ? 'redact' : 'keep';
  return { ...p, tracks: p.tracks.filter((t) => t.id !== otherId).map((t) => (t.id === id ? { ...t, action, boxes } : t)) };
}

/**
 * Turns a candidate into a redacted track with the same id. A candidate has boxes only on the frames
 * where its detections scored above the candidate floor; the track covers every frame from its first
 * to its last, with boxes interpolated linearly across the gaps (kind 'interpolated', the lower
 * score of the two ends), as the tracker would have held the face: an accepted face is hidden on
 * the frames between its detections too.
 */
export function acceptCandidate(p: Project, id: number): Project {
  const c = p.candidates.find((x) => x.id === id);
  if (!c) throw new ProjectEditError(`no candidate ${id}`);
  const track: Track = { id, origin: 'auto', action: 'redact', boxes: withoutGaps(c.boxes) };
  return { ...p, tracks: [...p.tracks, track], candidates: p.candidates.filter((x) => x.id !== id) };
}

/** The boxes with every missing frame between two of them filled by linear interpolation; the same object when there is no gap. */
function withoutGaps(b: Track['boxes']): Track['boxes'] {
  const n = boxCount(b);
  if (n === 0 || b.frame[n - 1]! - b.frame[0]! === n - 1) return b;
  const rows: BoxRow[] = [];
  for (let i = 0; i < n; i++) {
    const r = rowAt(b, i);
    const next = i + 1 < n ? rowAt(b, i + 1) : undefined;
    rows.push(r);
    if (!next) continue;
    for (let f = r.frame + 1; f < next.frame; f++) {
      const t = (f - r.frame) / (next.frame - r.frame);
      rows.push({ frame: f, box: lerpBox(r.box, next.box, t), score: Math.min(r.score, next.score), kind: 'interpolated' });
    }
  }
  return boxesOf(rows);
}

/** Accepts every candidate whose best score is at least `minScore`. */
export function acceptCandidatesAbove(p: Project, minScore: number): Project {
  return p.candidates.filter((c: Candidate) => c.bestScore >= minScore).reduce((q, c) => acceptCandidate(q, c.id), p);
}

/** Drops a candidate: the reviewer saw it is no face. */
export function dismissCandidate(p: Project, id: number): Project {
  if (!p.candidates.some((c) => c.id === id)) throw new ProjectEditError(`no candidate ${id}`);
  return { ...p, candidates: p.candidates.filter((c) => c.id !== id) };
}

/**
 * Adds a static region (a fixed box, say over a name badge or a screen) redacted on frames
 * `first`..`last` inclusive: keyframes at both ends, interpolated (equal) boxes between, so that
 * moving either keyframe later makes it follow a slow drift.
 */
export function addStaticRegion(p: Project, box: Box, first: number, last: number, label?: string): Project {
  checkFrame(p, first);
  checkFrame(p, last);
  if (last < first) throw new ProjectEditError(`the range ${first}..${last} is empty`);
  const b = frameBox(p, box);
  const rows = Array.from({ length: last - first + 1 }, (_, i): BoxRow => ({
    frame: first + i,
    box: b,
    score: 1,
    kind: i === 0 || first + i === last ? 'keyframe' : 'interpolated',
  }));
  const track: Track = { id: nextTrackId(p), origin: 'static', action: 'redact', ...(label ? { label } : {}), boxes: boxesOf(rows) };
  return { ...p, tracks: [...p.tracks, track] };
}

/**
 * Adds a manual, redacted track from per-frame boxes, such as a box follower's output. Rows are
 * clipped to the frame; they must have distinct frames inside the input. Returns the project; the new
 * track's id is nextTrackId of the project given.
 */
export function addManualTrack(p: Project, rows: readonly BoxRow[], label?: string): Project {
  if (rows.length === 0) throw new ProjectEditError('a manual track needs at least one box');
  const sorted = [...rows].sort((a, b) => a.frame - b.frame);
  sorted.forEach((r, i) => {
    checkFrame(p, r.frame);
    if (i > 0 && sorted[i - 1]!.frame === r.frame) throw new ProjectEditError(`two boxes for frame ${r.frame}`);
  });
  const boxes = boxesOf(sorted.map((r) => ({ ...r, box: frameBox(p, r.box) })));
  const track: Track = { id: nextTrackId(p), origin: 'manual', action: 'redact', ...(label ? { label } : {}), boxes };
  return { ...p, tracks: [...p.tracks, track] };
}

const lerpBox = (a: Box, b: Box, t: number): Box => ({
  x1: a.x1 + (b.x1 - a.x1) * t,
  y1: a.y1 + (b.y1 - a.y1) * t,
  x2: a.x2 + (b.x2 - a.x2) * t,
  y2: a.y2 + (b.y2 - a.y2) * t,
});

/**
 * Adds a keyframe at `frame` with `box`, or moves the keyframe already there (as CVAT does, a track
 * is keyframes with interpolated boxes between). The boxes between this keyframe and the nearest
 * keyframe on each side are interpolated linearly again; outside the track's span, the track is
 * extended from its nearest keyframe, if it has one. Boxes of an auto track with no keyframe on a side stay as they were.
 */
export function setKeyframe(p: Project, id: number, frame: number, box: Box): Project {
  checkFrame(p, frame);
  const b = frameBox(p, box);
  return withTrack(p, id, (t) => {
    const byFrame = new Map(rowsOf(t.boxes).map((r) => [r.frame, r]));
    const key: BoxRow = { frame, box: b, score: 1, kind: 'keyframe' };
    byFrame.set(frame, key);
    const keys = [...byFrame.values()].filter((r) => r.kind === 'keyframe').sort((x, y) => x.frame - y.frame);
    const k = keys.findIndex((r) => r.frame === frame);
    for (const other of [keys[k - 1], keys[k + 1]]) {
      if (!other) continue;
      const [a, z] = other.frame < frame ? [other, key] : [key, other];
      for (let f = a.frame + 1; f < z.frame; f++) {
        byFrame.set(f, { frame: f, box: lerpBox(a.box, z.box, (f - a.frame) / (z.frame - a.frame)), score: 1, kind: 'interpolated' });
      }
    }
    return { ...t, boxes: boxesOf([...byFrame.values()].sort((x, y) => x.frame - y.frame)) };
  });
}

/** The track's box on `frame`, if it has one. */
export function trackBoxAt(t: Track, frame: number): BoxRow | undefined {
  const i = indexOfFrame(t.boxes, frame);
  return i >= 0 ? rowAt(t.boxes, i) : undefined;
}
