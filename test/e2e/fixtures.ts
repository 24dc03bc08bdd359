import { join } from 'node:path';
import { ffmpeg, IMAGES } from '../helpers.js';

/**
 * Short clips made at test time from the real group photo (faces are never committed): a slow pan
 * across the photo so that every frame differs, at 640x480 and 10 fps, with a sine tone as audio.
 */
export function makeClip(dir: string, name = 'group.mp4', opts: { size?: string; seconds?: number; extra?: string[] } = {}): string {
  const out = join(dir, name);
  const size = opts.size ?? '640x480';
  const [w, h] = size.split('x').map(Number) as [number, number];
  ffmpeg([
    '-loop', '1', '-framerate', '10', '-i', join(IMAGES, 'human_group-1.jpg'),
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${opts.seconds ?? 1.5}`,
    // Scale so that the photo is a little wider than the clip, then pan 2 px per frame.
    '-filter:v', `scale=${Math.round(w * 1.1)}:-2,crop=${w}:${h}:'min(2*n,iw-${w})':'(ih-${h})/2'`,
    '-t', String(opts.seconds ?? 1.5), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
    ...(opts.extra ?? []),
    out,
  ]);
  return out;
}
