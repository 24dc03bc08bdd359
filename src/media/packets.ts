import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FfmpegTools } from './ffmpeg.js';

const run = promisify(execFile);

/** One video packet, as the demuxer gives it: one frame of the stream. */
export interface PacketTime {
  /** Presentation time, seconds on the file's raw clock (ffprobe's pts_time, before MediaInfo.startTime is taken off). */
  pts: number;
  /** A keyframe (ffprobe's K flag): decoding can start here. */
  key: boolean;
}

/**
 * The first video stream's packets in presentation order (= the decoded frames' order), read by
 * demuxing only, without decoding: the whole file, or the packets of the stretch
 * `[from, to]` (seconds on the raw clock; ffprobe starts at the keyframe before `from`, so
 * packets before it come too). Packets without a timestamp, or marked discard (an MP4 edit list
 * cutting them), are left out as the decoder leaves them out.
 * @throws Error with ffprobe's message when the file cannot be read.
 */
export async function packetTimes(tools: FfmpegTools, path: string, window?: { from: number; to: number }): Promise<PacketTime[]> {
  const { stdout } = await run(
    tools.ffprobe,
    [
      '-v', 'error', '-select_streams', 'v:0',
      ...(window ? ['-read_intervals', `${Math.max(0, window.from).toFixed(6)}%${window.to.toFixed(6)}`] : []),
      '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path,
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const packets: PacketTime[] = [];
  for (const line of stdout.split('\n')) {
    const [pts, flags = ''] = line.split(',');
    const t = parseFloat(pts ?? '');
    if (Number.isFinite(t) && !flags.includes('D')) packets.push({ pts: t, key: flags.includes('K') });
  }
  return packets.sort((a, b) => a.pts - b.pts);
}
