/** The project as the server sends it (src/review/view.ts), and lookups the page needs per frame. */
import { kindCode } from '../../src/project/box-kinds.js';
import type { TrackView } from '../../src/review/wire.js';

export type { JobState, ProjectPatch, ProjectView, ReviewState, TrackView } from '../../src/review/wire.js';

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Held and lookahead boxes had no detection on their frame. */
const HELD = kindCode('held');
const LOOKAHEAD = kindCode('lookahead');

/** Index of `frame` in a sorted frame list, or -1. */
export function indexOf(frames: number[], frame: number): number {
  let lo = 0;
  let hi = frames.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = frames[mid]!;
    if (f === frame) return mid;
    if (f < frame) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function boxAt(t: TrackView, frame: number): Box | undefined {
  const i = indexOf(t.boxes.frame, frame);
  return i < 0 ? undefined : { x1: t.boxes.x1[i]!, y1: t.boxes.y1[i]!, x2: t.boxes.x2[i]!, y2: t.boxes.y2[i]! };
}

export const firstFrame = (t: TrackView): number => t.boxes.frame[0] ?? 0;
export const lastFrame = (t: TrackView): number => t.boxes.frame[t.boxes.frame.length - 1] ?? 0;

/**
 * How a track is drawn and named: an auto track that follows a kept face (`follows`) is shown as
 * kept, since export leaves it visible with that face; a trial saw such tracks listed as "redacted".
 */
export const shownAction = (t: TrackView): TrackView['action'] => (t.follows === undefined ? t.action : 'keep');

/** A track's state in words, as the panel (`long`) and the timeline's lanes name it. */
export function stateText(t: TrackView, long: boolean): string {
  if (t.action === 'candidate') return `suggestion ${scoreText(t.bestScore)}`;
  if (t.follows !== undefined) return `visible with kept #${t.follows}`;
  if (t.action === 'keep') return long ? 'kept visible' : 'kept';
  return 'redacted';
}

/** Runs of consecutive frames, as [first, last] pairs: what a timeline lane draws. */
export function spans(t: TrackView): [number, number][] {
  const out: [number, number][] = [];
  for (const f of t.boxes.frame) {
    const last = out[out.length - 1];
    if (last && f === last[1] + 1) last[1] = f;
    else out.push([f, f]);
  }
  return out;
}

/** Where "next uncertain" stops: a suggestion (its first frame and its id), or the first frame of a stretch held without a detection. */
export interface UncertainStop {
  frame: number;
  id?: number;
}

/**
 * Every stop of "next uncertain", by frame: each suggestion's first frame, and the start of each run
 * of held or looked-ahead boxes of a redacted or kept track. On one frame, in the order of `tracks`
 * (the panel's: suggestions by score).
 */
export function uncertainStops(tracks: TrackView[]): UncertainStop[] {
  const stops: UncertainStop[] = [];
  const unsure = (t: TrackView, i: number) => t.boxes.kind[i] === HELD || t.boxes.kind[i] === LOOKAHEAD;
  for (const t of tracks) {
    if (t.action === 'candidate') {
      stops.push({ frame: firstFrame(t), id: t.id });
      continue;
    }
    const { frame } = t.boxes;
    for (let i = 0; i < frame.length; i++) if (unsure(t, i) && !(i > 0 && frame[i - 1] === frame[i]! - 1 && unsure(t, i - 1))) stops.push({ frame: frame[i]! });
  }
  return stops.sort((a, b) => a.frame - b.frame);
}

/**
 * The stop after the frame shown (`now`) and the `selected` track: the next suggestion starting on
 * this frame (all of them when none is selected), else the first stop on a later frame. With `wrap`
 * (a photo: every suggestion is on its one frame), the first suggestion follows the last.
 */
export function nextStop(stops: UncertainStop[], now: number, selected: number | undefined, wrap: boolean): UncertainStop | undefined {
  const at = stops.findIndex((s) => s.frame === now && s.id !== undefined && s.id === selected);
  const next = stops.find((s, k) => s.frame > now || (s.frame === now && s.id !== undefined && k > at));
  return next ?? (wrap ? stops.find((s) => s.id !== undefined) : undefined);
}

/**
 * A suggestion's score as the page shows it, two decimals rounded DOWN (0.206 → `0.20`), so that
 * typing a shown score into "suggestions with score ≥" always includes that suggestion.
 */
export function scoreText(score: number): string {
  // The epsilon keeps 0.29 (28.999… × 100 in binary) at 0.29.
  return (Math.floor(score * 100 + 1e-6) / 100).toFixed(2);
}

/** `12.345` → `0:12.34`. */
export function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(2).padStart(5, '0')}`;
}
