import { describe, expect, it } from 'vitest';
import { decodeYunet, YUNET_STRIDES } from '../../src/detect/yunet.js';
import { decodeCenterFace } from '../../src/detect/centerface.js';

/** Empty YuNet outputs for a width x height input, to be filled in by a test. */
function yunetOutputs(width: number, height: number) {
  const out: Record<string, Float32Array> = {};
  for (const s of YUNET_STRIDES) {
    const n = (width / s) * (height / s);
    out[`cls_${s}`] = new Float32Array(n);
    out[`obj_${s}`] = new Float32Array(n);
    out[`bbox_${s}`] = new Float32Array(n * 4);
    out[`kps_${s}`] = new Float32Array(n * 10);
  }
  return out;
}

describe('decodeYunet', () => {
  it('decodes one anchor point into box, score and landmarks as the reference formula gives', () => {
    const out = yunetOutputs(64, 32);
    // Stride 16 on a 64x32 input: 4 columns, 2 rows; point 6 is row 1, column 2.
    const i = 6;
    out.cls_16![i] = 0.81;
    out.obj_16![i] = 1.2; // clamped to 1
    out.bbox_16!.set([0.25, 0.5, Math.log(2), Math.log(3)], i * 4);
    out.kps_16!.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], i * 10);
    const [d, ...rest] = decodeYunet(out, 64, 32, 0.5);
    expect(rest).toHaveLength(0);
    expect(d!.score).toBeCloseTo(0.9, 6);
    // cx = (2 + 0.25)·16 = 36, cy = (1 + 0.5)·16 = 24, w = 2·16, h = 3·16
    expect(d!.box.x1).toBeCloseTo(36 - 16, 5);
    expect(d!.box.x2).toBeCloseTo(36 + 16, 5);
    expect(d!.box.y1).toBeCloseTo(24 - 24, 5);
    expect(d!.box.y2).toBeCloseTo(24 + 24, 5);
    expect(d!.landmarks![0]!.x).toBeCloseTo((0.1 + 2) * 16, 5);
    expect(d!.landmarks![0]!.y).toBeCloseTo((0.2 + 1) * 16, 5);
    expect(d!.landmarks![4]!.x).toBeCloseTo((0.9 + 2) * 16, 5);
    expect(d!.landmarks![4]!.y).toBeCloseTo((1.0 + 1) * 16, 5);
  });

  it('drops points below the threshold and clamps negative scores to zero', () => {
    const out = yunetOutputs(32, 32);
    out.cls_8![0] = 0.25;
    out.obj_8![0] = 0.25; // score 0.25
    out.cls_32![0] = -3;
    out.obj_32![0] = 1;
    expect(decodeYunet(out, 32, 32, 0.3)).toHaveLength(0);
    expect(decodeYunet(out, 32, 32, 0.2)).toHaveLength(1);
  });

  it('rejects outputs that do not match the input size', () => {
    const out = yunetOutputs(32, 32);
    expect(() => decodeYunet(out, 64, 32, 0.5)).toThrow(/cls_8/);
  });
});

describe('decodeCenterFace', () => {
  it('decodes a heatmap peak with scale, offset and landmarks', () => {
    const w = 32, h = 16; // maps are 8 x 4
    const n = (w / 4) * (h / 4);
    const heatmap = new Float32Array(n);
    const scale = new Float32Array(2 * n);
    const offset = new Float32Array(2 * n);
    const landmarks = new Float32Array(10 * n);
    const i = 1 * 8 + 3; // row 1, column 3
    heatmap[i] = 0.7;
    scale[i] = Math.log(5); // height 20
    scale[n + i] = Math.log(2.5); // width 10
    offset[i] = 0.25; // y
    offset[n + i] = -0.25; // x
    landmarks[0 * n + i] = 0.5; // first landmark y, relative to the box height
    landmarks[1 * n + i] = 0.2; // first landmark x, relative to the box width
    const [d, ...rest] = decodeCenterFace({ heatmap, scale, offset, landmarks }, w, h, 0.5);
    expect(rest).toHaveLength(0);
    expect(d!.score).toBeCloseTo(0.7, 6);
    const cx = (3 - 0.25 + 0.5) * 4;
    const cy = (1 + 0.25 + 0.5) * 4;
    expect(d!.box.x1).toBeCloseTo(cx - 5, 5);
    expect(d!.box.x2).toBeCloseTo(cx + 5, 5);
    expect(d!.box.y1).toBeCloseTo(cy - 10, 5);
    expect(d!.box.y2).toBeCloseTo(cy + 10, 5);
    expect(d!.landmarks![0]!.x).toBeCloseTo(cx - 5 + 0.2 * 10, 5);
    expect(d!.landmarks![0]!.y).toBeCloseTo(cy - 10 + 0.5 * 20, 5);
    expect(decodeCenterFace({ heatmap, scale, offset, landmarks }, w, h, 0.8)).toHaveLength(0);
  });
});
