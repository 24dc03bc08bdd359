import type { MediaInfo } from './probe.js';

/**
 * The file extension for an upload whose name does not say its format (`IMG_0042` from a phone
 * export, `clip`, `photo.jpg_large`), from what ffprobe read in its bytes: its demuxer
 * (`format_name`, as `ffprobe -show_format` prints it) and, for still images read by the generic
 * image demuxer, the codec. The extension is what the CLI then reads the job's input and writes its
 * output by (src/media/container.ts).
 *
 * Photos keep their format; videos keep a container that holds their streams: MP4 for the
 * QuickTime family (the demuxer is the same, and the output re-encodes audio MP4 cannot carry),
 * Matroska for Matroska and WebM (Matroska carries every codec; WebM only VP8/VP9/AV1 + Opus/Vorbis).
 * @returns `.jpg`, `.mp4`, …, or undefined for a format faceblur does not take (audio, subtitles, text).
 */
export function extensionFromContent(info: MediaInfo): string | undefined {
  const format = info.formatName.split(',')[0]!;
  if (format === 'image2' || format.endsWith('_pipe')) return IMAGE_CODECS[info.video?.codec ?? ''];
  return CONTAINERS[format];
}

/** ffprobe demuxer name (the first of `format_name`) → extension. */
const CONTAINERS: Record<string, string> = {
  mov: '.mp4',
  matroska: '.mkv',
  avi: '.avi',
  mpegts: '.ts',
  flv: '.flv',
  asf: '.wmv',
  mpeg: '.mpg',
  ogg: '.ogv',
  gif: '.gif',
};

/** Codec of a still image (jpeg_pipe, png_pipe… or image2) → extension. */
const IMAGE_CODECS: Record<string, string> = {
  mjpeg: '.jpg',
  png: '.png',
  webp: '.webp',
  tiff: '.tif',
};
