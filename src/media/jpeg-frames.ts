import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { freeBytes } from '../io/free-space.js';
import { passthroughArgs, type FfmpegTools } from './ffmpeg.js';

/**
 * Widest JPEG frame of the review's seek proxy, in pixels: the editor's stage shows no more (the
 * overlay is drawn in project pixels and scaled with the picture).
 */
export const PROXY_WIDTH = 1280;

/** Where one JPEG lies in a file or stream of them: byte offset and length. */
export interface JpegSpan {
  offset: number;
  length: number;
}

/**
 * ffmpeg output options, to put before an output's path, that write every decoded frame once and in
 * order (passthrough timing; rotated upright as the raw decode is) as one JPEG each, at most
 * PROXY_WIDTH pixels wide, back to back (image2pipe). The seek proxy's own runs and the analysis's
 * decoder (decodeVideo's `jpegs`) both use them, so frame N is the same picture whichever wrote it.
 */
export function jpegFrameArgs(tools: FfmpegTools): string[] {
  return [
    '-map', '0:v:0', '-an', '-sn', '-dn',
    ...passthroughArgs(tools),
    // Never upscaled; an even height, as yuvj420p wants. Area averaging: cheaper than bicubic, as sharp for a downscale (docs/speed.md).
    '-vf', `scale='min(${PROXY_WIDTH},iw)':-2:flags=area`,
    // -q:v 5: about 40 KB a 1280x720 frame, which the page shows without visible blocking.
    '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe',
  ];
}

/**
 * Whether the folder of `path` has room for `frames` JPEGs of jpegFrameArgs from `width`x`height`
 * frames, at 1 bit a pixel (-q:v 5 gives about a third of that on noisy 1080p footage: 40 KB a
 * 1280x720 frame). A temp folder that fills up mid-way would fail ffmpeg, and with it the decode
 * the file was written beside. An unknown frame count, or a folder statfs cannot read, has no room.
 */
export async function roomForJpegs(path: string, frames: number | undefined, width: number, height: number): Promise<boolean> {
  if (frames === undefined) return false;
  const w = Math.min(PROXY_WIDTH, width);
  const bytes = (frames * w * Math.round((height * w) / width)) / 8;
  const free = await freeBytes(dirname(path));
  return free !== undefined && free > bytes;
}

/** Standalone markers, which carry no length (ITU T.81, B.1.1.3 and B.1.1.4): TEM, RST0..7, SOI. */
const standalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd8);

/**
 * The index just after the EOI marker of the JPEG that starts at `from` in `buf`, or -1 when `buf`
 * ends before it. Marker segments are skipped by their length and only entropy-coded data is
 * scanned, where a 0xFF byte is followed by 0x00 (stuffing) or a restart marker (ITU T.81, B.1.1.5),
 * so that an FF D9 pair inside a table cannot end a frame early.
 * @throws Error when the bytes at `from` are not a JPEG.
 */
export function jpegEnd(buf: Buffer, from: number): number {
  if (buf.length - from < 2) return -1;
  if (buf[from] !== 0xff || buf[from + 1] !== 0xd8) throw new Error(`not a JPEG at byte ${from}`);
  let i = from + 2;
  let entropy = false;
  for (;;) {
    if (entropy) {
      i = buf.indexOf(0xff, i);
      if (i < 0 || i + 1 >= buf.length) return -1;
      const next = buf[i + 1]!;
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        i += 2;
        continue;
      }
      entropy = false;
    }
    if (i + 1 >= buf.length) return -1;
    if (buf[i] !== 0xff) throw new Error(`not a JPEG marker at byte ${i}`);
    const m = buf[i + 1]!;
    // 0xFF fill bytes may precede a marker.
    if (m === 0xff) i += 1;
    else if (m === 0xd9) return i + 2;
    else if (standalone(m)) i += 2;
    else {
      if (i + 3 >= buf.length) return -1;
      i += 2 + buf.readUInt16BE(i + 2);
      // Start of scan: its entropy-coded data follows the header.
      entropy = m === 0xda;
    }
  }
}

/**
 * Splits a stream of back-to-back JPEGs, arriving in chunks of any size, into whole JPEGs.
 * @throws Error (from push) when the stream is not JPEGs back to back.
 */
export class JpegSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** The JPEGs that `chunk` completes, in order; their bytes are views into the chunks pushed. */
  push(chunk: Buffer): Buffer[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let from = 0;
    for (let end = jpegEnd(buf, from); end > 0; end = jpegEnd(buf, from)) {
      out.push(buf.subarray(from, end));
      from = end;
    }
    this.pending = buf.subarray(from);
    return out;
  }
}

/** Bytes read from the file at a time while indexing it. */
const BLOCK = 4 << 20;

/**
 * Where each JPEG of a file of back-to-back JPEGs lies, in order (the file is read once, BLOCK bytes
 * at a time); a cut-off JPEG at the end is left out.
 * @throws Error when the file is not JPEGs back to back.
 */
export async function indexJpegs(file: FileHandle): Promise<JpegSpan[]> {
  const spans: JpegSpan[] = [];
  const split = new JpegSplitter();
  let offset = 0;
  for (let at = 0; ; ) {
    const block = Buffer.alloc(BLOCK);
    const { bytesRead } = await file.read(block, 0, BLOCK, at);
    if (bytesRead === 0) return spans;
    at += bytesRead;
    for (const jpeg of split.push(block.subarray(0, bytesRead))) {
      spans.push({ offset, length: jpeg.length });
      offset += jpeg.length;
    }
  }
}
