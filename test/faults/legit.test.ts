import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, ffprobe, frameTimes, psnr, rgbFrame, tempDir, type ProbeStream } from '../helpers.js';
import { expectInvariants, hashes, runGuarded, type GuardedResult } from './guard.js';
import { faceClip } from '../../fixtures/clips.js';

interface Report {
  files: { input: string; status: string; frameCount: number; frames: { regions: unknown[] }[] }[];
}

const x264 = (pixFmt = 'yuv420p') => ['-c:v', 'libx264', '-pix_fmt', pixFmt];
const videoOf = (path: string): ProbeStream => ffprobe(path).streams.find((s) => s.codec_type === 'video')!;
const streamsOf = (path: string, type: string) => ffprobe(path).streams.filter((s) => s.codec_type === type);

/**
 * Odd but legitimate media, all in one batch (one model load): each must come out complete, with
 * the right frame count, duration and orientation, and faces found where there are faces.
 */
describe('faults: odd but legitimate media', () => {
  let dir: string;
  let out: string;
  let r: GuardedResult;
  let report: Report;
  const facesIn = (name: string) => report.files.find((f) => f.input.endsWith(`/${name}`))!.frames.map((f) => f.regions.length);

  beforeAll(async () => {
    dir = tempDir('faceblur-legit-');
    out = join(dir, 'out');
    faceClip(dir, 'odd.mp4', { width: 641, height: 481, args: x264('yuv444p') });
    faceClip(dir, 'tiny.mp4', { width: 16, height: 16 });
    faceClip(dir, '8k.mp4', { width: 7680, height: 4320, seconds: 0.3, args: [...x264(), '-preset', 'ultrafast'] });
    const upright = faceClip(dir, 'upright.mp4', { width: 480, height: 320 });
    for (const deg of [90, 270]) ffmpeg(['-i', upright, '-c', 'copy', '-metadata:s:v:0', `rotate=${deg}`, join(dir, `rot${deg}.mp4`)]);
    // Variable frame rate: frames 3, 4 and 7 dropped, the others keep their original times.
    ffmpeg(['-i', upright, '-filter:v', "select='not(eq(n,3)+eq(n,4)+eq(n,7))'", '-an', '-vsync', 'vfr', ...x264(), join(dir, 'vfr.mp4')]);
    faceClip(dir, '10bit.mp4', { args: x264('yuv420p10le') });
    faceClip(dir, 'hdr.mp4', {
      args: ['-c:v', 'libx265', '-pix_fmt', 'yuv420p10le', '-x265-params', 'log-level=none',
        '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc'],
    });
    ffmpeg(['-i', upright, '-f', 'lavfi', '-i', 'sine=f=880:d=1', '-f', 'lavfi', '-i', 'sine=f=220:d=1',
      '-map', '0', '-map', '1', '-map', '2', '-c:v', 'copy', '-c:a', 'aac', join(dir, 'three-audio.mp4')]);
    writeFileSync(join(dir, 'names.srt'), '1\n00:00:00,000 --> 00:00:00,900\nJane Doe, 12 Main Street\n');
    // A subtitle track and a timecode data track beside the video.
    ffmpeg(['-i', upright, '-i', join(dir, 'names.srt'), '-map', '0', '-map', '1', '-c:v', 'copy', '-c:a', 'copy',
      '-c:s', 'mov_text', '-timecode', '00:00:00:00', join(dir, 'subs-data.mp4')]);
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10', '-t', '1', ...x264(), join(dir, 'no-faces.mp4')]);
    faceClip(dir, 'single.mp4', { seconds: 0.1, audio: false });
    const names = ['odd.mp4', 'tiny.mp4', '8k.mp4', 'rot90.mp4', 'rot270.mp4', 'vfr.mp4', '10bit.mp4', 'hdr.mp4',
      'three-audio.mp4', 'subs-data.mp4', 'no-faces.mp4', 'single.mp4'];
    const inputs = names.map((n) => join(dir, n));
    const before = hashes(inputs);
    r = await runGuarded([...inputs, '-o', `${out}/`, '--report', join(dir, 'report.json')], { timeoutMs: 100_000 });
    expectInvariants(r, { inputs: before, dirs: [dir] });
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  });

  it('processes every file', () => {
    expect(r.stderr).toMatch(/12 done, 0 failed/);
    expect(r.code).toBe(0);
  });

  it('keeps size, frame count and duration, odd and tiny and 8K alike', () => {
    for (const [name, w, h, frames] of [['odd.mp4', 641, 481, 10], ['tiny.mp4', 16, 16, 10], ['8k.mp4', 7680, 4320, 3], ['single.mp4', 320, 240, 1]] as const) {
      const v = videoOf(join(out, name));
      expect([v.width, v.height, Number(v.nb_read_frames)], name).toEqual([w, h, frames]);
      const a = Number(ffprobe(join(dir, name)).format.duration);
      expect(Math.abs(Number(ffprobe(join(out, name)).format.duration) - a), name).toBeLessThan(0.05);
    }
    expect(Math.max(...facesIn('odd.mp4'))).toBeGreaterThanOrEqual(5);
    expect(Math.max(...facesIn('8k.mp4'))).toBeGreaterThanOrEqual(5);
  });

  it('turns rotated phone video upright, with no rotation tag left to turn it again', () => {
    const reference = rgbFrame(join(dir, 'upright.mp4'), 480, 320, 2);
    for (const name of ['rot90.mp4', 'rot270.mp4']) {
      const v = videoOf(join(out, name));
      expect([v.width, v.height], name).toEqual([320, 480]);
      expect(v.side_data_list?.some((d) => d.rotation) ?? false, name).toBe(false);
      expect(v.tags?.rotate ?? '0', name).toBe('0');
      // The output, turned back by the same angle, must match the source but for the masked faces.
      const back = rgbFrameTurned(join(out, name), deg(name));
      expect(psnr(back, reference, 480, () => true), name).toBeGreaterThan(18);
      expect(Math.max(...facesIn(name)), name).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps every frame of variable-rate video at its own time', () => {
    const a = frameTimes(join(dir, 'vfr.mp4'));
    const b = frameTimes(join(out, 'vfr.mp4'));
    expect(b).toHaveLength(a.length);
    expect(a).toHaveLength(7);
    b.forEach((t, i) => expect(Math.abs(t - a[i]!)).toBeLessThan(0.01));
  });

  it('reads 10-bit and HDR video and keeps the HDR colour tags, so players show the right colours', () => {
    for (const name of ['10bit.mp4', 'hdr.mp4']) {
      expect(Number(videoOf(join(out, name)).nb_read_frames), name).toBe(10);
      expect(Math.max(...facesIn(name)), name).toBeGreaterThanOrEqual(3);
    }
    const hdr = videoOf(join(out, 'hdr.mp4')) as ProbeStream & Record<string, string>;
    expect([hdr.color_primaries, hdr.color_transfer, hdr.color_space]).toEqual(['bt2020', 'smpte2084', 'bt2020nc']);
  });

  it('keeps every audio track, and drops subtitles and data tracks, which can carry names and places', () => {
    expect(streamsOf(join(out, 'three-audio.mp4'), 'audio')).toHaveLength(3);
    const kinds = ffprobe(join(out, 'subs-data.mp4')).streams.map((s) => s.codec_type).sort();
    expect(kinds).toEqual(['audio', 'video']);
  });

  it('passes a video with no faces through unchanged but for re-encoding', () => {
    expect(facesIn('no-faces.mp4').every((n) => n === 0)).toBe(true);
    const a = rgbFrame(join(dir, 'no-faces.mp4'), 320, 240, 5);
    const b = rgbFrame(join(out, 'no-faces.mp4'), 320, 240, 5);
    expect(psnr(a, b, 320, () => true)).toBeGreaterThan(35);
  });
});

const deg = (name: string) => (name.includes('90') && !name.includes('270') ? 90 : 270);

/** Frame 2 of a clip, turned back by `degrees` (the inverse of the display rotation) as RGB24. */
function rgbFrameTurned(path: string, degrees: number): Uint8Array {
  const turned = join(tempDir(), 'turned.mkv');
  // transpose=1 turns clockwise, 2 counter-clockwise; a display matrix of +90 means counter-clockwise.
  ffmpeg(['-i', path, '-filter:v', `transpose=${degrees === 90 ? 1 : 2}`, '-c:v', 'ffv1', turned]);
  return rgbFrame(turned, 480, 320, 2);
}
