import { extname } from 'node:path';

/**
 * What each output container accepts, so that audio is copied whenever it can be and re-encoded
 * only when the container cannot hold it.
 */
interface ContainerRule {
  videoCodec: string;
  /** Audio codecs that can be copied; undefined means any. An empty list means no audio at all. */
  audioCopy: string[] | undefined;
  audioEncoder: string;
  /** A QuickTime-family file (MP4, M4V, MOV): its index can go first, and its muxer takes movflags. */
  faststart: boolean;
}

const MP4_AUDIO = ['aac', 'mp3', 'alac', 'ac3', 'eac3', 'opus', 'flac'];

const RULES: Record<string, ContainerRule> = {
  '.mp4': { videoCodec: 'libx264', audioCopy: MP4_AUDIO, audioEncoder: 'aac', faststart: true },
  '.m4v': { videoCodec: 'libx264', audioCopy: MP4_AUDIO, audioEncoder: 'aac', faststart: true },
  '.mov': { videoCodec: 'libx264', audioCopy: [...MP4_AUDIO, 'pcm_s16le', 'pcm_s24le', 'mp2'], audioEncoder: 'aac', faststart: true },
  '.mkv': { videoCodec: 'libx264', audioCopy: undefined, audioEncoder: 'aac', faststart: false },
  '.webm': { videoCodec: 'libvpx-vp9', audioCopy: ['opus', 'vorbis'], audioEncoder: 'libopus', faststart: false },
  '.avi': { videoCodec: 'libx264', audioCopy: ['mp3', 'ac3', 'mp2', 'pcm_s16le', 'aac'], audioEncoder: 'aac', faststart: false },
  '.ts': { videoCodec: 'libx264', audioCopy: ['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'opus'], audioEncoder: 'aac', faststart: false },
  '.mts': { videoCodec: 'libx264', audioCopy: ['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'opus'], audioEncoder: 'aac', faststart: false },
  '.flv': { videoCodec: 'libx264', audioCopy: ['aac', 'mp3'], audioEncoder: 'aac', faststart: false },
  '.gif': { videoCodec: 'gif', audioCopy: [], audioEncoder: '', faststart: false },
  // MPEG program streams hold MPEG audio and AC-3, not AAC; Ogg holds Theora and Vorbis, Opus or FLAC,
  // not H.264 (a new-user trial's -o x.mpg and -o x.ogv failed after all the work).
  '.mpg': { videoCodec: 'libx264', audioCopy: ['mp2', 'mp3', 'ac3'], audioEncoder: 'mp2', faststart: false },
  '.mpeg': { videoCodec: 'libx264', audioCopy: ['mp2', 'mp3', 'ac3'], audioEncoder: 'mp2', faststart: false },
  '.ogv': { videoCodec: 'libtheora', audioCopy: ['vorbis', 'opus', 'flac'], audioEncoder: 'libvorbis', faststart: false },
};

export const VIDEO_EXTENSIONS = [...Object.keys(RULES), '.3gp', '.wmv', '.m2ts'];

export function containerFor(path: string): ContainerRule {
  const ext = extname(path).toLowerCase();
  // ffmpeg picks the muxer from the extension; an unlisted container gets H.264 and MP4's audio rules.
  return RULES[ext] ?? { videoCodec: 'libx264', audioCopy: MP4_AUDIO, audioEncoder: 'aac', faststart: false };
}

/** Per-stream audio codec arguments: copy where the container accepts the codec, else re-encode. */
export function audioCodecArgs(rule: ContainerRule, codecs: string[]): string[] {
  return codecs.flatMap((codec, i) =>
    rule.audioCopy === undefined || rule.audioCopy.includes(codec)
      ? [`-c:a:${i}`, 'copy']
      : [`-c:a:${i}`, rule.audioEncoder, `-b:a:${i}`, rule.audioEncoder === 'libopus' ? '128k' : '192k'],
  );
}

/**
 * Muxer arguments of a QuickTime-family output (.mp4, .m4v, .mov; none for the others), whose video
 * is encoded with (or copied from) `codec`:
 * - `+faststart`: the index first, so that the file plays while it downloads;
 * - with --keep-metadata, `+use_metadata_tags`: every tag under its own key. Without it the muxer
 *   keeps only the keys it knows, and a new-user trial's iPhone tags (com.apple.quicktime.make,
 *   model, creationdate, location.ISO6709) were lost;
 * - H.265 tagged `hvc1`: ffmpeg's default `hev1` does not play in QuickTime or on iOS (Apple's
 *   HLS authoring specification asks for hvc1).
 */
export function quickTimeArgs(output: string, codec: string, keepMetadata: boolean): string[] {
  if (!containerFor(output).faststart) return [];
  return [
    '-movflags', keepMetadata ? '+faststart+use_metadata_tags' : '+faststart',
    ...(/^(libx265|hevc(_\w+)?)$/.test(codec) ? ['-tag:v', 'hvc1'] : []),
  ];
}
