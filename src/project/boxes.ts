import type { Box } from '../detect/box.js';
import { BOX_KINDS, kindCode, type BoxKind, type Boxes } from './schema.js';

/** One row of a Boxes table. */
export interface BoxRow {
  frame: number;
  box: Box;
  score: number;
  kind: BoxKind;
}

export const boxCount = (b: Boxes): number => b.frame.length;

export function rowAt(b: Boxes, i: number): BoxRow {
  return {
    frame: b.frame[i]!,
    box: { x1: b.x1[i]!, y1: b.y1[i]!, x2: b.x2[i]!, y2: b.y2[i]! },
    score: b.score[i]!,
    kind: BOX_KINDS[b.kind[i]!]!,
  };
}

/** Rows to a Boxes table; rows must be sorted by frame with one per frame. */
export function boxesOf(rows: readonly BoxRow[]): Boxes {
  const n = rows.length;
  const b: Boxes = {
    frame: new Int32Array(n),
    x1: new Float32Array(n),
    y1: new Float32Array(n),
    x2: new Float32Array(n),
    y2: new Float32Array(n),
    score: new Float32Array(n),
    kind: new Uint8Array(n),
  };
  rows.forEach((r, i) => {
    b.frame[i] = r.frame;
    b.x1[i] = r.box.x1;
    b.y1[i] = r.box.y1;
    b.x2[i] = r.box.x2;
    b.y2[i] = r.box.y2;
    b.score[i] = r.score;
    b.kind[i] = kindCode(r.kind);
  });
  return b;
}

export const rowsOf = (b: Boxes): BoxRow[] => Array.from({ length: boxCount(b) }, (_, i) => rowAt(b, i));

/** Index of the row for `frame`, or −(insertion point) − 1 when there is none (binary search). */
export function indexOfFrame(b: Boxes, frame: number): number {
  let lo = 0;
  let hi = b.frame.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = b.frame[mid]!;
    if (f === frame) return mid;
    if (f < frame) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** The rows from index `start` up to (not including) `end`, as new arrays. */
export function sliceBoxes(b: Boxes, start: number, end: number): Boxes {
  return {
    frame: b.frame.slice(start, end),
    x1: b.x1.slice(start, end),
    y1: b.y1.slice(start, end),
    x2: b.x2.slice(start, end),
    y2: b.y2.slice(start, end),
    score: b.score.slice(start, end),
    kind: b.kind.slice(start, end),
  };
}

/**
 * Appends rows one at a time into growing typed arrays, for the analysis of long videos whose tracks
 * hold thousands of boxes (an array of row objects would cost ten times the memory).
 */
export class BoxesBuilder {
  private cap = 64;
  private n = 0;
  private cols = BoxesBuilder.alloc(64);

  private static alloc(cap: number): Boxes {
    return {
      frame: new Int32Array(cap),
      x1: new Float32Array(cap),
      y1: new Float32Array(cap),
      x2: new Float32Array(cap),
      y2: new Float32Array(cap),
      score: new Float32Array(cap),
      kind: new Uint8Array(cap),
    };
  }

  get length(): number {
    return this.n;
  }

  push(frame: number, box: Box, score: number, kind: BoxKind): void {
    if (this.n === this.cap) {
      this.cap *= 2;
      const next = BoxesBuilder.alloc(this.cap);
      for (const k of Object.keys(next) as (keyof Boxes)[]) next[k].set(this.cols[k] as never);
      this.cols = next;
    }
    const i = this.n++;
    const c = this.cols;
    c.frame[i] = frame;
    c.x1[i] = box.x1;
    c.y1[i] = box.y1;
    c.x2[i] = box.x2;
    c.y2[i] = box.y2;
    c.score[i] = score;
    c.kind[i] = kindCode(kind);
  }

  build(): Boxes {
    return sliceBoxes(this.cols, 0, this.n);
  }
}
