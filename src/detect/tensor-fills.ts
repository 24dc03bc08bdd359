import { yuvTables, type YuvTables } from '../media/bt601.js';
import type { Plane } from '../media/frame.js';
import type { TensorGeometry } from './input-tensor.js';

// The pixel loops behind createTensorFiller (input-tensor.ts): one per source layout and scale, each
// writing a CHW float32 tensor of values 0..255 (planes `plane` floats apart, red and blue at
// `rOff` and `bOff`, rows `pw` floats apart). Everything the inner loops read is a local, so that
// V8 need not reload planes and tables through objects for each pixel.

/**
 * BT.601 (media/bt601.ts) with the clamp to 0..255 folded in: red depends on Y and V only, blue on
 * Y and U only, so each is one lookup in a 256x256 table (indexed chroma · 256 + luma; 256 KB each,
 * which stays in a core's L2 cache); green needs all three and keeps its add and clamp. (The
 * sampled fills keep the small tables: for them the large ones measured slower.) The values
 * are the ones the per-pixel formula gives (the same sum in double precision, clamped, stored as
 * float32). The full-size fill copies red and blue as the float32s' bit patterns (`ri`, `bi`, read
 * and written through Int32Array views), which spares V8 a float32 → double → float32 round trip
 * per value. A 720p fill: 7.2 ms with three adds and clamps, 6.1 ms with the tables, and 7 to 25%
 * less again with the integer copies (4.8 against 5.1 ms in the same bench; docs/speed.md).
 */
export interface FillTables extends YuvTables {
  /** clamp(y[Y] + rv[V]) at V · 256 + Y. */
  r: Float32Array;
  /** clamp(y[Y] + bu[U]) at U · 256 + Y. */
  b: Float32Array;
  /** `r` and `b` as the bit patterns of their float32s. */
  ri: Int32Array;
  bi: Int32Array;
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** The tables of FillTables, built once per filler (512 KB). */
export function fillTables(): FillTables {
  const t = yuvTables();
  const r = new Float32Array(65536);
  const b = new Float32Array(65536);
  for (let c = 0; c < 256; c++) {
    for (let l = 0; l < 256; l++) {
      r[(c << 8) | l] = clamp255(t.y[l]! + t.rv[c]!);
      b[(c << 8) | l] = clamp255(t.y[l]! + t.bu[c]!);
    }
  }
  return { ...t, r, b, ri: new Int32Array(r.buffer), bi: new Int32Array(b.buffer) };
}

/**
 * The common case, detection at full resolution: each chroma sample serves a 2x2 block of luma, so
 * its chroma rows of the tables and its green term are looked up once per block rather than once per pixel.
 */
export function fillYuv420Identity(
  p0: Plane, p1: Plane, p2: Plane, pw: number, plane: number, rOff: number, bOff: number, t: FillTables, out: Float32Array,
): void {
  const { width, height } = p0;
  const Y = p0.data, U = p1.data, V = p2.data;
  const tr = t.ri, tb = t.bi, ty = t.y, tgu = t.gu, tgv = t.gv;
  const bits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const cw = p1.width;
  for (let y = 0; y < height; y += 2) {
    const y2 = Math.min(y + 1, height - 1);
    const row0 = y * width, row1 = y2 * width;
    const o0 = y * pw, o1 = y2 * pw;
    const crow = (y >> 1) * cw;
    for (let x = 0; x < width; x += 2) {
      const ci = crow + (x >> 1);
      const u = U[ci]!;
      const v = V[ci]!;
      const rv = v << 8, bu = u << 8, cg = tgu[u]! + tgv[v]!;
      const x2 = x + 1 < width ? x + 1 : x;
      const a = Y[row0 + x]!, b = Y[row0 + x2]!, c = Y[row1 + x]!, d = Y[row1 + x2]!;
      bits[rOff + o0 + x] = tr[rv | a]!;
      bits[rOff + o0 + x2] = tr[rv | b]!;
      bits[rOff + o1 + x] = tr[rv | c]!;
      bits[rOff + o1 + x2] = tr[rv | d]!;
      bits[bOff + o0 + x] = tb[bu | a]!;
      bits[bOff + o0 + x2] = tb[bu | b]!;
      bits[bOff + o1 + x] = tb[bu | c]!;
      bits[bOff + o1 + x2] = tb[bu | d]!;
      out[plane + o0 + x] = clamp255(ty[a]! + cg);
      out[plane + o0 + x2] = clamp255(ty[b]! + cg);
      out[plane + o1 + x] = clamp255(ty[c]! + cg);
      out[plane + o1 + x2] = clamp255(ty[d]! + cg);
    }
  }
}

/**
 * The half-size pass of yuv420p, the most common scaled fill: the nearest sample of destination
 * pixel (x, y) is luma (2x + 1, 2y + 1) and chroma (x, y) (sampleIndex gives exactly these), so the
 * planes are walked in order without index tables.
 */
export function fillYuv420Half(
  p0: Plane, p1: Plane, p2: Plane, dw: number, dh: number, pw: number, plane: number, rOff: number, bOff: number, t: FillTables, out: Float32Array,
): void {
  const Y = p0.data, U = p1.data, V = p2.data;
  const ty = t.y, trv = t.rv, tgu = t.gu, tgv = t.gv, tbu = t.bu;
  const fw = p0.width, cw = p1.width;
  for (let y = 0; y < dh; y++) {
    const row = (2 * y + 1) * fw + 1;
    const crow = y * cw;
    const ro = rOff + y * pw, go = plane + y * pw, bo = bOff + y * pw;
    for (let x = 0; x < dw; x++) {
      const lum = ty[Y[row + 2 * x]!]!;
      const u = U[crow + x]!;
      const v = V[crow + x]!;
      out[ro + x] = clamp255(lum + trv[v]!);
      out[go + x] = clamp255(lum + tgu[u]! + tgv[v]!);
      out[bo + x] = clamp255(lum + tbu[u]!);
    }
  }
}

/**
 * The half-size pass of yuv420p from the full-size tensor of the same frame, in place: the half
 * fill's pixel (x, y) takes luma (2x + 1, 2y + 1) and chroma (x, y), which is exactly the full
 * tensor's pixel (2x + 1, 2y + 1), bit for bit (every sum of the tables' float32 values is exact in
 * double, so the full fill's (Y + (U + V)) and the half fill's ((Y + U) + V) cannot differ; checked
 * over all 256³ triples). Each value is read from above the index it is written to, so the copy runs
 * forward through the one buffer. A 720p half pass: 1.6 ms instead of 2.3 (CPU, medians of nine
 * interleaved rounds; the copy is bound by memory, not arithmetic; docs/speed.md).
 */
export function halveFullTensor(from: TensorGeometry, dw: number, dh: number, pw: number, plane: number, out: Float32Array): void {
  const fpw = from.paddedWidth, fplane = fpw * from.paddedHeight;
  // `out` is the half tensor's view at the start of the buffer; the full tensor reaches beyond it.
  const bits = new Int32Array(out.buffer, out.byteOffset, 3 * fplane);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < dh; y++) {
      const src = c * fplane + (2 * y + 1) * fpw + 1;
      const dst = c * plane + y * pw;
      for (let x = 0; x < dw; x++) bits[dst + x] = bits[src + 2 * x]!;
    }
  }
}

/** Photos at full resolution: RGB planes copied row by row into the tensor's planes. */
export function fillRgbIdentity(p0: Plane, p1: Plane, p2: Plane, pw: number, plane: number, rOff: number, bOff: number, out: Float32Array): void {
  const { width, height } = p0;
  for (let y = 0; y < height; y++) {
    const from = y * width;
    const o = y * pw;
    out.set(p0.data.subarray(from, from + width), rOff + o);
    out.set(p1.data.subarray(from, from + width), plane + o);
    out.set(p2.data.subarray(from, from + width), bOff + o);
  }
}

/**
 * Any other size: each destination pixel takes the nearest source sample (xs, cxs, ys: source
 * luma column, chroma column and row of each destination column and row).
 */
export function fillYuvSampled(
  p0: Plane, p1: Plane, p2: Plane, xs: Int32Array, cxs: Int32Array, ys: Int32Array, pw: number, plane: number, rOff: number, bOff: number, t: FillTables, out: Float32Array,
): void {
  const Y = p0.data, U = p1.data, V = p2.data;
  const ty = t.y, trv = t.rv, tgu = t.gu, tgv = t.gv, tbu = t.bu;
  const fw = p0.width, cw = p1.width, sub = p1.subsample;
  const dw = xs.length, dh = ys.length;
  for (let y = 0; y < dh; y++) {
    const sy = ys[y]!;
    const row = sy * fw;
    const crow = Math.floor(sy / sub) * cw;
    const ro = rOff + y * pw, go = plane + y * pw, bo = bOff + y * pw;
    for (let x = 0; x < dw; x++) {
      const lum = ty[Y[row + xs[x]!]!]!;
      const ci = crow + cxs[x]!;
      const u = U[ci]!;
      const v = V[ci]!;
      out[ro + x] = clamp255(lum + trv[v]!);
      out[go + x] = clamp255(lum + tgu[u]! + tgv[v]!);
      out[bo + x] = clamp255(lum + tbu[u]!);
    }
  }
}

/** RGB photos at any other size: the nearest source pixel (xs, ys as fillYuvSampled's). */
export function fillRgbSampled(
  p0: Plane, p1: Plane, p2: Plane, xs: Int32Array, ys: Int32Array, pw: number, plane: number, rOff: number, bOff: number, out: Float32Array,
): void {
  const R = p0.data, G = p1.data, B = p2.data;
  const fw = p0.width;
  const dw = xs.length, dh = ys.length;
  for (let y = 0; y < dh; y++) {
    const row = ys[y]! * fw;
    const ro = rOff + y * pw, go = plane + y * pw, bo = bOff + y * pw;
    for (let x = 0; x < dw; x++) {
      const i = row + xs[x]!;
      out[ro + x] = R[i]!;
      out[go + x] = G[i]!;
      out[bo + x] = B[i]!;
    }
  }
}
