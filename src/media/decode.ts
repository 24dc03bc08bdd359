import { ByteReader } from './byte-reader.js';
import { MS_TIME_BASE, passthroughArgs, runFfmpeg, seconds, type ChildSet, type FfmpegProcess, type FfmpegTools } from './ffmpeg.js';
import { FramePool } from './frame-pool.js';
import { frameByteLength, frameFromBuffer, type Frame, type PixelLayout } from './frame.js';
import { jpegFrameArgs } from './jpeg-frames.js';
import { readMkvFrames } from './mkv-read.js';

export interface Decoder {
  frames: AsyncGenerator<Frame>;
  process: FfmpegProcess;
  /** Hands a frame's buffer back for reuse once nothing reads or writes it any more. */
  release(frame: Frame): void;
}

/**
 * A stretch of a file to decode: frames keep their times on the file's clock (below), the same for
 * every range of one file, so that frames decoded by separate runs can be matched by time;
 * `Frame.index` counts from the range's first frame.
 */
export interface DecodeRange {
  /** Accurate seek: the first frame is the first one whose time is at or after this, in seconds. */
  from: number;
  /** Stop after this many frames (all to the end when absent). */
  frames?: number;
}

/**
 * A file, read on its own timeline shifted by its start time (`MediaInfo.startTime`, seconds), whole
 * or over a `range`; or a live source (camera, stream) with its own input arguments.
 */
export type DecodeSource = { startTime: number; range?: DecodeRange | undefined } | { liveArgs: string[] };

/** What decodeVideo gives: full yuv420p frames, or their luma plane alone. */
export type DecodeLayout = Extract<PixelLayout, 'yuv420p' | 'gray'>;

/**
 * ffmpeg's output options for each layout. Gray frames are the luma plane of the yuv420p ones,
 * byte for byte: the input is brought to yuv420p as always (a no-op for yuv420p sources), then
 * extractplanes copies its Y plane out, cheaper than a swscale conversion to gray.
 */
const LAYOUT_ARGS: Record<DecodeLayout, string[]> = {
  yuv420p: ['-pix_fmt', 'yuv420p'],
  gray: ['-vf', 'format=yuv420p,extractplanes=y'],
};

/**
 * Decodes the first video stream to yuv420p frames, or to their luma plane alone with `layout`
 * 'gray'. ffmpeg applies the display-matrix rotation (autorotate is on by default), so frames arrive
 * upright; passthrough timing keeps every decoded frame exactly once, with its own timestamp,
 * whatever the frame rate does.
 *
 * A file's frame times are its raw timestamps minus its start time, so that the earliest of ALL its
 * streams is at 0 and a video that starts after its audio keeps its delay (the encoder undoes the
 * same shift). `-copyts` with an explicit offset is needed for that: left to itself, ffmpeg moves an
 * MPEG-TS input to start at its first *used* stream, which here is the video alone.
 *
 * With `jpegs` (a file path), the same decode also writes every frame as a JPEG into that file
 * (jpegFrameArgs: the review's seek proxy), so that its frame N is the Nth frame given here.
 */
export function decodeVideo(
  tools: FfmpegTools,
  input: string,
  children: ChildSet,
  source: DecodeSource,
  layout: DecodeLayout = 'yuv420p',
  jpegs?: string,
): Decoder {
  const live = 'liveArgs' in source;
  const range = live ? undefined : source.range;
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    ...(live ? source.liveArgs : ['-copyts']),
    // Before -i, -ss seeks to the keyframe ahead of `from` (relative to the file's start) and decodes forward, dropping frames before it.
    ...(range ? ['-ss', range.from.toFixed(6)] : []),
    '-i', input,
    ...(range?.frames !== undefined ? ['-frames:v', String(range.frames)] : []),
    ...(range ? ['-copyts', '-start_at_zero', ...(range.frames !== undefined ? ['-frames:v', String(range.frames)] : [])] : []),
    '-map', '0:v:0', '-an', '-sn', '-dn',
    ...passthroughArgs(tools),
    ...MS_TIME_BASE,
    ...LAYOUT_ARGS[layout],
    '-c:v', 'rawvideo',
    // Live frames are flushed one by one: the muxer's buffer would otherwise hold back a frame's tail.
    ...(live ? ['-flush_packets', '1'] : ['-output_ts_offset', seconds(-source.startTime)]),
    '-f', 'matroska',
    'pipe:1',
    ...(jpegs ? [...jpegFrameArgs(tools), '-y', jpegs] : []),
  ];
  // A live capture is ended by faceblur on Ctrl+C, not by the terminal's signal racing it (see runCam).
  const proc = runFfmpeg(tools.ffmpeg, args, { stdin: false, stdout: true, ownGroup: live }, children, 'decoding');
  const pool = new FramePool();
  return { frames: frames(proc, pool, layout), process: proc, release: (f) => f.packed && pool.give(f.packed) };
}

/**
 * What to tell the user when the decoder complained about a file it still read to the end: bit rot
 * or a damaged copy, whose broken frames ffmpeg conceals (garbled) or drops, exiting 0. Undefined
 * when it said nothing. `declared` is the frame count the input's index gives, when it gives one;
 * `what` names what the missing frames are missing from.
 * A trial's bit-rotted MP4 lost a frame with no word.
 */
export function damageNotice(decoder: Decoder, decoded: number, declared: number | undefined, what: 'output' | 'project'): string | undefined {
  const { count, first } = decoder.process.complaints();
  if (count === 0) return undefined;
  const n = declared === undefined ? 0 : declared - decoded;
  const lost = n > 0 ? `; ${n} of its ${declared} frames could not be decoded and ${n === 1 ? 'is' : 'are'} missing from the ${what}` : '';
  return `the input is damaged: the decoder reported ${count} error${count === 1 ? '' : 's'} (the first: ${first})${lost}; frames there may be garbled, so check the output`;
}

async function* frames(proc: FfmpegProcess, pool: FramePool, layout: DecodeLayout): AsyncGenerator<Frame> {
  const reader = new ByteReader(proc.stdout!);
  let width = 0;
  let height = 0;
  let expected = 0;
  let index = 0;
  try {
    for await (const item of readMkvFrames(reader, (n) => pool.take(n))) {
      if (!('data' in item)) {
        if (item.codecId !== 'V_UNCOMPRESSED') throw new Error(`the decoder wrote ${item.codecId}, not raw video`);
        ({ width, height } = item);
        expected = frameByteLength(layout, width, height);
        continue;
      }
      if (item.data.length !== expected) {
        throw new Error(`the decoder wrote a ${item.data.length}-byte frame, expected ${expected} for ${width}x${height}`);
      }
      yield frameFromBuffer(item.data, layout, width, height, index++, item.time);
    }
    // A clean end of stream still needs ffmpeg's verdict: a truncated input ends the stream early and exits non-zero.
    await proc.exited;
  } finally {
    proc.kill();
    await reader.close();
  }
}
