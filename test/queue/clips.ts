import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg, SHARED } from '../helpers.js';

/** The real street clip the queue's test clips are cut from: 768x432, 10 fps, a keyframe a second, people walking past one by one. */
export const STREET = join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4');
export const STREET_SIZE = { width: 768, height: 432 };

/**
 * 12 s of the street clip from 6 s (someone's face in view throughout) made variable-rate (3 of every 5 frames kept: gaps of 100, 200 and 100
 * ms), with a keyframe every 8 frames (1.3 s) and a 440 Hz AAC track: 72 frames, which a worker
 * with `--segment 4` splits at the keyframes at 4.0 and 8.0 s into three segments.
 */
export function longVfrClip(dir: string): string {
  const out = join(dir, 'street-vfr.mp4');
  if (!existsSync(out)) ffmpeg([
    '-ss', '6', '-t', '12', '-i', STREET, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=12',
    '-filter:v', "select='not(mod(n\\,5))+eq(mod(n\\,5)\\,1)+eq(mod(n\\,5)\\,3)'", '-fps_mode', 'vfr',
    '-c:v', 'libx264', '-g', '8', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', out,
  ]);
  return out;
}

/** 3 s of the street clip from 28 s (two or three faces), constant 10 fps, stream copied (starts on a keyframe): shorter than one segment. */
export function shortClip(dir: string): string {
  const out = join(dir, 'street-short.mp4');
  if (!existsSync(out)) ffmpeg(['-ss', '28', '-t', '3', '-i', STREET, '-c', 'copy', out]);
  return out;
}

/**
 * The first `seconds` of the street clip (139 s, 10 fps, 768x432), looped when longer, stream
 * copied: a video long enough to keep a worker busy while other jobs queue, on a fast machine too.
 */
export function streetClip(dir: string, seconds: number): string {
  const out = join(dir, `street-${seconds}s.mp4`);
  if (!existsSync(out)) ffmpeg(['-stream_loop', '-1', '-i', STREET, '-t', String(seconds), '-c', 'copy', out]);
  return out;
}
