import type { Frame, Plane } from '../media/frame.js';
import { fillRgbIdentity, fillRgbSampled, fillTables, fillYuv420Half, fillYuv420Identity, fillYuvSampled, halveFullTensor } from './tensor-fills.js';

export type ChannelOrder = 'bgr' | 'rgb';

/**
 * How a model wants its input values: value = (pixel − mean[c]) · scale, with `mean` in the tensor's
 * channel order. The padding is either the mean colour (0 after subtraction, as RetinaFace's
 * training pads) or pixel 0 run through the same formula (as SCRFD's upstream pads).
 */
export interface Normalization {
  mean: readonly [number, number, number];
  scale: number;
  padding: 'mean' | 'pixel-zero';
}

export interface TensorGeometry {
  /** Size the frame is resized to before padding. */
  width: number;
  height: number;
  /** Tensor size: width/height rounded up to the model's stride multiple; the margin is zero padding. */
  paddedWidth: number;
  paddedHeight: number;
}

export function tensorGeometry(width: number, height: number, multiple: number): TensorGeometry {
  return {
    width,
    height,
    paddedWidth: Math.ceil(width / multiple) * multiple,
    paddedHeight: Math.ceil(height / multiple) * multiple,
  };
}

/** Source column and row of each destination pixel (nearest sample of the pixel's centre). */
function sampleIndex(dst: number, src: number): Int32Array {
  const idx = new Int32Array(dst);
  const scale = src / dst;
  for (let i = 0; i < dst; i++) idx[i] = Math.min(src - 1, Math.floor((i + 0.5) * scale));
  return idx;
}

/**
 * What a tensor buffer holds after a pass: the fill of `frame` at `geo`, in `order`, unnormalized
 * (only such a fill is ever reused, by the half-size pass that follows the full-size one within the
 * same detect call, while the frame's pixels cannot change).
 */
export interface Filled {
  frame: Frame;
  geo: TensorGeometry;
  order: ChannelOrder;
}

/**
 * A filler: writes `frame` into `out`; given `prior`, what the memory from `out`'s start already
 * holds (`out` may be a shorter view of it), it may derive the tensor from it instead of from the
 * frame's planes. Returns what `out` now holds when a later pass could reuse it (a full-size
 * yuv420p fill), else undefined.
 */
export type TensorFiller = (frame: Frame, out: Float32Array, prior?: Filled) => Filled | undefined;

/**
 * Builds the filler for one frame size, tensor geometry and channel order. It fills a CHW float32
 * tensor (values 0..255, or normalized by `norm`) with the frame resized to geo.width x geo.height by
 * nearest sampling, and sets the padding (the buffer may have served a pass of another size).
 * Lookup tables and sample indices are computed once, not per frame. The half-size pass of a
 * yuv420p frame whose buffer still holds the same frame's full-size fill (`prior`: the passes of one
 * model share their buffer, full size first) is copied out of it (halveFullTensor).
 */
export function createTensorFiller(
  frameWidth: number,
  frameHeight: number,
  geo: TensorGeometry,
  order: ChannelOrder,
  norm?: Normalization,
): TensorFiller {
  const { width: dw, height: dh, paddedWidth: pw, paddedHeight: ph } = geo;
  const plane = pw * ph;
  const rOff = order === 'rgb' ? 0 : 2 * plane;
  const bOff = order === 'rgb' ? 2 * plane : 0;
  const xs = sampleIndex(dw, frameWidth);
  const ys = sampleIndex(dh, frameHeight);
  const t = fillTables();
  const identity = dw === frameWidth && dh === frameHeight;
  const half = 2 * dw === frameWidth && 2 * dh === frameHeight;
  // Chroma columns for full-resolution (RGB) and half-resolution (yuv420p) chroma planes.
  const chromaXs = { 1: xs, 2: xs.map((x) => x >> 1) } as Record<number, Int32Array>;
  const zeroPadding = (out: Float32Array) => {
    for (let c = 0; c < 3; c++) {
      const base = c * plane;
      if (pw > dw) for (let y = 0; y < dh; y++) out.fill(0, base + y * pw + dw, base + (y + 1) * pw);
      out.fill(0, base + dh * pw, base + plane);
    }
  };
  // `out` may be a view shorter than the memory `prior` describes, which must still lie behind it.
  const isFullOf = (prior: Filled | undefined, frame: Frame, out: Float32Array): prior is Filled =>
    prior?.frame === frame &&
    prior.order === order &&
    prior.geo.width === frameWidth &&
    prior.geo.height === frameHeight &&
    out.buffer.byteLength - out.byteOffset >= 12 * prior.geo.paddedWidth * prior.geo.paddedHeight;
  return (frame, out, prior) => {
    const [p0, p1, p2] = frame.planes as [Plane, Plane, Plane];
    const yuv = frame.layout !== 'rgb';
    const fullYuv420 = yuv && identity && p1.subsample === 2;
    if (fullYuv420) fillYuv420Identity(p0, p1, p2, pw, plane, rOff, bOff, t, out);
    else if (yuv && half && p1.subsample === 2 && !norm && isFullOf(prior, frame, out)) halveFullTensor(prior.geo, dw, dh, pw, plane, out);
    else if (yuv && half && p1.subsample === 2) fillYuv420Half(p0, p1, p2, dw, dh, pw, plane, rOff, bOff, t, out);
    else if (!yuv && identity) fillRgbIdentity(p0, p1, p2, pw, plane, rOff, bOff, out);
    else if (yuv) fillYuvSampled(p0, p1, p2, xs, chromaXs[p1.subsample]!, ys, pw, plane, rOff, bOff, t, out);
    else fillRgbSampled(p0, p1, p2, xs, ys, pw, plane, rOff, bOff, out);
    zeroPadding(out);
    if (!norm) return fullYuv420 ? { frame, geo, order } : undefined;
    for (let c = 0; c < 3; c++) {
      const m = norm.mean[c]!;
      const k = norm.scale;
      for (let i = c * plane, end = i + plane; i < end; i++) out[i] = (out[i]! - m) * k;
    }
    if (norm.padding === 'mean') zeroPadding(out);
    return undefined;
  };
}

/**
 * Input tensor memory for the passes of one model, which run one after another: the largest buffer
 * is kept and serves every smaller pass through a view, instead of each pass keeping its own (at
 * 1080p, 25 MB for the full pass and 6 MB for the half). A second call in flight gets a buffer of
 * its own, which is dropped again unless it is the largest. Each buffer given back may say what it
 * holds, for the next pass to reuse (TensorFiller's `prior`).
 */
export class InputBuffers {
  private spare: Float32Array | undefined;
  private readonly contents = new WeakMap<Float32Array, Filled>();

  take(length: number): Float32Array {
    const s = this.spare;
    if (s && s.length >= length) {
      this.spare = undefined;
      return s;
    }
    return new Float32Array(length);
  }

  /** What `buffer` held when it was given back; undefined when unknown (a new buffer, a failed fill). */
  contentOf(buffer: Float32Array): Filled | undefined {
    return this.contents.get(buffer);
  }

  give(buffer: Float32Array, holds?: Filled): void {
    if (holds) this.contents.set(buffer, holds);
    else this.contents.delete(buffer);
    if (!this.spare || buffer.length > this.spare.length) this.spare = buffer;
  }
}
