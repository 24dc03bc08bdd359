import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/detect/box.js';
import { trackerFor } from '../../src/pipeline/video.js';

// Found by a new-user trial on a 10 fps clip of ../shared's walking footage: a head detected in three
// frames in a row, moving 1.6 face sizes a frame, became three one-frame tracks. None was confirmed,
// so none was held, and the frames after them had no mask at all. The tracker's per-frame limits
// were set on 30 fps footage; at 10 fps a face moves three times as far a frame.

const face = (cx: number, cy: number, size = 42): Detection => ({ score: 0.6, box: { x1: cx - size / 2, y1: cy - size / 2, x2: cx + size / 2, y2: cy + size / 2 } });
const tracking = { holdSeconds: 0.5, lookaheadSeconds: 0.5, smoothFrames: 3 };
const frame = { width: 768, height: 432 };

/** The regions of frames 0..7 after detections at frames 0..2 only (the face moving 70 px a frame up), at `fps`. */
function run(fps: number) {
  const t = trackerFor(tracking, fps, 1, 0, frame);
  for (let f = 0; f < 8; f++) t.update(f, f < 3 ? [face(230 + 18 * f, 410 - 70 * f)] : []);
  return Array.from({ length: 8 }, (_, f) => t.regionsAt(f));
}

describe('tracking below 30 fps', () => {
  it('joins a face moving 1.6 face sizes a frame at 10 fps into one track, held after its last detection', () => {
    const regions = run(10);
    expect(new Set(regions.flat().map((r) => r.trackId)).size).toBe(1);
    // Held for the 0.5 s hold (5 frames at 10 fps), moving on with the face past its last detection.
    for (let f = 3; f < 8; f++) expect(regions[f]!.map((r) => r.kind), `frame ${f}`).toEqual(['held']);
    expect((regions[3]![0]!.box.y1 + regions[3]![0]!.box.y2) / 2).toBeLessThan(270);
  });

  it('keeps 30 fps as it was: the same jumps there are three faces, none held', () => {
    const regions = run(30);
    expect(new Set(regions.flat().map((r) => r.trackId)).size).toBe(3);
    for (let f = 3; f < 8; f++) expect(regions[f]).toEqual([]);
  });
});
