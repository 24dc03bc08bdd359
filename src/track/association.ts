import { iou, type Box, type Detection } from '../detect/box.js';
import { toCs } from './fit.js';

/** Least IoU between a detection and a track's reference box for the two to be paired by overlap. */
const MIN_IOU = 0.2;

/**
 * Largest ratio between a detection's width or height and its track's predicted one for the two to
 * be the same face. A face's box changes by a few percent between frames (YuNet's own jitter is
 * under 10%); a hand or a body the detector takes for a face changes shape from frame to frame.
 */
const MAX_SIZE_RATIO = 1.5;
/**
 * A detection this close to a prediction or to the track's last detection (in face sizes, per frame
 * since that detection, up to two, at 30 fps) may join the track when no box overlaps: under fast
 * shake a face moves up to about 0.7 of its size a frame at 30 fps.
 */
const MAX_CENTRE_DISTANCE = 1;

/** Whether two boxes' widths and heights are within MAX_SIZE_RATIO of each other. */
export function alike(a: Box, b: Box): boolean {
  const rw = (b.x2 - b.x1) / (a.x2 - a.x1);
  const rh = (b.y2 - b.y1) / (a.y2 - a.y1);
  return Math.max(rw, rh) <= MAX_SIZE_RATIO && Math.min(rw, rh) >= 1 / MAX_SIZE_RATIO;
}

/**
 * Whether the detection's centre lies on the predicted box of a track other than `ti`: then it is
 * that face, seen as a box too unlike its track's to join it (half covered, cut by the edge), and
 * giving it by distance to a neighbour's track would switch identities (a face the reviewer marked
 * "keep" becoming someone else). Overlap (the first stage) may still pair it with `ti`.
 */
function onOtherTrack(tracks: readonly TrackRef[], ti: number, box: Box): boolean {
  const [cx, cy] = toCs(box);
  return tracks.some((t, i) => i !== ti && cx >= t.predicted.x1 && cx <= t.predicted.x2 && cy >= t.predicted.y1 && cy <= t.predicted.y2);
}

/**
 * A track as association sees it in the frame being fed (frame pixels): where it is predicted, and
 * its nearest detection carried into this frame, with that detection's frame.
 */
export interface TrackRef {
  predicted: Box;
  key: Box;
  keyFrame: number;
}

/**
 * Pairs detections of `frame` with tracks, skipping the tracks in `taken` (and adding those it
 * pairs): greedy by IoU against each track's predicted box and its nearest detection (where the
 * motion model is wrong, as under shake reversing faster than any fit follows, the face is still
 * near one), then by centre distance for what is left (a face that moved fast during a gap may no
 * longer overlap its prediction). Greedy matching of the clearest pairs first gives the same answer
 * as an optimal assignment except in crowds of touching faces. `motionScale` (TrackerSettings) widens
 * the reach by distance for footage under 30 fps. Returns detection index → track index.
 */
export function associate(tracks: readonly TrackRef[], detections: readonly Detection[], frame: number, taken: Set<number>, motionScale = 1): Map<number, number> {
  const refs = tracks.map((t) => [t.predicted, t.key]);
  const pairs: { ti: number; di: number; o: number }[] = [];
  const near: typeof pairs = [];
  tracks.forEach((t, ti) => {
    if (taken.has(ti)) return;
    detections.forEach((d, di) => {
      if (!alike(t.key, d.box)) return;
      const o = Math.max(...refs[ti]!.map((b) => iou(b, d.box)));
      if (o >= MIN_IOU) pairs.push({ ti, di, o });
      const q = toCs(d.box);
      const dist = Math.min(...refs[ti]!.map((b) => {
        const p = toCs(b);
        return Math.hypot(p[0] - q[0], p[1] - q[1]) / Math.max(p[2], p[3]);
      }));
      // A face unseen for a frame may have moved twice as far.
      const reach = MAX_CENTRE_DISTANCE * motionScale * Math.min(2, Math.max(1, frame - t.keyFrame));
      if (dist < reach && !onOtherTrack(tracks, ti, d.box)) near.push({ ti, di, o: -dist });
    });
  });
  pairs.sort((a, b) => b.o - a.o);
  near.sort((a, b) => b.o - a.o);
  const out = new Map<number, number>();
  for (const p of [...pairs, ...near]) {
    if (taken.has(p.ti) || out.has(p.di)) continue;
    taken.add(p.ti);
    out.set(p.di, p.ti);
  }
  return out;
}
