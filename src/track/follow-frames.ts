import { decodeVideo, type DecodeLayout } from '../media/decode.js';
import type { ChildSet, FfmpegTools } from '../media/ffmpeg.js';
import { frameByteLength, type Frame } from '../media/frame.js';

/**
 * Memory for the frames held for backward following, in bytes: 169 frames at 720p, 75 at 1080p, 18
 * at 4K in yuv420p (1.5 bytes a pixel), 1.5 times as many in gray. Each window of that many frames is decoded, then followed in
 * reverse, then freed before the next (earlier) one is decoded.
 */
const WINDOW_BYTES = 224 * 2 ** 20;

/** Frames per backward window for this frame size and layout: at least 8, so that tiny budgets still make progress. */
export function windowFrames(width: number, height: number, layout: DecodeLayout = 'yuv420p'): number {
  return Math.max(8, Math.floor(WINDOW_BYTES / frameByteLength(layout, width, height)));
}

/**
 * Decodes frames [start, end) of `input` again, given its start time (`MediaInfo.startTime`) and every
 * frame's time (seconds on the file's clock, as decodeVideo gives them) from an earlier pass: seeks to halfway between
 * frame start-1 and frame start, and numbers the frames by their times; `layout` as decodeVideo's. Each returned frame owns its
 * buffer. Throws when the seek did not bring back exactly those frames (a stream whose timestamps
 * decoding does not reproduce), rather than follow the box on the wrong frames.
 */
export async function decodeWindow(
  tools: FfmpegTools,
  input: string,
  children: ChildSet,
  startTime: number,
  times: readonly number[],
  start: number,
  end: number,
  layout: DecodeLayout,
): Promise<Frame[]> {
  const from = start > 0 ? (times[start - 1]! + times[start]!) / 2 : 0;
  const decoder = decodeVideo(tools, input, children, { startTime, range: { from, frames: end - start } }, layout);
  const out: Frame[] = [];
  for await (const f of decoder.frames) {
    const index = start + out.length;
    if (Math.abs(f.time - times[index]!) > 0.0015) {
      throw new Error(`seeking to frame ${index} gave a frame at ${f.time.toFixed(3)} s, not ${times[index]!.toFixed(3)} s`);
    }
    out.push({ ...f, index });
  }
  if (out.length !== end - start) throw new Error(`seeking to frames ${start}-${end - 1} gave ${out.length} frames`);
  return out;
}
