import { describe, expect, it } from 'vitest';
import { splitAtKeyframes } from '../../src/jobs/split.js';

/** `n` packets at `fps`, a keyframe every `gop` frames. */
const packets = (n: number, fps: number, gop: number) => Array.from({ length: n }, (_, i) => ({ pts: i / fps, key: i % gop === 0 }));

describe('splitAtKeyframes', () => {
  it('starts each segment at the first keyframe at or after the previous start plus the segment length', () => {
    // 150 s at 10 fps, a keyframe every 3.5 s: 0, 63 (first at or after 60 s), 126 (first at or after 123 s).
    const s = splitAtKeyframes(packets(1500, 10, 35), 60);
    expect(s).toEqual([
      { first: 0, count: 630, pts: 0 },
      { first: 630, count: 630, pts: 63 },
      { first: 1260, count: 240, pts: 126 },
    ]);
  });

  it('leaves a video no longer than one segment, or without keyframes to split at, whole', () => {
    expect(splitAtKeyframes(packets(600, 10, 10), 60)).toEqual([{ first: 0, count: 600, pts: 0 }]);
    expect(splitAtKeyframes(packets(1300, 10, 100000), 60)).toEqual([{ first: 0, count: 1300, pts: 0 }]);
  });

  it('joins a last piece shorter than a quarter segment to the one before', () => {
    // 61 s: a keyframe at 60 s would leave a 1 s segment; 130 s: one at 120 s, a 9.9 s one.
    expect(splitAtKeyframes(packets(610, 10, 10), 60)).toEqual([{ first: 0, count: 610, pts: 0 }]);
    expect(splitAtKeyframes(packets(1300, 10, 10), 60).map((s) => s.count)).toEqual([600, 700]);
  });

  it('counts from the first packet on a clock that does not start at 0', () => {
    const p = packets(300, 10, 10).map((x) => ({ ...x, pts: x.pts + 1.4 }));
    expect(splitAtKeyframes(p, 10).map((s) => [s.first, s.pts])).toEqual([[0, 1.4], [100, 11.4], [200, 21.4]]);
  });
});
