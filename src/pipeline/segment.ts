import { z } from 'zod';
import type { Frame } from '../media/frame.js';
import type { FfmpegTools } from '../media/ffmpeg.js';
import { packetTimes } from '../media/packets.js';
import type { DecodeRange } from '../media/decode.js';

/**
 * A segment of a video rendered on its own (`faceblur INPUT -o SEG.mkv --render-segment FIRST:COUNT:PTS`,
 * run by `faceblur worker` for the segments of a long video): frames FIRST .. FIRST+COUNT-1 of the
 * video, counted from 0 in presentation order over the whole file, FIRST's presentation time PTS
 * (seconds on the file's raw clock, as ffprobe prints it).
 */
export interface SegmentSpec {
  first: number;
  count: number;
  pts: number;
}

export const segmentSchema = z
  .string()
  .regex(/^\d+:\d+:-?\d+(\.\d+)?$/, 'expected FIRST:COUNT:PTS, for example 600:600:60.000')
  .transform((s): SegmentSpec => {
    const [first, count, pts] = s.split(':').map(Number) as [number, number, number];
    return { first, count, pts };
  })
  .refine((s) => s.count > 0, 'a segment has at least one frame');

/** `--render-segment`'s text for a spec (the inverse of segmentSchema). */
export const segmentArg = (s: SegmentSpec): string => `${s.first}:${s.count}:${s.pts.toFixed(6)}`;

/**
 * Frames are on a 1 ms clock (the pipe's time base), so two frames are at least 1 ms apart: half
 * of that tells "this frame" from "the next one" whatever the rounding of a printed time.
 */
const SAME_TIME = 0.0005;

/** How a segment is decoded: the range (on decodeVideo's clock) and the whole-file index of its first decoded frame. */
export interface SegmentPlan {
  range: DecodeRange;
  firstIndex: number;
  /** Whether a decoded (and re-indexed) frame is one of the segment's own, to be encoded. */
  owns(frame: Frame): boolean;
  /** Sets each frame's index to its place in the whole file, and checks the segment's first frame is where the spec says. @throws Error when it is not. */
  indexed(frames: AsyncIterable<Frame>): AsyncGenerator<Frame>;
}

/**
 * Plans a segment's decode: `preroll` frames before its first frame (the tracker's memory, so that
 * its regions equal a run from the file's start), its own frames, and `postroll` frames after it
 * (the look-ahead: the regions of a frame are settled once the frames up to `postroll` after it
 * were fed). The pre-roll's start is found from the packets' timestamps in a window before the
 * segment, widened until it holds `preroll` frames or reaches the file's start: demuxing a few
 * seconds, never the whole file. `startTime` is MediaInfo.startTime, `fps` the video's rate.
 * @throws Error when ffprobe cannot read the packets.
 */
export async function planSegment(tools: FfmpegTools, input: string, spec: SegmentSpec, preroll: number, postroll: number, startTime: number, fps: number): Promise<SegmentPlan> {
  let span = Math.max(2, (2 * preroll) / fps);
  let before: number[];
  for (;;) {
    const from = spec.pts - span;
    // The window ends a second past the segment's start: in decode order, B-frames shown before it may come after it.
    const packets = await packetTimes(tools, input, { from, to: spec.pts + 1 });
    before = packets.map((p) => p.pts).filter((t) => t < spec.pts - SAME_TIME);
    if (before.length >= preroll || from <= startTime) break;
    span *= 2;
  }
  const taken = Math.min(preroll, before.length, spec.first);
  const firstIndex = spec.first - taken;
  const startPts = taken > 0 ? before[before.length - taken]! : spec.pts;
  const end = spec.first + spec.count;
  const range = { from: startPts - startTime - SAME_TIME, frames: end + postroll - firstIndex };
  const expected = spec.pts - startTime;
  return {
    range,
    firstIndex,
    owns: (f) => f.index >= spec.first && f.index < end,
    async *indexed(frames) {
      let index = firstIndex;
      for await (const f of frames) {
        f.index = index++;
        if (f.index === spec.first && Math.abs(f.time - expected) > SAME_TIME) {
          throw new Error(`segment frame ${spec.first} is at ${f.time.toFixed(3)} s, expected ${expected.toFixed(3)} s`);
        }
        yield f;
      }
    },
  };
}
