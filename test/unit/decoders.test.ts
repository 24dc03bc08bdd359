import { describe, expect, it } from 'vitest';
import { decodeRetinaFace, retinaFacePriorCount } from '../../src/detect/retinaface.js';
import { decodeScrfd, type ScrfdOutput } from '../../src/detect/scrfd.js';

// Synthetic outputs with one known prior/anchor set, so that each expected box below is worked out
// by hand from DETECTORS.md's formulas, not by calling the decoder's own code.

describe('decodeRetinaFace', () => {
  const W = 64, H = 32;
  // Priors: s8: 4x8 cells x2 = 64; s16: 2x4 x2 = 16; s32: 1x2 x2 = 4.
  const N = 84;
  const empty = () => ({ loc: new Float32Array(4 * N), conf: new Float32Array(2 * N), landmarks: new Float32Array(10 * N) });

  it('counts priors as Σ ceil(H/s)·ceil(W/s)·2', () => {
    expect(retinaFacePriorCount(W, H)).toBe(N);
    expect(retinaFacePriorCount(640, 640)).toBe(16800);
  });

  it('places priors stride-major, then row, column, size; decodes with variances 0.1 and 0.2', () => {
    const o = empty();
    // s8, row 1, col 2, second size (32): index ((1·8 + 2)·2 + 1) = 21; centre (20, 12).
    o.conf[2 * 21 + 1] = 0.9;
    o.loc.set([1, -0.5, Math.log(2) / 0.2, 0], 4 * 21);
    o.landmarks.set([1, 1, -1, 0, 0, 0, 0, 0, 0, 2], 10 * 21);
    // s16 first prior of row 0 col 3 (size 64): index 64 + (0·4 + 3)·2 = 70; centre (56, 8).
    o.conf[2 * 70 + 1] = 0.6;
    // s32 size 512, row 0 col 1: index 80 + (0·2 + 1)·2 + 1 = 83; centre (48, 16).
    o.conf[2 * 83 + 1] = 0.2; // under the threshold
    const found = decodeRetinaFace(o, W, H, 0.5);
    expect(found).toHaveLength(2);
    const [a, b] = found;
    // cx = 20 + 1·0.1·32 = 23.2; cy = 12 − 0.5·0.1·32 = 10.4; w = 32·2 = 64; h = 32.
    expect(a!.score).toBeCloseTo(0.9);
    expect(a!.box.x1).toBeCloseTo(23.2 - 32);
    expect(a!.box.x2).toBeCloseTo(23.2 + 32);
    expect(a!.box.y1).toBeCloseTo(10.4 - 16);
    expect(a!.box.y2).toBeCloseTo(10.4 + 16);
    expect(a!.landmarks![0]!.x).toBeCloseTo(23.2);
    expect(a!.landmarks![0]!.y).toBeCloseTo(15.2);
    expect(a!.landmarks![1]!.x).toBeCloseTo(16.8);
    expect(a!.landmarks![4]!.y).toBeCloseTo(12 + 2 * 3.2);
    expect(b!.box).toEqual({ x1: 56 - 32, y1: 8 - 32, x2: 56 + 32, y2: 8 + 32 });
  });

  it('rejects outputs that do not fit the input size', () => {
    expect(() => decodeRetinaFace(empty(), 96, 32, 0.5)).toThrow(/expected/);
  });
});

describe('decodeScrfd', () => {
  const W = 64, H = 32;
  // Anchors: s8 2·4·8 = 64, s16 2·2·4 = 16, s32 2·1·2 = 4.
  const outputs = (kps: boolean, batched: boolean): ScrfdOutput[] => {
    const one = (n: number, k: number) => ({ dims: batched ? [1, n, k] : [n, k], data: new Float32Array(n * k) });
    // hpc203's order: scores, boxes, keypoints.
    return [one(64, 1), one(16, 1), one(4, 1), one(64, 4), one(16, 4), one(4, 4), ...(kps ? [one(64, 10), one(16, 10), one(4, 10)] : [])];
  };

  it('finds anchors at (col·s, row·s) without a half-cell offset, two per cell, distances in stride units', () => {
    const o = outputs(true, true);
    // s8 anchor 21: cell 10 → row 1, col 2 → centre (16, 8).
    o[0]!.data[21] = 0.8;
    o[3]!.data.set([1, 0.5, 2, 1], 4 * 21);
    o[6]!.data.set([0.5, 0.25, 0, 0, 0, 0, 0, 0, -1, 1], 10 * 21);
    // s32 anchor 3: cell 1 → row 0, col 1 → centre (32, 0).
    o[2]!.data[3] = 0.7;
    o[5]!.data.set([0.5, 0, 0.5, 1], 4 * 3);
    const found = decodeScrfd(o, W, H, 0.5).sort((a, b) => b.score - a.score);
    expect(found).toHaveLength(2);
    expect(found[0]!.box).toEqual({ x1: 8, y1: 4, x2: 32, y2: 16 });
    expect(found[0]!.landmarks![0]).toEqual({ x: 20, y: 10 });
    expect(found[0]!.landmarks![4]).toEqual({ x: 8, y: 16 });
    expect(found[1]!.box).toEqual({ x1: 16, y1: 0, x2: 48, y2: 32 });
  });

  it('picks outputs by shape, in any order and without keypoints (SCRFD-1G)', () => {
    const o = outputs(false, false);
    o[1]!.data[5] = 0.9; // s16 anchor 5: cell 2 → row 0, col 2 → centre (32, 0)
    o[4]!.data.set([1, 0, 1, 1], 4 * 5);
    // ppogg's order: score and box per stride.
    const shuffled = [o[0]!, o[3]!, o[1]!, o[4]!, o[2]!, o[5]!];
    const [d] = decodeScrfd(shuffled, W, H, 0.5);
    expect(d!.box).toEqual({ x1: 16, y1: 0, x2: 48, y2: 16 });
    expect(d!.landmarks).toBeUndefined();
  });

  it('names an output that fits no stride of the input', () => {
    expect(() => decodeScrfd(outputs(true, true), 96, 32, 0.5)).toThrow(/fits no stride/);
  });
});
