/**
 * BT.601 limited-range YUV → RGB, shared by the detector's input filler and the preview's JPEGs
 * (the detectors are trained on ordinary photos and do not notice the small BT.601/709 difference).
 */
export const BT601 = { y: 1.164, rv: 1.596, gu: -0.392, gv: -0.813, bu: 2.017 } as const;

/** The same conversion as lookup tables, which keep the per-pixel work to a few adds. */
export interface YuvTables {
  y: Float32Array;
  rv: Float32Array;
  gu: Float32Array;
  gv: Float32Array;
  bu: Float32Array;
}

export function yuvTables(): YuvTables {
  const t = { y: new Float32Array(256), rv: new Float32Array(256), gu: new Float32Array(256), gv: new Float32Array(256), bu: new Float32Array(256) };
  for (let i = 0; i < 256; i++) {
    t.y[i] = BT601.y * (i - 16);
    t.rv[i] = BT601.rv * (i - 128);
    t.gu[i] = BT601.gu * (i - 128);
    t.gv[i] = BT601.gv * (i - 128);
    t.bu[i] = BT601.bu * (i - 128);
  }
  return t;
}
