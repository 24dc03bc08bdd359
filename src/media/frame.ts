/**
 * A frame is a set of 8-bit planes. Video frames stay in the decoder's YUV layout so that no colour
 * conversion happens on the way back to the encoder; photos use three RGB planes. 'gray' is the luma
 * plane of yuv420p alone, for readers that need no colour (following a drawn box): a third fewer
 * bytes to convert, pipe and read. Detectors and filters take yuv420p or rgb frames only.
 */
export type PixelLayout = 'yuv420p' | 'gray' | 'rgb';

export interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 for full resolution, 2 for chroma planes of yuv420p. */
  subsample: number;
}

export interface Frame {
  width: number;
  height: number;
  layout: PixelLayout;
  planes: Plane[];
  /** Zero-based index in the stream. */
  index: number;
  /**
   * Presentation time in seconds on the source file's timeline, as ffmpeg gives it: the file's
   * earliest stream starts at 0, so a video that starts after its audio has a first frame after 0.
   */
  time: number;
  /** For decoded video: the one buffer all planes are views of, in ffmpeg's planar order, ready for the encoder. */
  packed?: Uint8Array;
}

/** Size of each chroma plane in pixels: half each way (rounded up) for yuv420p, none for gray. */
export function chromaSize(layout: PixelLayout, width: number, height: number): { width: number; height: number } {
  if (layout === 'gray') return { width: 0, height: 0 };
  return layout === 'yuv420p'
    ? { width: Math.ceil(width / 2), height: Math.ceil(height / 2) }
    : { width, height };
}

export function frameByteLength(layout: PixelLayout, width: number, height: number): number {
  const c = chromaSize(layout, width, height);
  return width * height + 2 * c.width * c.height;
}

/** Wraps one contiguous planar buffer (as ffmpeg's rawvideo writes it) as a Frame, without copying. */
export function frameFromBuffer(
  buf: Uint8Array,
  layout: PixelLayout,
  width: number,
  height: number,
  index: number,
  time: number,
): Frame {
  const c = chromaSize(layout, width, height);
  const sub = layout === 'yuv420p' ? 2 : 1;
  const ySize = width * height;
  const cSize = c.width * c.height;
  const at = (offset: number, size: number) => buf.subarray(offset, offset + size);
  const luma: Plane = { data: at(0, ySize), width, height, subsample: 1 };
  return {
    width,
    height,
    layout,
    index,
    time,
    packed: buf,
    planes: layout === 'gray' ? [luma] : [
      luma,
      { data: at(ySize, cSize), width: c.width, height: c.height, subsample: sub },
      { data: at(ySize + cSize, cSize), width: c.width, height: c.height, subsample: sub },
    ],
  };
}

/** Splits interleaved RGB(A) pixels into three planes (alpha, if any, is left to the caller). */
export function rgbFrameFromInterleaved(pixels: Uint8Array, width: number, height: number, channels: number): Frame {
  const n = width * height;
  const planes = [0, 1, 2].map(() => new Uint8Array(n));
  const [r, g, b] = planes as [Uint8Array, Uint8Array, Uint8Array];
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    r[i] = pixels[j]!;
    g[i] = pixels[j + 1]!;
    b[i] = pixels[j + 2]!;
  }
  return {
    width,
    height,
    layout: 'rgb',
    index: 0,
    time: 0,
    planes: planes.map((data) => ({ data, width, height, subsample: 1 })),
  };
}

/** Writes the RGB planes back into interleaved pixels, leaving any alpha channel as it was. */
export function writeRgbInterleaved(frame: Frame, pixels: Uint8Array, channels: number): void {
  const [r, g, b] = frame.planes.map((p) => p.data) as [Uint8Array, Uint8Array, Uint8Array];
  const n = frame.width * frame.height;
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    pixels[j] = r[i]!;
    pixels[j + 1] = g[i]!;
    pixels[j + 2] = b[i]!;
  }
}
