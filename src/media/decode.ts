import { ByteReader } from './byte-reader.js';
import { fpsModeArgs, runFfmpeg, type ChildSet, type FfmpegProcess, type FfmpegTools } from './ffmpeg.js';
import { FramePool } from './frame-pool.js';
import { frameByteLength, frameFromBuffer, type Frame } from './frame.js';
import { readMkvFrames } from './mkv-read.js';

export interface Decoder {
  frames: AsyncGenerator<Frame>;
  process: FfmpegProcess;
  /** Hands a frame's buffer back for reuse once nothing reads or writes it any more. */
  release(frame: Frame): void;
}

/**
 * A stretch of the stream to decode. Frame times are then on the stream's own clock (PTS minus the
 * file's start time, in seconds), the same clock for every range of one file, so that frames decoded
 * by separate runs can be matched by time; `Frame.index` counts from the range's first frame.
 */
export interface DecodeRange {
  /** Accurate seek: the first frame is the first one whose time is at or after this, in seconds. */
  from: number;
  /** Stop after this many frames (all to the end when absent). */
  frames?: number;
}

/**
 * Decodes the first video stream to yuv420p frames. ffmpeg applies the display-matrix rotation
 * (autorotate is on by default), so frames arrive upright; passthrough timing keeps every decoded
 * frame exactly once, with its own timestamp, whatever the frame rate does. `live` sources (cameras,
 * streams) give their own input arguments.
 */
export function decodeVideo(
  tools: FfmpegTools,
  input: string,
  children: ChildSet,
  live: { inputArgs: string[] } | undefined = undefined,
  range: DecodeRange | undefined = undefined,
): Decoder {
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    ...(live?.inputArgs ?? []),
    // Before -i, -ss seeks to the keyframe ahead of `from` and decodes forward, dropping frames before it.
    ...(range ? ['-ss', range.from.toFixed(6)] : []),
    '-i', input,
    ...(range ? ['-copyts', '-start_at_zero', ...(range.frames !== undefined ? ['-frames:v', String(range.frames)] : [])] : []),
    '-map', '0:v:0', '-an', '-sn', '-dn',
    ...fpsModeArgs(tools, 'passthrough'),
    '-pix_fmt', 'yuv420p',
    '-c:v', 'rawvideo',
    // Live frames are flushed one by one: the muxer's buffer would otherwise hold back a frame's tail.
    ...(live ? ['-flush_packets', '1'] : []),
    '-f', 'matroska',
    'pipe:1',
  ];
  // A live capture is ended by faceblur on Ctrl+C, not by the terminal's signal racing it (see runCam).
  const proc = runFfmpeg(tools.ffmpeg, args, { stdin: false, stdout: true, ownGroup: live !== undefined }, children, 'decoding');
  const pool = new FramePool();
  return { frames: frames(proc, pool, range === undefined), process: proc, release: (f) => f.packed && pool.give(f.packed) };
}

async function* frames(proc: FfmpegProcess, pool: FramePool, relativeTimes: boolean): AsyncGenerator<Frame> {
  const reader = new ByteReader(proc.stdout!);
  let width = 0;
  let height = 0;
  let expected = 0;
  let index = 0;
  let firstTime: number | undefined;
  try {
    for await (const item of readMkvFrames(reader, (n) => pool.take(n))) {
      if (!('data' in item)) {
        if (item.codecId !== 'V_UNCOMPRESSED') throw new Error(`the decoder wrote ${item.codecId}, not raw video`);
        ({ width, height } = item);
        expected = frameByteLength('yuv420p', width, height);
        continue;
      }
      if (item.data.length !== expected) {
        throw new Error(`the decoder wrote a ${item.data.length}-byte frame, expected ${expected} for ${width}x${height}`);
      }
      firstTime ??= relativeTimes ? item.time : 0;
      yield frameFromBuffer(item.data, 'yuv420p', width, height, index++, item.time - firstTime);
    }
    // A clean end of stream still needs ffmpeg's verdict: a truncated input ends the stream early and exits non-zero.
    await proc.exited;
  } finally {
    proc.kill();
    await reader.close();
  }
}
