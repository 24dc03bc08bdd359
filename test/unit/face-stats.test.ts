import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/detect/box.js';
import { clock, describeFaces, FaceStats, totalFaces } from '../../src/pipeline/face-stats.js';
import { Tracker } from '../../src/track/tracker.js';

const face = (cx: number, score = 0.9): Detection => ({ score, box: { x1: cx - 20, y1: 80, x2: cx + 20, y2: 120 } });

describe('tracked regions say which track they belong to and how their box was obtained', () => {
  it('marks look-ahead, detected, interpolated and held frames', () => {
    const t = new Tracker({ holdFrames: 3, lookaheadFrames: 2, smoothFrames: 1, growthPerFrame: 0, maxGrowth: 1 });
    // Detected on frames 2, 3 and 6, missed on 4 and 5, gone after.
    for (let f = 0; f < 10; f++) t.update(f, f === 2 || f === 3 || f === 6 ? [face(100)] : []);
    const kinds = Array.from({ length: 10 }, (_, f) => t.regionsAt(f).map((r) => `${r.trackId}:${r.kind}`).join());
    expect(kinds).toEqual(['0:lookahead', '0:lookahead', '0:detected', '0:detected', '0:interpolated', '0:interpolated', '0:detected', '0:held', '0:held', '0:held']);
  });
});

describe('FaceStats', () => {
  it('counts tracks, frames with predicted masks, and says where to look first', () => {
    const t = new Tracker({ holdFrames: 2, lookaheadFrames: 0, smoothFrames: 1, growthPerFrame: 0, maxGrowth: 1 });
    const stats = new FaceStats(0.3);
    // Face A on every frame but 4 (scores 0.9, one of 0.35 at frame 7); face B detected on 2 frames only.
    for (let f = 0; f < 10; f++) {
      const found = f === 4 ? [] : [face(100, f === 7 ? 0.35 : 0.9)];
      if (f === 5 || f === 6) found.push(face(400, 0.8));
      t.update(f, found);
      stats.frame(f / 10, t.regionsAt(f));
    }
    const s = stats.summary();
    expect(s).toMatchObject({ faces: 2, tracked: true, frames: 10, framesWithFaces: 10, lowConfidence: 1, briefTracks: 1 });
    // Frame 4 (A interpolated) and frames 7, 8 (B held) rely on predicted masks; frame 9 is past B's hold.
    expect(s.framesPredicted).toBe(3);
    expect(s.hints).toEqual([
      { time: 0.7, why: 'low-confidence', value: 0.35, x: 100, y: 100 },
      { time: 0.5, why: 'brief-track', value: 2, x: 400, y: 100 },
    ]);
    expect(describeFaces(s, true)).toEqual([
      '2 face tracks anonymized in 10 of 10 frames; 3 frames rely on held or predicted masks',
      'check first: 0:00.7 at (100,100), score 0.35; 0:00.5 at (400,100), detected on 2 frames only',
    ]);
  });

  it('names a track shown only on held or predicted boxes as such, not "detected on 0 frames"', () => {
    // A trial's --thresh 0.01 run read "detected on 0 frames only".
    const stats = new FaceStats(0.3);
    stats.frame(0, [{ ...face(100, 0.9), kind: 'detected' as const, trackId: 1 }]);
    stats.frame(0.1, [{ ...face(100, 0.9), kind: 'detected' as const, trackId: 1 }, { ...face(300, 0.5), kind: 'held' as const, trackId: 2 }]);
    for (let f = 2; f < 6; f++) stats.frame(f / 10, [{ ...face(100, 0.9), kind: 'detected' as const, trackId: 1 }]);
    expect(describeFaces(stats.summary(), true)[1]).toBe('check first: 0:00.1 at (300,100), on held or predicted boxes only');
  });

  it('counts a photo\'s detections, and sums files', () => {
    const stats = new FaceStats(0.65);
    stats.frame(0, [face(50, 0.99), face(200, 0.7), face(300, 0.66)]);
    const s = stats.summary();
    expect(s).toMatchObject({ faces: 3, tracked: false, lowConfidence: 2 });
    expect(describeFaces(s, false)).toEqual(['3 faces anonymized', 'check first: at (300,100), score 0.66']);
    expect(describeFaces(new FaceStats(0.3).summary(), false)).toEqual(['no face found']);
    expect(totalFaces([s, { ...s, faces: 2, framesPredicted: 5 }])).toEqual({ faces: 5, framesPredicted: 5 });
    expect(clock(83.44)).toBe('1:23.4');
  });

  it("does not call a photo's faces brief: every one is on the only frame (the hints are the lowest scores)", () => {
    const stats = new FaceStats(0.65);
    // As the photo path and a photo's project give them: each face its own track.
    stats.frame(0, [face(50, 0.99), face(200, 0.7), face(300, 0.66), face(400, 0.75)].map((d, i) => ({ ...d, kind: 'detected' as const, trackId: i })));
    const s = stats.summary();
    expect(s).toMatchObject({ faces: 4, briefTracks: 0 });
    expect(describeFaces(s, false)).toEqual(['4 faces anonymized', 'check first: at (300,100), score 0.66; at (200,100), score 0.70; at (400,100), score 0.75']);
  });
});
