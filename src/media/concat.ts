import { writeFile } from 'node:fs/promises';
import { audioCodecArgs, containerFor, quickTimeArgs } from './container.js';
import { metadataArgs } from './encode.js';
import { ChildSet, runFfmpeg, seconds, type FfmpegTools } from './ffmpeg.js';

/** One encoded segment: an .mkv whose frames keep their times on decodeVideo's clock (src/pipeline/segment.ts). */
export interface EncodedSegment {
  path: string;
  /** Its first frame's time, seconds on decodeVideo's clock (raw PTS − MediaInfo.startTime). */
  time: number;
}

export interface JoinTarget {
  /** Written as is: the caller gives a temp name and renames it. */
  output: string;
  /** The original, for its audio streams and (with keepMetadata) its metadata. */
  source: string;
  /** MediaInfo.startTime of the source, seconds. */
  startTime: number;
  /** The source's audio codecs, in stream order; empty for none (or --no-audio). */
  audioCodecs: string[];
  keepMetadata: boolean;
  /** The segments' video codec (--codec); undefined for the container's default. */
  codec: string | undefined;
}

/** Quoting for a concat list line (ffmpeg's concat demuxer: single quotes, a quote as '\''). */
const quoted = (path: string): string => `'${path.replace(/'/g, "'\\''")}'`;

/**
 * Joins the segments, in order, into `target.output` without re-encoding (ffmpeg's concat demuxer
 * and stream copy), and muxes the source's audio once, so that no audio seam exists.
 *
 * Timing: the concat demuxer shifts each file so that it starts where the previous one's
 * `duration` ends, counted from 0. Each segment's duration is set to the gap between its first
 * frame and the next segment's, so every frame lands at its own time minus the first segment's;
 * adding that time and the source's start time back (as encoderArgs does for a single-process
 * run) gives every frame the timestamp it has in a single-process output, CFR or VFR.
 * @throws FfmpegError with ffmpeg's message.
 */
export async function joinSegments(tools: FfmpegTools, segments: readonly EncodedSegment[], listPath: string, t: JoinTarget): Promise<void> {
  const lines = ['ffconcat version 1.0'];
  segments.forEach((s, i) => {
    lines.push(`file ${quoted(s.path)}`);
    const next = segments[i + 1];
    if (next) lines.push(`duration ${seconds(next.time - s.time)}`);
  });
  await writeFile(listPath, `${lines.join('\n')}\n`);
  const rule = containerFor(t.output);
  const audio = rule.audioCopy?.length === 0 ? [] : t.audioCodecs;
  const needSource = audio.length > 0 || t.keepMetadata;
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-copyts',
    '-itsoffset', seconds(t.startTime + segments[0]!.time), '-f', 'concat', '-safe', '0', '-i', listPath,
    ...(needSource ? ['-i', t.source] : []),
    '-map', '0:v:0',
    ...(audio.length > 0 ? ['-map', '1:a'] : []),
    '-c:v', 'copy',
    '-output_ts_offset', seconds(-t.startTime),
    ...audioCodecArgs(rule, audio),
    ...metadataArgs({ keepMetadata: t.keepMetadata }, audio.length),
    ...quickTimeArgs(t.output, t.codec ?? rule.videoCodec, t.keepMetadata),
    t.output,
  ];
  await runFfmpeg(tools.ffmpeg, args, { stdin: false, stdout: false }, new ChildSet(), 'joining').exited;
}
