import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg, IMAGES } from '../helpers.js';

/**
 * Inputs and measurements for the timing tests (issue 13, defects 3 and 4), made at test time.
 * All times are in seconds on the file's own timeline, as ffprobe and players read it.
 */

/** A 2-second 160x120 clip, black but for one white frame at 1.0 s, with a 1 kHz beep starting at 1.0 s. */
export function flashBeep(dir: string, name: string, codecs: string[]): string {
  const out = join(dir, name);
  if (existsSync(out)) return out;
  ffmpeg([
    '-f', 'lavfi', '-i', "color=black:s=160x120:r=30:d=2,drawbox=c=white:t=fill:enable='eq(n\\,30)'",
    '-f', 'lavfi', '-i', "aevalsrc='if(between(t\\,1\\,1.1)\\,0.8*sin(2*PI*1000*t)\\,0)':s=48000:d=2",
    ...codecs, '-pix_fmt', 'yuv420p', '-shortest', out,
  ]);
  return out;
}

/** `source` with its video moved by `videoShift` seconds and its audio by `audioShift`, streams copied. */
export function shifted(dir: string, source: string, name: string, videoShift: number, audioShift = 0): string {
  const out = join(dir, name);
  ffmpeg(['-itsoffset', String(videoShift), '-i', source, '-itsoffset', String(audioShift), '-i', source, '-map', '0:v', '-map', '1:a', '-c', 'copy', out]);
  return out;
}

/** Each stream's start_time, by type ('video', 'audio'). */
export function startTimes(path: string): Record<string, number> {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,start_time', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  // MPEG-TS lists its streams once more under their program; the first mention is enough.
  const rows = out.trim().split('\n').map((l) => l.split(',')).filter(([type]) => type === 'video' || type === 'audio');
  return Object.fromEntries(rows.reverse().map(([type, t]) => [type!, Number(t)]));
}

/**
 * The time of the first frame brighter than mid-grey (the flash) and of the end of the first
 * silence (the beep's onset, to the sample), both on the file's timeline: ffmpeg's movie source
 * keeps the file's own timestamps, unlike a decode with the ffmpeg command, which shifts them to 0.
 */
export function onsets(path: string): { flash: number; beep: number } {
  const graph = `movie=${path}:s=dv+da[v][a];[v]signalstats[out0];[a]silencedetect=n=-30dB:d=0.03[out1]`;
  const out = execFileSync('ffprobe', [
    '-v', 'error', '-f', 'lavfi', '-i', graph,
    '-show_entries', 'frame=media_type,pts_time:frame_tags=lavfi.signalstats.YAVG,lavfi.silence_end', '-of', 'csv=p=0',
  ], { encoding: 'utf8' });
  const rows = out.trim().split('\n').map((l) => l.split(','));
  const flash = rows.find(([type, , yavg]) => type === 'video' && Number(yavg) > 128)?.[1];
  const beep = rows.find(([type, , end]) => type === 'audio' && end)?.[2];
  return { flash: Number(flash), beep: Number(beep) };
}

/**
 * A phone-like variable-rate clip: 84 frames of the panned group photo with gaps of 33, 67 and
 * 100 ms in turn, and AAC audio, as an MP4; then remuxed with `-c copy` to `name` (any container;
 * WebM needs VP9 and Opus, so it is re-encoded with each frame's timestamp kept).
 */
export function vfrClip(dir: string, name: string): string {
  const mp4 = join(dir, 'vfr-source.mp4');
  if (!existsSync(mp4)) ffmpeg([
    '-loop', '1', '-framerate', '30', '-i', join(IMAGES, 'human_group-1.jpg'),
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
    '-filter:v', "scale=352:-2,crop=320:240:'min(n,iw-320)':0,select='not(mod(n\\,6))+eq(mod(n\\,6)\\,1)+eq(mod(n\\,6)\\,3)'",
    '-fps_mode', 'vfr', '-frames:v', '84', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-t', '5.6', mp4,
  ]);
  if (name.endsWith('.mp4')) return mp4;
  const out = join(dir, name);
  ffmpeg(['-i', mp4, ...(name.endsWith('.webm') ? ['-fps_mode', 'passthrough', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-c:a', 'libopus'] : ['-c', 'copy']), out]);
  return out;
}
