import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { audioCodecArgs, containerFor, quickTimeArgs } from './container.js';
import { MS_TIME_BASE, passthroughArgs, runFfmpeg, seconds, type ChildSet, type FfmpegProcess, type FfmpegTools } from './ffmpeg.js';
import { freeBytes } from '../io/free-space.js';
import { truncationOf } from './integrity.js';
import { frameByteLength } from './frame.js';
import { mkvFramePrefix, mkvHeader } from './mkv-write.js';

export interface EncodeSettings {
  /** Video codec; undefined picks the container's default (H.264, VP9 for WebM, GIF for GIF). */
  codec: string | undefined;
  crf: number;
  preset: string;
  /** Extra output arguments, passed through before the output path. */
  ffmpegArgs: string[];
  audio: boolean;
  keepMetadata: boolean;
  /** Encoder threads; undefined lets ffmpeg decide (1.5 per core for x264). Set when files run in parallel. */
  threads?: number | undefined;
}

export interface EncodeTarget {
  output: string;
  width: number;
  height: number;
  /** The source's start time (MediaInfo.startTime, seconds), by which the frames' times are shifted; 0 for live sources. */
  startTime: number;
  /** Seconds each frame lasts where nothing says otherwise (1 / fps): how long the last frame is shown. */
  frameDuration: number;
  /** The original file, for its audio streams and (on request) its metadata. */
  source: string;
  audioCodecs: string[];
  /** The source's colour tags (primaries, transfer, matrix): the pixels keep their values, so they keep their meaning. */
  colour: Record<string, string>;
}

export interface Encoder {
  /**
   * Resolves when the pipe can take more; rejects at once if ffmpeg has died. `written` runs once the
   * frame's bytes have left the buffer, which may then be reused.
   */
  write(frame: Uint8Array, time: number, written?: () => void): Promise<void>;
  /** Closes the input and waits for ffmpeg to finish the file. */
  finish(): Promise<void>;
  process: FfmpegProcess;
}

function videoArgs(s: EncodeSettings, t: EncodeTarget): string[] {
  const codec = s.codec ?? containerFor(t.output).videoCodec;
  if (codec === 'gif') {
    // One palette per frame: a global palette would need the whole clip in memory first.
    return ['-filter:v', 'split[a][b];[a]palettegen=stats_mode=single[p];[b][p]paletteuse=new=1', '-c:v', 'gif'];
  }
  // 4:2:0 needs even dimensions in H.264 and VP9; odd sizes keep their exact size as 4:4:4 instead of being cropped.
  const pixFmt = t.width % 2 === 0 && t.height % 2 === 0 ? 'yuv420p' : 'yuv444p';
  const args = ['-c:v', codec, '-pix_fmt', pixFmt];
  args.push(...Object.entries(t.colour).flat());
  if (/^lib(x264|x265)$/.test(codec)) args.push('-crf', String(s.crf), '-preset', s.preset);
  // VP9 needs -b:v 0 for -crf to mean constant quality.
  else if (codec === 'libvpx-vp9') args.push('-crf', String(s.crf), '-b:v', '0', '-row-mt', '1');
  // Theora has no CRF; its quality scale runs 0–10, and its default bit rate (200 kb/s) smears a picture.
  else if (codec === 'libtheora') args.push('-q:v', '8');
  return args;
}

/**
 * `-map_metadata` and friends for an output whose input 1 is the source file and whose `audio`
 * streams are that file's, in order. With --keep-metadata each audio stream keeps its own tags
 * (language, title: "eng" and "fra" were lost; `-map_metadata:s:a 1:s:a` would give every stream
 * the first one's).
 */
export function metadataArgs(s: Pick<EncodeSettings, 'keepMetadata'>, audio: number): string[] {
  if (s.keepMetadata) {
    const perAudio = Array.from({ length: audio }, (_, i) => [`-map_metadata:s:a:${i}`, `1:s:a:${i}`]).flat();
    // Frames are already upright, so a copied rotation tag would turn them a second time.
    return ['-map_metadata', '1', '-map_metadata:s:v:0', '1:s:v:0', ...perAudio, '-metadata:s:v:0', 'rotate=0'];
  }
  // Global, per-stream and chapter metadata: GPS location, device make and model, creation time, names.
  return ['-map_metadata', '-1', '-map_metadata:s:a', '-1', '-map_chapters', '-1'];
}

/**
 * Timing: every input keeps its raw timestamps (-copyts); the frames, which come shifted back by the
 * source's start time (see decodeVideo), get it again, and the output is shifted by it once for all
 * streams, as a plain ffmpeg remux would do. So each stream keeps its start and its offset to the
 * others, in every container: ffmpeg's own shift moves each input to its first frame, and an MPEG-TS
 * to its first used stream, which loses a video's delay after its audio. Every frame keeps its own
 * timestamp (passthrough) in the pipe's millisecond time base: a fixed output rate would move, drop
 * or repeat frames wherever the real timestamps differ from the rate the container declares.
 */
export function encoderArgs(tools: FfmpegTools, s: EncodeSettings, t: EncodeTarget): string[] {
  const rule = containerFor(t.output);
  const audio = s.audio && rule.audioCopy?.length !== 0 ? t.audioCodecs : [];
  const needSource = audio.length > 0 || s.keepMetadata;
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-copyts',
    '-itsoffset', seconds(t.startTime), '-f', 'matroska', '-i', 'pipe:0',
    ...(needSource ? ['-i', t.source] : []),
    '-map', '0:v:0',
    ...(audio.length > 0 ? ['-map', '1:a'] : []),
    ...videoArgs(s, t),
    ...passthroughArgs(tools),
    ...MS_TIME_BASE,
    '-output_ts_offset', seconds(-t.startTime),
    ...audioCodecArgs(rule, audio),
    ...metadataArgs(s, audio.length),
    ...quickTimeArgs(t.output, s.codec ?? rule.videoCodec, s.keepMetadata),
    ...(s.threads ? ['-threads', String(s.threads)] : []),
    ...s.ffmpegArgs,
    t.output,
  ];
}

function writeChunk(stream: Writable, chunk: Uint8Array, died: Promise<never>, written?: () => void): Promise<void> {
  if (stream.write(chunk, written && (() => written()))) return Promise.resolve();
  return Promise.race([new Promise<void>((resolve) => stream.once('drain', resolve)), died]);
}

/** Whether the file system holding `path` has less than 1 MiB left for us. */
async function diskFull(path: string): Promise<boolean> {
  const free = await freeBytes(dirname(path));
  return free !== undefined && free < 2 ** 20;
}

/** `ownGroup`: a live recording must outlive the Ctrl+C that ends it, long enough to be finalized. */
export function startEncoder(tools: FfmpegTools, s: EncodeSettings, t: EncodeTarget, children: ChildSet, ownGroup = false): Encoder {
  const proc = runFfmpeg(tools.ffmpeg, encoderArgs(tools, s, t), { stdin: true, stdout: false, ownGroup }, children, 'encoding');
  const stdin = proc.stdin!;
  const frameBytes = frameByteLength('yuv420p', t.width, t.height);
  // Settles only by rejecting: when ffmpeg exits while we still write, the write loop stops at once.
  const died = proc.exited.then(() => {
    throw new Error('encoding failed: ffmpeg exited before all frames were written');
  });
  died.catch(() => undefined);
  let started = false;
  return {
    process: proc,
    async write(frame, time, written) {
      if (frame.length !== frameBytes) throw new Error(`frame of ${frame.length} bytes, expected ${frameBytes}`);
      if (!started) {
        started = true;
        await writeChunk(stdin, mkvHeader(t.width, t.height, t.frameDuration), died);
      }
      await writeChunk(stdin, mkvFramePrefix(time * 1000, frameBytes), died);
      await writeChunk(stdin, frame, died, written);
    },
    async finish() {
      if (!started) throw new Error('no video frames were decoded');
      stdin.end();
      await proc.exited;
      // ffmpeg 5.1 exits 0 when the disk fills while +faststart moves the index to the front, leaving
      // a cut-short MP4 behind: a whole file is checked before anyone renames it into place.
      const cut = await truncationOf(t.output);
      if (cut) throw new Error(`encoding failed: ${(await diskFull(t.output)) ? 'No space left on device: ' : ''}${cut}`);
    },
  };
}
