import { iou, type Box, type Detection, type Point } from '../detect/box.js';

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
}

interface Key {
  frame: number;
  box: Box;
  score: number;
  /** Landmarks relative to the box: (x − x1)/w, (y − y1)/h. */
  landmarks?: Point[] | undefined;
}

interface Track {
  id: number;
  keys: Key[];
}

/**
 * A region to anonymize, with the track it belongs to and how its box was found on this frame:
 * detected (a detection on this very frame), interpolated (between two detections), held (after
 * the last one) or lookahead (before the first).
 */
export interface TrackedRegion extends Detection {
  trackId: number;
  kind: 'detected' | 'interpolated' | 'held' | 'lookahead';
}

const MIN_IOU = 0.2;
/** A detection this close to a prediction (in predicted face sizes) may join it when no box overlaps. */
const MAX_CENTRE_DISTANCE = 1;
/** Frames of straight-line motion a prediction may run past the detections (one second at 30 fps); beyond, it only grows. */
const MAX_EXTRAPOLATE = 30;

/** A box as centre and size, the quantities fitted over time. */
const toCs = (b: Box) => [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2, b.x2 - b.x1, b.y2 - b.y1] as const;
const fromCs = (cx: number, cy: number, w: number, h: number): Box => ({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });

/**
 * Weighted least-squares line through the keys' centre and size, evaluated at `frame`: a centred
 * window smooths jitter without lagging a face that moves steadily, and the same fit interpolates
 * across gaps and extrapolates (at constant velocity) past the last detection.
 */
function fitAt(keys: readonly Key[], frame: number): [number, number, number, number] {
  if (keys.length === 1) return [...toCs(keys[0]!.box)];
  let sw = 0, st = 0, stt = 0;
  const sv = [0, 0, 0, 0];
  const stv = [0, 0, 0, 0];
  for (const k of keys) {
    const t = k.frame - frame;
    const w = 1 / (1 + Math.abs(t));
    const v = toCs(k.box);
    sw += w;
    st += w * t;
    stt += w * t * t;
    for (let i = 0; i < 4; i++) {
      sv[i]! += w * v[i]!;
      stv[i]! += w * t * v[i]!;
    }
  }
  const det = sw * stt - st * st;
  // Intercept of the weighted line at t = 0; with all keys on one frame, their mean.
  return sv.map((s, i) => (Math.abs(det) < 1e-9 ? s / sw : (s * stt - st * stv[i]!) / det)) as [number, number, number, number];
}

export class Tracker {
  private tracks: Track[] = [];
  private nextId = 0;

  constructor(private readonly s: TrackerSettings) {}

  /**
   * The keys that inform `frame`: inside the detections, those within the smoothing window (or the
   * two around a gap); past either end, the nearest window's worth, so that the motion carried on
   * rests on more than two noisy boxes.
   */
  private keysFor(track: Track, frame: number): Key[] {
    const keys = track.keys;
    const span = Math.max(2, 2 * this.s.smoothFrames + 1);
    if (frame > keys[keys.length - 1]!.frame) return keys.slice(-span);
    if (frame < keys[0]!.frame) return keys.slice(0, span);
    const near = keys.filter((k) => Math.abs(k.frame - frame) <= this.s.smoothFrames);
    if (near.length >= 2) return near;
    return [...keys].sort((a, b) => Math.abs(a.frame - frame) - Math.abs(b.frame - frame)).slice(0, 2);
  }

  /**
   * The track's box at `frame`, or undefined when the frame is outside its hold and look-ahead.
   * `reach` widens that span for association, so that a face seen again just after its hold ran out
   * rejoins its track and the frames between are interpolated rather than left to two half-tracks.
   */
  boxAt(track: Track, frame: number, reach = 0): { box: Box; key: Key } | undefined {
    const first = track.keys[0]!;
    const last = track.keys[track.keys.length - 1]!;
    if (frame < first.frame - this.s.lookaheadFrames || frame > last.frame + this.s.holdFrames + reach) return undefined;
    // Beyond the detections the motion is extrapolated a few frames only; then the mask stays and grows.
    const anchor = Math.min(Math.max(frame, first.frame - MAX_EXTRAPOLATE), last.frame + MAX_EXTRAPOLATE);
    const [cx, cy, w, h] = fitAt(this.keysFor(track, anchor), anchor);
    let nearest = first;
    for (const k of track.keys) if (Math.abs(k.frame - frame) < Math.abs(nearest.frame - frame)) nearest = k;
    const grow = Math.min(this.s.maxGrowth, 1 + this.s.growthPerFrame * Math.abs(nearest.frame - frame));
    return { box: fromCs(cx, cy, Math.max(1, w) * grow, Math.max(1, h) * grow), key: nearest };
  }

  /**
   * Feeds the detections of `frame` (frames must come in order). `undefined` means the frame was not
   * looked at (--detect-every), which is not a miss. Association is greedy by IoU against each
   * track's predicted box: faces seldom overlap, and greedy matching of the clearest pairs first
   * gives the same answer as an optimal assignment except in crowds of touching faces.
   */
  update(frame: number, detections: readonly Detection[] | undefined): void {
    if (detections) {
      const live = this.tracks
        .map((t) => ({ t, p: this.boxAt(t, frame, this.s.lookaheadFrames) }))
        .filter((x): x is { t: Track; p: NonNullable<ReturnType<Tracker['boxAt']>> } => x.p !== undefined);
      const pairs: { ti: number; di: number; o: number }[] = [];
      live.forEach((x, ti) => detections.forEach((d, di) => {
        const o = iou(x.p.box, d.box);
        if (o >= MIN_IOU) pairs.push({ ti, di, o });
      }));
      pairs.sort((a, b) => b.o - a.o);
      // Then, for what is left, centre distance (relative to the predicted size, best first): a face
      // that moved fast during a gap may no longer overlap its prediction.
      const [dx, dy] = [(b: Box) => (b.x1 + b.x2) / 2, (b: Box) => (b.y1 + b.y2) / 2];
      const near: typeof pairs = [];
      live.forEach((x, ti) => detections.forEach((d, di) => {
        const size = Math.max(x.p.box.x2 - x.p.box.x1, x.p.box.y2 - x.p.box.y1);
        const dist = Math.hypot(dx(x.p.box) - dx(d.box), dy(x.p.box) - dy(d.box)) / size;
        if (dist < MAX_CENTRE_DISTANCE) near.push({ ti, di, o: -dist });
      }));
      near.sort((a, b) => b.o - a.o);
      const usedT = new Set<number>();
      const usedD = new Set<number>();
      for (const p of [...pairs, ...near]) {
        if (usedT.has(p.ti) || usedD.has(p.di)) continue;
        usedT.add(p.ti);
        usedD.add(p.di);
        live[p.ti]!.t.keys.push(keyOf(frame, detections[p.di]!));
      }
      detections.forEach((d, di) => {
        if (!usedD.has(di)) this.tracks.push({ id: this.nextId++, keys: [keyOf(frame, d)] });
      });
    }
    // A track is dropped once its hold has run out; keys older than any frame still to be asked for are pruned.
    const oldest = frame - this.s.lookaheadFrames - this.s.smoothFrames - MAX_EXTRAPOLATE;
    this.tracks = this.tracks.filter((t) => t.keys[t.keys.length - 1]!.frame + this.s.holdFrames + this.s.lookaheadFrames >= oldest);
    for (const t of this.tracks) {
      const keep = t.keys.findIndex((k) => k.frame >= oldest);
      if (keep > 0) t.keys.splice(0, Math.min(keep, t.keys.length - 2));
    }
  }

  /** The regions to anonymize in `frame`: every track that covers it, with interpolated landmarks. */
  regionsAt(frame: number): TrackedRegion[] {
    const out: TrackedRegion[] = [];
    for (const t of this.tracks) {
      const at = this.boxAt(t, frame);
      if (!at) continue;
      const { box, key } = at;
      // Placed in the grown box, so that a mask built from the landmarks (--region eyes) grows with
      // the uncertainty as the face mask does.
      const w = box.x2 - box.x1;
      const h = box.y2 - box.y1;
      const landmarks = key.landmarks?.map((p) => ({ x: box.x1 + p.x * w, y: box.y1 + p.y * h }));
      const first = t.keys[0]!.frame;
      const last = t.keys[t.keys.length - 1]!.frame;
      const kind = key.frame === frame ? 'detected' : frame < first ? 'lookahead' : frame > last ? 'held' : 'interpolated';
      const region = { score: key.score, box, trackId: t.id, kind } as const;
      out.push(landmarks ? { ...region, landmarks } : region);
    }
    return out;
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
