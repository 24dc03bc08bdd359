import type { Detection } from '../detect/box.js';
import { isPredicted } from '../project/box-kinds.js';
import type { RegionKind } from '../track/tracker.js';

/**
 * A detection scoring less than this above the threshold is "low-confidence": a slightly stricter
 * threshold would have lost it, and a face the detector barely saw often has neighbours it missed.
 * 0.15 is half the gap between the video threshold (0.3) and the photo one (0.65 − 0.3 ≈ 0.35).
 */
export const LOW_CONFIDENCE_MARGIN = 0.15;
/** A track detected on this many frames or fewer is "brief": a face passing by, or a false alarm. */
export const BRIEF_TRACK_FRAMES = 5;
/** Places to look first, per file: enough to start a review, few enough to read. */
const MAX_HINTS = 3;

/** A region as the summary sees it: tracked regions carry their track and how their box was obtained. */
export type CountedRegion = Detection & { trackId?: number; kind?: RegionKind | 'keyframe' };

/** A place in a file a reviewer should check first, at a frame's time (seconds). */
export interface ReviewHint {
  time: number;
  why: 'low-confidence' | 'brief-track';
  /** The detection's score (low-confidence), or the frames the track was detected on (brief-track). */
  value: number;
  /** Centre of the face, in pixels of the frame. */
  x: number;
  y: number;
}

/** What one file's summary says about its faces. */
export interface FaceSummary {
  /** Faces anonymized: tracks in a tracked video; detections in a photo or an untracked video (one per face per frame). */
  faces: number;
  /** True when `faces` counts tracks (the same face over many frames counts once). */
  tracked: boolean;
  frames: number;
  /** Frames with at least one mask. */
  framesWithFaces: number;
  /** Frames where at least one mask was held, interpolated or placed ahead of a detection rather than detected there. */
  framesPredicted: number;
  lowConfidence: number;
  briefTracks: number;
  /** Where to look first: the lowest-scoring detections, then the briefest tracks. */
  hints: ReviewHint[];
}

interface TrackSeen {
  firstTime: number;
  detected: number;
  x: number;
  y: number;
}

/**
 * Counts, frame by frame, what was anonymized in one file and where a reviewer should look first.
 * `threshold` is the detection threshold the file was run with (scores are 0..1).
 */
export class FaceStats {
  private frames = 0;
  private withFaces = 0;
  private predicted = 0;
  private detections = 0;
  private readonly tracks = new Map<number, TrackSeen>();
  /** Low-confidence detections, with the track (or, untracked, the second) they belong to. */
  private readonly low: (ReviewHint & { group: number })[] = [];
  private tracked = false;

  constructor(private readonly threshold: number) {}

  /** One frame's regions, at `time` seconds. */
  frame(time: number, regions: readonly CountedRegion[]): void {
    this.frames++;
    if (regions.length > 0) this.withFaces++;
    if (regions.some((r) => isPredicted(r.kind))) this.predicted++;
    for (const r of regions) {
      const [x, y] = [Math.round((r.box.x1 + r.box.x2) / 2), Math.round((r.box.y1 + r.box.y2) / 2)];
      const detected = !isPredicted(r.kind);
      if (r.trackId !== undefined) {
        this.tracked = true;
        const t = this.tracks.get(r.trackId) ?? { firstTime: time, detected: 0, x, y };
        if (detected) t.detected++;
        this.tracks.set(r.trackId, t);
      } else this.detections++;
      if (detected && r.score < this.threshold + LOW_CONFIDENCE_MARGIN) {
        this.low.push({ time, why: 'low-confidence', value: r.score, x, y, group: r.trackId ?? -1 - Math.floor(time) });
      }
    }
  }

  summary(): FaceSummary {
    // On a photo (one frame) every face is seen on one frame: "brief" would name them all and say nothing.
    const brief = this.frames > 1 ? [...this.tracks.values()].filter((t) => t.detected <= BRIEF_TRACK_FRAMES) : [];
    // The lowest score of each track (or each second, untracked): three frames of one face are one place to look.
    const lowest: ReviewHint[] = [];
    const groups = new Set<number>();
    for (const { group, ...h } of [...this.low].sort((a, b) => a.value - b.value)) {
      if (groups.has(group)) continue;
      groups.add(group);
      lowest.push(h);
    }
    const briefest = brief.sort((a, b) => a.detected - b.detected).map((t): ReviewHint => ({ time: t.firstTime, why: 'brief-track', value: t.detected, x: t.x, y: t.y }));
    // Half the hints from each kind when both exist, so that neither hides the other.
    const fromLow = Math.min(lowest.length, Math.max(MAX_HINTS - briefest.length, Math.ceil(MAX_HINTS / 2)));
    const hints = [...lowest.slice(0, fromLow), ...briefest.slice(0, MAX_HINTS - fromLow)];
    return {
      faces: this.tracked ? this.tracks.size : this.detections,
      tracked: this.tracked,
      frames: this.frames,
      framesWithFaces: this.withFaces,
      framesPredicted: this.predicted,
      lowConfidence: this.low.length,
      briefTracks: brief.length,
      hints,
    };
  }
}

/** 83.4 → "1:23.4": a time a reviewer can type into a player. */
export function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The lines a file's summary prints, e.g. "2 face tracks anonymized in 98 of 110 frames; 14 frames rely
 * on held or predicted masks" then "check first: 0:01.2 at (320,140), score 0.34; 0:03.1 at (80,60), detected on 2 frames only".
 * `done` is what happened to them: "anonymized", or "found (none anonymized: --replacewith none)".
 */
export function describeFaces(s: FaceSummary, video: boolean, done = 'anonymized'): string[] {
  const at = (h: ReviewHint) => `${video ? `${clock(h.time)} ` : ''}at (${h.x},${h.y})`;
  // A track whose own detections were all merged into another's shows only held or predicted boxes (a trial read "detected on 0 frames only").
  const brief = (n: number) => (n === 0 ? 'on held or predicted boxes only' : `detected on ${count(n, 'frame')} only`);
  const hint = (h: ReviewHint) => (h.why === 'low-confidence' ? `${at(h)}, score ${h.value.toFixed(2)}` : `${at(h)}, ${brief(h.value)}`);
  const check = s.hints.length > 0 ? [`check first: ${s.hints.map(hint).join('; ')}`] : [];
  if (!video) return [s.faces === 0 ? 'no face found' : `${count(s.faces, 'face')} ${done}`, ...check];
  if (s.framesWithFaces === 0) return [`no face found in ${count(s.frames, 'frame')}`];
  const predicted = s.framesPredicted === 0 ? 'no frame relies' : `${count(s.framesPredicted, 'frame')} ${s.framesPredicted === 1 ? 'relies' : 'rely'}`;
  const what = s.tracked ? count(s.faces, 'face track') : count(s.faces, 'face detection');
  return [`${what} ${done} in ${s.framesWithFaces} of ${count(s.frames, 'frame')}${s.tracked ? `; ${predicted} on held or predicted masks` : ''}`, ...check];
}

/** What an analysis found in one file (or a batch): its project's tracks, all to redact, and its candidates. */
export interface ProjectCounts {
  tracks: number;
  candidates: number;
}

/**
 * analyze's summary of a project, e.g. "3 face tracks to anonymize, 10 candidates to review". `unit`
 * names a track: "face track" in a video, "face" in a photo, "track" for a batch's totals.
 */
export function describeProject(c: ProjectCounts, unit: 'face track' | 'face' | 'track'): string {
  return `${count(c.tracks, unit)} to anonymize, ${count(c.candidates, 'candidate')} to review`;
}

/** The batch's totals, for the final summary line. */
export function totalFaces(summaries: readonly FaceSummary[]): { faces: number; framesPredicted: number } {
  return { faces: summaries.reduce((n, s) => n + s.faces, 0), framesPredicted: summaries.reduce((n, s) => n + s.framesPredicted, 0) };
}
