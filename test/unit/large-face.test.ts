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
    expect(facesAmong([...faces, { ...torso, score: 0.85 }], frame, 0.3, VIDEO_LARGE_FACE)).toHaveLength(4);
    // With no sure face in the frame to compare with, a lone large face needs only the 0.5 of its size.
    expect(facesAmong([torso, at(0, 20, 0.45)], frame, 0.3, VIDEO_LARGE_FACE)).toEqual([torso, at(0, 20, 0.45)]);
    // No rule (photos, --thresh, live): the threshold alone.
    expect(facesAmong([...faces, torso], frame, 0.3, undefined)).toHaveLength(4);
  });

  it('holds a box over 1.5 times the size of every confident face (0.8) to 0.8: a signer\'s raised hands beside his face', () => {
    const at = (x: number, side: number, score: number) => ({ score, box: { x1: x, y1: 50, x2: x + side, y2: 50 + side } });
    // again.mkv, frames 17 and 43: the face at 0.94 (88 px), the hands at 0.73 and 0.75, 144 and 152 px.
    const face = at(290, 88, 0.94);
    const hands = [at(40, 144, 0.73), at(420, 152, 0.75)];
    expect(facesAmong([face, ...hands], frame, 0.3, VIDEO_LARGE_FACE)).toEqual([face]);
    // A large face that scores confidently itself stays, and so does one 1.5 times the size or less.
    expect(facesAmong([face, at(40, 144, 0.82), at(420, 132, 0.7)], frame, 0.3, VIDEO_LARGE_FACE)).toHaveLength(3);
    // With no confident face to compare with, the 0.6 tier alone judges: the hands are 1.6 and 1.7 times a face at 0.7.
    expect(facesAmong([at(290, 88, 0.7), ...hands], frame, 0.3, VIDEO_LARGE_FACE)).toHaveLength(3);
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
