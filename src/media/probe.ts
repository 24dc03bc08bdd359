import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import type { FfmpegTools } from './ffmpeg.js';
import { RATE_SAMPLE_SECONDS, rateFromTimes } from './frame-rate.js';

const run = promisify(execFile);

export interface VideoInfo {
  /** Display size: already swapped for 90°/270° rotation, as ffmpeg's decoder delivers the frames upright. */
  width: number;
  height: number;
  rotation: number;
  /** Frames per second, measured from the frames' timestamps where they have any (see rateFromTimes), else as declared. */
  fps: number;
  /** True when the frames' timestamps do not follow one fixed rate. */
  variableRate: boolean;
  /** Seconds, or undefined when the container does not say. */
  duration: number | undefined;
  /** Frame count from the container, or an estimate from duration × fps. */
  frameCount: number | undefined;
  codec: string;
  /** Colour tags worth carrying to the output (ffmpeg option → value), so that players show the same colours. */
  colour: Record<string, string>;
}

export interface MediaInfo {
  formatName: string;
  /**
   * Seconds: the earliest start of any stream on the file's own timeline (ffprobe's format
   * start_time; 0 when unknown). Negative with audio priming, over 1 s in most MPEG-TS.
   */
  startTime: number;
  video: VideoInfo | undefined;
  audio: { index: number; codec: string }[];
  /**
   * The streams an output does not keep, by kind, e.g. ["2 subtitle tracks", "1 more video track"]:
   * subtitles, data and attachments can carry names, places and GPS tracks, and only the first
   * video track is anonymized. Empty when everything is kept.
   */
  dropped: string[];
}

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
  disposition?: { attached_pic?: number };
  codec_tag_string?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_space?: string;
}

/**
 * Larger frames are refused up front: a damaged header can claim any size, and a real frame past
 * this is beyond what the frame window can hold in memory. 8K (33 MP) and 360° video fit.
 */
const MAX_SIDE = 16384;
const MAX_PIXELS = 80e6;

/** Tags that are unset, or that ffmpeg's encoders refuse, are left for the encoder to default. */
function colourOf(s: RawStream): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (opt: string, v: string | undefined) => {
    if (v && !/^(unknown|reserved|unspecified)$/.test(v)) out[opt] = v;
  };
  set('-color_primaries', s.color_primaries);
  set('-color_trc', s.color_transfer);
  set('-colorspace', s.color_space);
  return out;
}

function checkDecodable(s: RawStream): void {
  if (!s.codec_name || s.codec_name === 'unknown' || s.codec_name === 'none') {
    const tag = s.codec_tag_string && !s.codec_tag_string.startsWith('[') ? ` '${s.codec_tag_string}'` : '';
    throw new UserError(`its video codec${tag} is not supported by this ffmpeg`);
  }
  const w = s.width ?? 0;
  const h = s.height ?? 0;
  if (w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS) {
    throw new UserError(`its frame size ${w}x${h} is larger than faceblur handles (${MAX_SIDE} per side, ${MAX_PIXELS / 1e6} MP)`);
  }
}

const ratio = (s: string | undefined): number => {
  if (!s) return 0;
  const [n, d] = s.split('/').map(Number);
  return d ? n! / d : (n ?? 0);
};

function rotationOf(s: RawStream): number {
  const fromSide = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const r = fromSide ?? Number(s.tags?.rotate ?? 0);
  return (((Math.round(r) % 360) + 360) % 360);
}

/** ffprobe's JSON for a file: format and streams, with the packets' timestamps of the first seconds when `packets`. */
async function ffprobeJson(tools: FfmpegTools, path: string, packets: boolean): Promise<string> {
  const sample = packets ? ['-read_intervals', `%+${RATE_SAMPLE_SECONDS}`, '-show_entries', 'packet=pts_time,stream_index'] : [];
  const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...sample, '-i', path], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * What faceblur needs to know of a media file, from one ffprobe run that also reads the first
 * RATE_SAMPLE_SECONDS of packet timestamps for the frame rate (one process instead of two: 0.12
 * against 0.19 CPU-s on a 10 s 720p clip; docs/speed.md). A file whose packets cannot be read that far is probed
 * again without them, and its declared rate is used, as when the packets carry no timestamps.
 * @throws UserError when ffprobe cannot read the file at all.
 */
export async function probe(tools: FfmpegTools, path: string): Promise<MediaInfo> {
  let stdout: string;
  try {
    stdout = await ffprobeJson(tools, path, true).catch(() => ffprobeJson(tools, path, false));
  } catch (err) {
    // ffprobe prefixes its messages with the path, which our error line already names.
    const said = String((err as { stderr?: string }).stderr ?? '')
      .split('\n')
      .map((l) => l.replace(`${path}: `, '').replace(/^\[[^\]]+\]\s*/, '').trim())
      .filter(Boolean);
    const why = [...new Set(said)].slice(-2).join('; ');
    throw new UserError(`not a readable media file (${why || (err as Error).message})`);
  }
  const json = JSON.parse(stdout) as {
    format?: { format_name?: string; duration?: string; start_time?: string };
    streams?: RawStream[];
    packets?: { stream_index?: number; pts_time?: string }[];
  };
  const streams = json.streams ?? [];
  // Cover art in audio files is a one-frame "video" stream; it is not a video to anonymize.
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.filter((s) => s.codec_type === 'audio').map((s) => ({ index: s.index, codec: s.codec_name ?? '?' }));
  let video: VideoInfo | undefined;
  if (v && v.width && v.height) {
    checkDecodable(v);
    const rotation = rotationOf(v);
    const swap = rotation === 90 || rotation === 270;
    const rFps = ratio(v.r_frame_rate);
    const avgFps = ratio(v.avg_frame_rate);
    const measured = rateFromTimes((json.packets ?? []).filter((p) => p.stream_index === v.index).map((p) => parseFloat(p.pts_time ?? '')));
    const fps = measured?.fps ?? (avgFps > 0 ? avgFps : rFps > 0 ? rFps : 25);
    const duration = Number(v.duration ?? json.format?.duration) || undefined;
    const nb = Number(v.nb_frames) || undefined;
    video = {
      width: swap ? v.height : v.width,
      height: swap ? v.width : v.height,
      rotation,
      fps,
      variableRate: measured?.variable ?? (rFps > 0 && avgFps > 0 && Math.abs(rFps - avgFps) / rFps > 0.001),
      duration,
      frameCount: nb ?? (duration ? Math.round(duration * fps) : undefined),
      codec: v.codec_name ?? '?',
      colour: colourOf(v),
    };
  }
  const count = (n: number, what: string) => (n > 0 ? [`${n} ${what} track${n === 1 ? '' : 's'}`] : []);
  const kinds = (type: string) => streams.filter((s) => s.codec_type === type).length;
  const otherVideo = streams.filter((s) => s.codec_type === 'video' && s !== v && !s.disposition?.attached_pic).length;
  // A cover picture can show a face: it is dropped like the rest, and said (a new-user trial's went without a word).
  const covers = streams.filter((s) => s.codec_type === 'video' && s.disposition?.attached_pic).length;
  const dropped = [
    ...count(kinds('subtitle'), 'subtitle'), ...count(kinds('data'), 'data'), ...count(kinds('attachment'), 'attachment'), ...count(otherVideo, 'more video'),
    ...(covers > 0 ? [`${covers} cover picture${covers === 1 ? '' : 's'}`] : []),
  ];
  return { formatName: json.format?.format_name ?? '?', startTime: Number(json.format?.start_time) || 0, video, audio, dropped };
}
