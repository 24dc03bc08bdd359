import { describe, expect, it } from 'vitest';
import { facesAmong, scoreNeeded, VIDEO_LARGE_FACE } from '../../src/detect/large-face.js';
import { fileOptionsSchema } from '../../src/options.js';
import { largeFaceOf, thresholdOf } from '../../src/pipeline/setup.js';

const frame = { width: 640, height: 480 };
const square = (side: number) => ({ x1: 100, y1: 100, x2: 100 + side, y2: 100 + side });

describe('large boxes need a surer score in video (issue 13)', () => {
  it('holds boxes from 7% of the frame\'s shorter side to 0.5, smaller ones to the threshold', () => {
    // 7% of 480 px is 33.6 px.
    expect(scoreNeeded(square(33), frame, 0.3, VIDEO_LARGE_FACE)).toBe(0.3);
    expect(scoreNeeded(square(34), frame, 0.3, VIDEO_LARGE_FACE)).toBe(0.5);
    // The longer side counts: a tall box is large by its height. A portrait frame is judged by its width.
    expect(scoreNeeded({ x1: 0, y1: 0, x2: 20, y2: 40 }, frame, 0.3, VIDEO_LARGE_FACE)).toBe(0.5);
    expect(scoreNeeded(square(40), { width: 480, height: 1920 }, 0.3, VIDEO_LARGE_FACE)).toBe(0.5);
    // A threshold already above the rule's is kept; no rule, no change.
    expect(scoreNeeded(square(200), frame, 0.6, VIDEO_LARGE_FACE)).toBe(0.6);
    expect(scoreNeeded(square(200), frame, 0.3, undefined)).toBe(0.3);
  });

  it('holds a box over 1.5 times the size of every sure face in its frame to 0.6: a torso among faces', () => {
    const at = (x: number, side: number, score: number) => ({ score, box: { x1: x, y1: 50, x2: x + side, y2: 50 + side } });
    const faces = [at(0, 50, 0.93), at(60, 55, 0.88), at(130, 48, 0.61)];
    const torso = at(200, 233, 0.53);
    const near = at(450, 80, 0.55);
    // 233 px is over 1.5 times the sure faces' longest side (55 px): 0.53 is not enough. 80 px is not: 0.5 holds.
    expect(facesAmong([...faces, torso, near], frame, 0.3, VIDEO_LARGE_FACE)).toEqual([...faces, near]);
    expect(facesAmong([...faces, { ...torso, score: 0.62 }], frame, 0.3, VIDEO_LARGE_FACE)).toHaveLength(4);
    // With no sure face in the frame to compare with, a lone large face needs only the 0.5 of its size.
    expect(facesAmong([torso, at(0, 20, 0.45)], frame, 0.3, VIDEO_LARGE_FACE)).toEqual([torso, at(0, 20, 0.45)]);
    // No rule (photos, --thresh, live): the threshold alone.
    expect(facesAmong([...faces, torso], frame, 0.3, undefined)).toHaveLength(4);
  });

  it('applies to video files by default only: an explicit --thresh is one threshold for every size; photos, --thorough and live capture have none', () => {
    const o = fileOptionsSchema.parse({});
    expect(largeFaceOf(o, 'motion')).toEqual(VIDEO_LARGE_FACE);
    expect(thresholdOf(o, 'motion')).toBe(0.3);
    expect(largeFaceOf({ ...o, thresh: 0.3 }, 'motion')).toBeUndefined();
    expect(largeFaceOf(o, 'still')).toBeUndefined();
    expect(largeFaceOf({ ...o, singlePass: true }, 'still')).toBeUndefined();
    expect(largeFaceOf({ ...o, thorough: true }, 'motion')).toBeUndefined();
    // Live capture has no look-ahead to cover a face before its first sure detection.
    expect(largeFaceOf(o, 'motion', true)).toBeUndefined();
  });
});
