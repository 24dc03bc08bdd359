import { describe, expect, it } from 'vitest';
import { createTensorFiller, InputBuffers, tensorGeometry, type ChannelOrder, type Filled } from '../../src/detect/input-tensor.js';
import { yuvTables } from '../../src/media/bt601.js';
import { frameFromBuffer, type Frame } from '../../src/media/frame.js';

/** A frame of pseudo-random samples, so that a wrong index or plane shows in the tensor. */
function noiseFrame(layout: 'yuv420p' | 'rgb', width: number, height: number): Frame {
  let seed = width * 7919 + height;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  if (layout === 'rgb') {
    const planes = [0, 1, 2].map(() => ({ data: Uint8Array.from({ length: width * height }, next), width, height, subsample: 1 }));
    return { width, height, layout, planes, index: 0, time: 0 };
  }
  const cw = Math.ceil(width / 2), ch = Math.ceil(height / 2);
  return frameFromBuffer(Uint8Array.from({ length: width * height + 2 * cw * ch }, next), 'yuv420p', width, height, 0, 0);
}

/** The tensor written out pixel by pixel from the definitions: nearest sample of each pixel's centre, BT.601, clamped. */
function reference(frame: Frame, dw: number, dh: number, pw: number, ph: number, order: ChannelOrder): Float32Array {
  const out = new Float32Array(3 * pw * ph);
  const t = yuvTables();
  const clamp = (v: number) => Math.min(255, Math.max(0, v));
  const [p0, p1, p2] = frame.planes;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(frame.width - 1, Math.floor(((x + 0.5) * frame.width) / dw));
      const sy = Math.min(frame.height - 1, Math.floor(((y + 0.5) * frame.height) / dh));
      let rgb: number[];
      if (frame.layout === 'rgb') {
        const i = sy * frame.width + sx;
        rgb = [p0!.data[i]!, p1!.data[i]!, p2!.data[i]!];
      } else {
        const lum = t.y[p0!.data[sy * frame.width + sx]!]!;
        const ci = (sy >> 1) * p1!.width + (sx >> 1);
        const u = p1!.data[ci]!, v = p2!.data[ci]!;
        rgb = [clamp(lum + t.rv[v]!), clamp(lum + t.gu[u]! + t.gv[v]!), clamp(lum + t.bu[u]!)];
      }
      const channels = order === 'rgb' ? rgb : [...rgb].reverse();
      channels.forEach((c, k) => (out[k * pw * ph + y * pw + x] = c));
    }
  }
  return out;
}

describe('createTensorFiller', () => {
  const cases = [
    ['yuv420p', 64, 48, 64, 48], // identity, the common case for video
    ['yuv420p', 65, 47, 65, 47], // identity with odd sizes (the last chroma sample serves one column)
    ['yuv420p', 64, 48, 32, 24], // the half-size pass
    ['yuv420p', 50, 30, 100, 60], // 2x upscale
    ['yuv420p', 70, 44, 23, 15], // arbitrary
    ['rgb', 40, 30, 40, 30],
    ['rgb', 40, 30, 27, 21],
  ] as const;
  for (const [layout, w, h, dw, dh] of cases) {
    for (const order of ['bgr', 'rgb'] as const) {
      it(`fills ${layout} ${w}x${h} → ${dw}x${dh} (${order}) exactly as the definition, padding zero`, () => {
        const frame = noiseFrame(layout, w, h);
        const geo = tensorGeometry(dw, dh, 32);
        // A buffer left over from a pass of another size: the filler must zero the padding itself.
        const out = new Float32Array(3 * geo.paddedWidth * geo.paddedHeight).fill(77);
        createTensorFiller(w, h, geo, order)(frame, out);
        expect(out).toEqual(reference(frame, dw, dh, geo.paddedWidth, geo.paddedHeight, order));
      });
    }
  }

  it("normalizes as RetinaFace wants: BGR minus (104,117,123), the padding the mean colour (0)", () => {
    const frame = noiseFrame('rgb', 40, 30);
    const geo = tensorGeometry(40, 30, 32);
    const out = new Float32Array(3 * geo.paddedWidth * geo.paddedHeight).fill(77);
    createTensorFiller(40, 30, geo, 'bgr', { mean: [104, 117, 123], scale: 1, padding: 'mean' })(frame, out);
    const plain = reference(frame, 40, 30, geo.paddedWidth, geo.paddedHeight, 'bgr');
    const plane = geo.paddedWidth * geo.paddedHeight;
    const inside = (i: number) => i % geo.paddedWidth < 40 && Math.floor(i / geo.paddedWidth) < 30;
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < plane; i++) expect(out[c * plane + i]).toBe(inside(i) ? plain[c * plane + i]! - [104, 117, 123][c]! : 0);
    }
  });

  it('normalizes as SCRFD wants: (x − 127.5)/128, the padding pixel 0 (≈ −0.996)', () => {
    const frame = noiseFrame('yuv420p', 50, 30);
    const geo = tensorGeometry(50, 30, 32);
    const out = new Float32Array(3 * geo.paddedWidth * geo.paddedHeight).fill(77);
    createTensorFiller(50, 30, geo, 'rgb', { mean: [127.5, 127.5, 127.5], scale: 1 / 128, padding: 'pixel-zero' })(frame, out);
    const plain = reference(frame, 50, 30, geo.paddedWidth, geo.paddedHeight, 'rgb');
    expect(out).toEqual(plain.map((v) => Math.fround((v - 127.5) / 128)));
    expect(out[out.length - 1]).toBeCloseTo(-0.99609375, 6);
  });
});

/**
 * Whether two tensors are the same bit for bit (so −0 differs from 0), compared as bytes: vitest's
 * toEqual takes minutes over the millions of values of a 720p tensor.
 */
const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('the half-size pass from the full-size fill', () => {
  for (const [w, h] of [[64, 48], [640, 360], [96, 40]] as const) {
    for (const order of ['bgr', 'rgb'] as const) {
      it(`${w}x${h} (${order}): copied out of the full tensor in its buffer, bit for bit the half fill of the frame`, () => {
        const frame = noiseFrame('yuv420p', w, h);
        const full = tensorGeometry(w, h, 32);
        const half = tensorGeometry(w / 2, h / 2, 32);
        const halfLength = 3 * half.paddedWidth * half.paddedHeight;
        const buffer = new Float32Array(3 * full.paddedWidth * full.paddedHeight).fill(77);
        const held = createTensorFiller(w, h, full, order)(frame, buffer);
        expect(held).toEqual({ frame, geo: full, order });
        createTensorFiller(w, h, half, order)(frame, buffer.subarray(0, halfLength), held);
        const direct = new Float32Array(halfLength).fill(77);
        createTensorFiller(w, h, half, order)(frame, direct);
        expect(sameBits(buffer.subarray(0, halfLength), direct)).toBe(true);
        expect(sameBits(direct, reference(frame, w / 2, h / 2, half.paddedWidth, half.paddedHeight, order))).toBe(true);
      });
    }
  }

  it("ignores a buffer that holds another frame's fill, or a fill in the other channel order", () => {
    const [w, h] = [64, 48];
    const frame = noiseFrame('yuv420p', w, h);
    const other = noiseFrame('yuv420p', w, h + 2);
    const full = tensorGeometry(w, h, 32);
    const half = tensorGeometry(w / 2, h / 2, 32);
    const halfLength = 3 * half.paddedWidth * half.paddedHeight;
    const want = reference(frame, w / 2, h / 2, half.paddedWidth, half.paddedHeight, 'bgr');
    const priors: Filled[] = [
      { frame: other, geo: full, order: 'bgr' },
      { frame, geo: full, order: 'rgb' },
      { frame, geo: half, order: 'bgr' },
    ];
    for (const prior of priors) {
      const buffer = new Float32Array(3 * full.paddedWidth * full.paddedHeight).fill(77);
      createTensorFiller(w, h, half, 'bgr')(frame, buffer.subarray(0, halfLength), prior);
      expect(buffer.subarray(0, halfLength)).toEqual(want);
    }
  });

  it('offers for reuse only a full-size, unnormalized yuv420p fill', () => {
    const geo = (w: number, h: number) => tensorGeometry(w, h, 32);
    const out = new Float32Array(3 * 64 * 64);
    const yuv = noiseFrame('yuv420p', 64, 48);
    expect(createTensorFiller(64, 48, geo(32, 24), 'bgr')(yuv, out)).toBeUndefined();
    expect(createTensorFiller(64, 48, geo(64, 48), 'rgb', { mean: [127.5, 127.5, 127.5], scale: 1 / 128, padding: 'pixel-zero' })(yuv, out)).toBeUndefined();
    expect(createTensorFiller(40, 30, geo(40, 30), 'bgr')(noiseFrame('rgb', 40, 30), out)).toBeUndefined();
  });
});

describe('InputBuffers', () => {
  it('keeps the largest buffer and lends it to smaller passes; a second call in flight gets its own', () => {
    const pool = new InputBuffers();
    const big = pool.take(1000);
    pool.give(big);
    const small = pool.take(10);
    expect(small).toBe(big);
    const other = pool.take(10);
    expect(other).not.toBe(big);
    expect(other.length).toBe(10);
    pool.give(other);
    pool.give(small);
    // Only the largest is kept.
    expect(pool.take(500)).toBe(big);
    expect(pool.take(500)).not.toBe(big);
  });

  it('tells what a buffer given back holds, and forgets it when given back without', () => {
    const pool = new InputBuffers();
    const buffer = pool.take(100);
    expect(pool.contentOf(buffer)).toBeUndefined();
    const frame = noiseFrame('yuv420p', 4, 4);
    const held: Filled = { frame, geo: tensorGeometry(4, 4, 32), order: 'bgr' };
    pool.give(buffer, held);
    expect(pool.contentOf(pool.take(100))).toBe(held);
    pool.give(buffer);
    expect(pool.contentOf(pool.take(100))).toBeUndefined();
  });
});
