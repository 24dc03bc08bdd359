import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg, IMAGES } from '../helpers.js';

const PHOTO = join(IMAGES, 'human_group-1.jpg');

/**
 * A clip of the real group photo, panned so that frames differ, at the given size, rate and length,
 * with a tone as audio unless `audio` is false. Extra arguments go before the output path.
 */
export function faceClip(
  dir: string,
  name: string,
  o: { width?: number; height?: number; fps?: number; seconds?: number; audio?: boolean; args?: string[] } = {},
): string {
  const w = o.width ?? 320;
  const h = o.height ?? 240;
  const seconds = o.seconds ?? 1;
  const out = join(dir, name);
  ffmpeg([
    '-loop', '1', '-framerate', String(o.fps ?? 10), '-i', PHOTO,
    ...(o.audio === false ? [] : ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`]),
    '-filter:v', `scale=${Math.ceil(w * 1.1)}:${Math.ceil(h * 1.1)}:force_original_aspect_ratio=increase,crop=${w}:${h}:'mod(2*n,iw-${w})':0`,
    '-t', String(seconds),
    ...(o.audio === false ? ['-an'] : ['-c:a', 'aac', '-shortest']),
    ...(o.args ?? ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']),
    out,
  ]);
  return out;
}

/** Writes `bytes` under `name` and returns the path. */
export function writeBytes(dir: string, name: string, bytes: Uint8Array | string): string {
  const out = join(dir, name);
  writeFileSync(out, bytes);
  return out;
}

/** The first `share` of a file's bytes. */
export function truncated(dir: string, source: string, name: string, share: number): string {
  const bytes = readFileSync(source);
  return writeBytes(dir, name, bytes.subarray(0, Math.floor(bytes.length * share)));
}

/** An MP4 with its index (moov box) cut away, as a recording interrupted before it was finalised leaves it. */
export function withoutMoov(dir: string, source: string, name: string): string {
  const bytes = readFileSync(source);
  const at = bytes.indexOf('moov', 0, 'latin1');
  if (at < 4) throw new Error('no moov box in the source');
  // The box's 4-byte size precedes its type; the source was written without +faststart, so moov is last.
  return writeBytes(dir, name, bytes.subarray(0, at - 4));
}

/** An MP4 whose H.264 sample entry is renamed to a codec no ffmpeg knows. */
export function unknownCodec(dir: string, source: string, name: string): string {
  const bytes = Buffer.from(readFileSync(source));
  const at = bytes.indexOf('avc1', bytes.indexOf('stsd', 0, 'latin1'), 'latin1');
  if (at < 0) throw new Error('no avc1 sample entry in the source');
  bytes.write('zzzz', at, 'latin1');
  return writeBytes(dir, name, bytes);
}

/** Seeded PRNG (mulberry32), so that a fuzz failure can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random mutation of a file: flipped bytes, a zeroed or repeated range, a cut, or a spliced-in header. */
export function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const at = () => Math.floor(rand() * out.length);
  switch (Math.floor(rand() * 5)) {
    case 0:
      for (let i = 0, n = 1 + Math.floor(rand() * 32); i < n; i++) out[at()] = Math.floor(rand() * 256);
      return out;
    case 1: {
      const start = at();
      out.fill(0, start, Math.min(out.length, start + 1 + Math.floor(rand() * 4096)));
      return out;
    }
    case 2: {
      const start = at();
      const chunk = out.subarray(start, Math.min(out.length, start + 1 + Math.floor(rand() * 2048)));
      return Uint8Array.from([...out.subarray(0, start), ...chunk, ...out.subarray(start)]);
    }
    case 3:
      return out.subarray(0, Math.max(1, at()));
    default: {
      // Header fields (sizes, dimensions, counts) live in the first bytes; hit them harder.
      const n = Math.min(out.length, 512);
      for (let i = 0; i < 8; i++) out[Math.floor(rand() * n)] = Math.floor(rand() * 256);
      return out;
    }
  }
}
