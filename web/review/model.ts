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

/**
 * The first frame of every "uncertain" stretch, sorted: a candidate's first frame, and the start of
 * each run of held or looked-ahead boxes of a redacted or kept track.
 */
export function uncertainStarts(tracks: TrackView[]): number[] {
  const starts = new Set<number>();
  for (const t of tracks) {
    if (t.action === 'candidate') {
      starts.add(firstFrame(t));
      continue;
    }
    const { frame, kind } = t.boxes;
    for (let i = 0; i < frame.length; i++) {
      const unsure = kind[i] === HELD || kind[i] === LOOKAHEAD;
      const prevUnsure = i > 0 && frame[i - 1] === frame[i]! - 1 && (kind[i - 1] === HELD || kind[i - 1] === LOOKAHEAD);
      if (unsure && !prevUnsure) starts.add(frame[i]!);
    }
  }
  return [...starts].sort((a, b) => a - b);
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
