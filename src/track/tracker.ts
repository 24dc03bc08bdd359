import { iou, type Box, type Detection, type Point } from '../detect/box.js';
import type { Shift } from './camera-motion.js';
import { between, fitAt, fromCs, holds, sizeRange, toCs, type Cs } from './fit.js';
import { alike, associate } from './association.js';
import { isPlausibleFace, plausibleSize, type FrameSize } from './plausible.js';

export interface TrackerSettings {
  /** Frames a track stays covered after its last detection. */
  holdFrames: number;
  /** Frames before a track's first detection that are covered too (file mode's look-ahead; 0 live). */
  lookaheadFrames: number;
  /** Half-width, in frames, of the window whose detections are fitted for each frame's box. */
  smoothFrames: number;
  /** Relative growth of the mask per frame away from the nearest detection, and its cap. */
  growthPerFrame: number;
  maxGrowth: number;
  /** 30 fps frames one frame of this stream spans, at least 1 (3 at 10 fps): widens association's reach by distance (default 1). */
  motionScale?: number | undefined;
  /** The frame's size in pixels: boxes are judged against it and kept inside it. Unknown: not checked. */
  frame?: FrameSize | undefined;
}

/**
 * How a tracked region came about in the frame it is returned for:
 * - `detected`: the track has a detection in this very frame;
 * - `interpolated`: between two detections of the track;
 * - `held`: after the track's last detection (the hold);
 * - `lookahead`: before the track's first detection (the look-ahead back-fill).
 */
export type RegionKind = 'detected' | 'interpolated' | 'held' | 'lookahead';

/**
 * One region to anonymize, as `Tracker.regionsAt(frame)` returns it: a face box in frame pixels
 * (with landmarks placed in it when the detector gave them), the id of the track it belongs to
 * (stable over the track's life, unique within one Tracker) and its `kind`. `score` is the score
 * of the track's detection nearest in time: for kinds other than `detected` it is not a fresh
 * detection of this frame, and `kind` says so.
 */
export interface TrackedRegion extends Detection {
  trackId: number;
  kind: RegionKind;
}

interface Key {
  frame: number;
  /** The detection's box in its own frame's pixels (keysIn carries it to another frame's). */
  box: Box;
  score: number;
  /** Landmarks relative to the box: (x − x1)/w, (y − y1)/h. */
  landmarks?: Point[] | undefined;
}

interface Track {
  id: number;
  keys: Key[];
  /** The first frame after the last key in which the detector looked and did not find this face. */
  missedAt: number | undefined;
}

/**
 * Frames of straight-line motion a hold or look-ahead runs past the detections; beyond, the mask
 * stays where it got to and only grows. A sixth of a second at 30 fps: long enough to follow a
 * pan, short enough that a velocity fitted on a few noisy boxes cannot carry a mask far.
 */
const MAX_EXTRAPOLATE = 5;
/** Fastest extrapolated motion, in face widths per frame (a face crossing a 640 px frame in a second moves 0.5 widths of a 40 px face); not scaled by motionScale (docs/accuracy.md, "At 10 fps"). */
const MAX_SPEED = 0.25;
/**
 * The smoothed box stands for the raw one (the frame's detection, or the line between the two
 * detections around a gap) only while it holds the raw box with at most this share of the face
 * size overhanging on any side; the mask's own scale and margin then cover the overhang.
 */
const SMOOTH_SLACK = 0.1;
/** Detections a track needs before it is shown outside the frames it was detected in. */
const CONFIRM = 2;
/**
 * Least IoU between a detection and the predicted box of a track that did not get it for the two
 * tracks to be taken as one face (mergeDuplicates). Two faces' boxes rarely overlap this much, and
 * when they do, both faces were seen together, which the merge also rules out.
 */
const SAME_FACE_IOU = 0.5;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * Keeps faces covered between, before and after their detections. Every box it returns stays
 * plausible: its size lies within the sizes of the detections it comes from, grown by at most
 * `growthPerFrame` per frame away from them and `maxGrowth` in all; its aspect ratio stays in
 * FACE_ASPECT; it is never degenerate; its centre stays in the frame; its motion past the
 * detections is bounded (MAX_SPEED, MAX_EXTRAPOLATE). Smoothing never moves it away from the
 * frame's own detection (SMOOTH_SLACK). A track is shown beyond its detected frames only once
 * CONFIRM detections back it, so that a one-frame false detection is never held or back-filled.
 * With the camera's measured motion fed to `update`, all of this happens in coordinates that move
 * with the camera, so holds and back-fill follow a pan or shake (keysIn).
 */
export class Tracker {
  private tracks: Track[] = [];
  private nextId = 0;
  /**
   * The camera's path: each fed frame's content offset from the first frame's (pixels), the sum of
   * the shifts fed. Only differences between two frames are used, so a run that starts later (a
   * segment's pre-roll) gives the same boxes; the shifts are sixteenths of a pixel, so the sums are exact.
   */
  private readonly camera = new Map<number, [number, number]>();
  private newest: [number, number] = [0, 0];

  constructor(private readonly s: TrackerSettings) {}

  /** The camera's offset at a fed frame (the newest one's for a frame not fed). */
  private offsetAt(frame: number): [number, number] {
    return this.camera.get(frame) ?? this.newest;
  }

  /**
   * The track's keys with their boxes carried into `frame`'s pixels by the camera's motion between
   * the two frames: in those coordinates a face that stays where it is in the scene stands still,
   * however the camera pans or shakes, and the fit below only has the face's own motion to follow.
   */
  private keysIn(track: Track, frame: number): Key[] {
    const [fx, fy] = this.offsetAt(frame);
    return track.keys.map((k) => {
      const [kx, ky] = this.offsetAt(k.frame);
      const dx = fx - kx;
      const dy = fy - ky;
      return dx === 0 && dy === 0 ? k : { ...k, box: { x1: k.box.x1 + dx, y1: k.box.y1 + dy, x2: k.box.x2 + dx, y2: k.box.y2 + dy } };
    });
  }

  /** The keys that inform `frame` inside the detections: those within the smoothing window, or the two nearest. */
  private keysNear(keys: readonly Key[], frame: number): Key[] {
    const near = keys.filter((k) => Math.abs(k.frame - frame) <= this.s.smoothFrames);
    if (near.length >= 2) return near;
    return [...keys].sort((a, b) => Math.abs(a.frame - frame) - Math.abs(b.frame - frame)).slice(0, 2);
  }

  /**
   * Where the track's face is at `frame` (any frame, no matter the hold): its box, the nearest key
   * and how the box came about. Inside the detections the box is the smoothed fit, or the raw box
   * (the frame's detection, or the line between the detections around it) where the fit does not
   * hold it. Past either end the motion of the end's window is carried on for at most
   * MAX_EXTRAPOLATE frames at MAX_SPEED, at the end's size, and the box grows with the distance.
   */
  private predict(track: Track, frame: number): { box: Box; key: Key; kind: RegionKind } {
    const keys = this.keysIn(track, frame);
    const first = keys[0]!;
    const last = keys[keys.length - 1]!;
    let nearest = first;
    for (const k of keys) if (Math.abs(k.frame - frame) < Math.abs(nearest.frame - frame)) nearest = k;
    const span = Math.max(2, 2 * this.s.smoothFrames + 1);
    let cs: Cs;
    let window: Key[];
    let kind: RegionKind;
    if (frame >= first.frame && frame <= last.frame) {
      window = this.keysNear(keys, frame);
      const fit = fitAt(window, frame).at;
      const exact = nearest.frame === frame ? nearest : undefined;
      const after = keys.findIndex((k) => k.frame >= frame);
      const raw = exact ? exact.box : between(keys[after - 1]!, keys[after]!, frame);
      const r = sizeRange(window);
      const fitted = fromCs([fit[0], fit[1], clamp(fit[2], ...r.w), clamp(fit[3], ...r.h)]);
      cs = toCs(holds(fitted, raw, SMOOTH_SLACK) ? fitted : raw);
      kind = exact ? 'detected' : 'interpolated';
    } else {
      const ahead = frame < first.frame;
      const end = ahead ? first : last;
      window = ahead ? keys.slice(0, span) : keys.slice(-span);
      const { at, slope } = fitAt(window, end.frame);
      const r = sizeRange(window);
      const [w, h] = [clamp(at[2], ...r.w), clamp(at[3], ...r.h)];
      const speed = Math.hypot(slope[0], slope[1]);
      const k = speed > 0 ? Math.min(1, (MAX_SPEED * w) / speed) : 0;
      const steps = Math.min(MAX_EXTRAPOLATE, Math.abs(frame - end.frame)) * (ahead ? -1 : 1);
      cs = [at[0] + slope[0] * k * steps, at[1] + slope[1] * k * steps, w, h];
      kind = ahead ? 'lookahead' : 'held';
    }
    const grow = Math.min(this.s.maxGrowth, 1 + this.s.growthPerFrame * Math.abs(nearest.frame - frame));
    const [w, h] = plausibleSize(cs[2] * grow, cs[3] * grow, this.s.frame);
    const f = this.s.frame;
    const [cx, cy] = f ? [clamp(cs[0], 0, f.width), clamp(cs[1], 0, f.height)] : [cs[0], cs[1]];
    return { box: fromCs([cx, cy, w, h]), key: nearest, kind };
  }

  /**
   * The track's region at `frame`, or undefined when the track is not shown there: outside its
   * look-ahead and hold (`reach` widens the hold for association, so that a face seen again just
   * after its hold ran out rejoins its track and the frames between are interpolated), or, for a
   * track not yet confirmed, outside the frames from its detection up to the next frame the
   * detector looked at.
   */
  private regionOf(track: Track, frame: number, reach = 0): ReturnType<Tracker['predict']> | undefined {
    const first = track.keys[0]!.frame;
    const last = track.keys[track.keys.length - 1]!.frame;
    if (frame < first - this.s.lookaheadFrames || frame > last + this.s.holdFrames + reach) return undefined;
    if (reach === 0 && track.keys.length < CONFIRM && (frame < first || (track.missedAt !== undefined && frame >= track.missedAt))) return undefined;
    return this.predict(track, frame);
  }

  /**
   * Feeds the detections of `frame` (frames must come in order). `undefined` means the frame was not
   * looked at (--detect-every), which is not a miss. `shift` is the camera's motion since the frame
   * fed before (CameraMotion; undefined when unknown, taken as none). Detections of a shape no face
   * has (isPlausibleFace) are dropped. Pairing: see `associate`.
   */
  update(frame: number, found: readonly Detection[] | undefined, shift?: Shift): void {
    this.newest = [this.newest[0] + (shift?.dx ?? 0), this.newest[1] + (shift?.dy ?? 0)];
    this.camera.set(frame, this.newest);
    if (found) {
      const detections = found.filter((d) => isPlausibleFace(d.box, this.s.frame));
      const live = this.tracks
        .map((t) => ({ t, p: this.regionOf(t, frame, this.s.lookaheadFrames) }))
        .filter((x): x is { t: Track; p: NonNullable<ReturnType<Tracker['regionOf']>> } => x.p !== undefined);
      const refs = live.map((x) => ({ predicted: x.p.box, key: x.p.key.box, keyFrame: x.p.key.frame }));
      const joined = associate(refs, detections, frame, new Set(), this.s.motionScale);
      for (const [di, ti] of joined) {
        const t = live[ti]!.t;
        t.keys.push(keyOf(frame, detections[di]!));
        t.missedAt = undefined;
      }
      this.mergeDuplicates(live, joined, detections);
      for (const t of this.tracks) if (t.missedAt === undefined && t.keys[t.keys.length - 1]!.frame < frame) t.missedAt = frame;
      detections.forEach((d, di) => {
        if (!joined.has(di)) this.tracks.push({ id: this.nextId++, keys: [keyOf(frame, d)], missedAt: undefined });
      });
    }
    // A track is dropped once its hold has run out; keys older than any frame still to be asked for are pruned.
    const oldest = frame - this.s.lookaheadFrames - this.s.smoothFrames - MAX_EXTRAPOLATE;
    this.tracks = this.tracks.filter((t) => t.keys[t.keys.length - 1]!.frame + this.s.holdFrames + this.s.lookaheadFrames >= oldest);
    for (const t of this.tracks) {
      const keep = t.keys.findIndex((k) => k.frame >= oldest);
      if (keep > 0) t.keys.splice(0, Math.min(keep, t.keys.length - CONFIRM));
    }
    const firstKey = Math.min(oldest, ...this.tracks.map((t) => t.keys[0]!.frame));
    for (const f of this.camera.keys()) {
      if (f >= firstKey) break;
      this.camera.delete(f);
    }
  }

  /**
   * One face, two tracks: a face that once failed to join its track (a jump under shake, a box of
   * another size) starts a second track, and from then on the two share its detections, each
   * covering the frames the other was given by interpolation, a doubled mask and, in a project, two
   * tracks for one person. A track that got no detection this frame is merged into the track that
   * got one lying on its predicted box (IoU ≥ SAME_FACE_IOU, sizes alike), when no frame has a
   * detection in both (two faces seen at once are two faces). The older id is kept.
   */
  private mergeDuplicates(live: readonly { t: Track; p: { box: Box } }[], joined: ReadonlyMap<number, number>, detections: readonly Detection[]): void {
    const got = new Set(joined.values());
    const merged = new Set<Track>();
    for (const [di, ti] of joined) {
      const a = live[ti]!.t;
      const d = detections[di]!.box;
      for (const [bi, b] of live.entries()) {
        if (got.has(bi) || merged.has(b.t) || iou(b.p.box, d) < SAME_FACE_IOU || !alike(b.p.box, d)) continue;
        const frames = new Set(a.keys.map((k) => k.frame));
        if (b.t.keys.some((k) => frames.has(k.frame))) continue;
        a.keys = [...a.keys, ...b.t.keys].sort((x, y) => x.frame - y.frame);
        a.id = Math.min(a.id, b.t.id);
        merged.add(b.t);
      }
    }
    if (merged.size) this.tracks = this.tracks.filter((t) => !merged.has(t));
  }

  /** The regions to anonymize in `frame`: every track shown there, with its landmarks placed in its box. */
  regionsAt(frame: number): TrackedRegion[] {
    const out: TrackedRegion[] = [];
    for (const t of this.tracks) {
      const at = this.regionOf(t, frame);
      if (!at) continue;
      const { box, key, kind } = at;
      // Placed in the grown box, so that a mask built from the landmarks (--region eyes) grows with
      // the uncertainty as the face mask does.
      const w = box.x2 - box.x1;
      const h = box.y2 - box.y1;
      const landmarks = key.landmarks?.map((p) => ({ x: box.x1 + p.x * w, y: box.y1 + p.y * h }));
      const region: TrackedRegion = { score: key.score, box, trackId: t.id, kind };
      out.push(landmarks ? { ...region, landmarks } : region);
    }
    return out;
  }

  /**
   * Frames of history that can still change a region, derived from the pruning in `update`: a
   * track is kept for hold + look-ahead frames past its last detection (so that a face seen again
   * rejoins it), and keys stay for look-ahead + smoothing + MAX_EXTRAPOLATE frames past the newest
   * frame fed. Detections older than this, counted back from the frame being fed, are forgotten
   * (but for the CONFIRM keys a track keeps): a run of the same frames that starts this far before
   * frame f gives f the regions a run from the first frame gives it. The segments of
   * `faceblur worker` decode this pre-roll before their own frames (src/pipeline/segment.ts).
   */
  get memoryFrames(): number {
    return this.s.holdFrames + 2 * this.s.lookaheadFrames + this.s.smoothFrames + MAX_EXTRAPOLATE;
  }

  get trackCount(): number {
    return this.tracks.length;
  }
}

function keyOf(frame: number, d: Detection): Key {
  const w = Math.max(1e-6, d.box.x2 - d.box.x1);
  const h = Math.max(1e-6, d.box.y2 - d.box.y1);
  return { frame, box: d.box, score: d.score, landmarks: d.landmarks?.map((p) => ({ x: (p.x - d.box.x1) / w, y: (p.y - d.box.y1) / h })) };
}
