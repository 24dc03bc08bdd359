import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, ffprobe, frameTimes, psnr, rgbFrame, runCli, sha256, tempDir } from '../helpers.js';
import { makeClip } from '../../fixtures/clips.js';

interface Report {
  files: { input: string; output: string; width: number; height: number; status: string; frameCount: number; frames: { index: number; regions: { x1: number; y1: number; x2: number; y2: number; score: number }[] }[] }[];
}

const video = (p: ReturnType<typeof ffprobe>) => p.streams.find((s) => s.codec_type === 'video')!;

describe('faceblur on a video', () => {
  let dir: string;
  let input: string;
  let inputSha: string;
  let report: Report;
  beforeAll(async () => {
    dir = tempDir();
    input = makeClip(dir);
    inputSha = sha256(input);
    const r = await runCli([input, '--report', join(dir, 'report.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join(dir, 'group_anonymized.mp4'));
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    // Piped stderr gets no progress bar, only the summary: the file's faces, where to look, the totals.
    const lines = r.stderr.trimEnd().split('\n');
    const perFile = new RegExp(`^  ${input}: (\\d+) face tracks anonymized in (\\d+) of \\2 frames; (no frame relies|\\d+ frames? rel(y|ies)) on held or predicted masks$`).exec(lines[0]!);
    expect(perFile, lines[0]).not.toBeNull();
    // A still scene: every face found is at least one track.
    const mostAtOnce = Math.max(...report.files[0]!.frames.map((f) => f.regions.length));
    expect(Number(perFile![1])).toBeGreaterThanOrEqual(mostAtOnce);
    expect(lines.at(-1)).toMatch(new RegExp(`^faceblur: 1 done, 0 failed \\([\\d.]+ s\\): ${perFile![1]} faces anonymized`));
  });

  it('writes <name>_anonymized.mp4 with the same size, frame count, duration and audio', () => {
    const a = ffprobe(input);
    const b = ffprobe(join(dir, 'group_anonymized.mp4'));
    expect(video(b).width).toBe(640);
    expect(video(b).height).toBe(480);
    expect(video(b).codec_name).toBe('h264');
    expect(video(b).pix_fmt).toBe('yuv420p');
    expect(video(b).nb_read_frames).toBe(video(a).nb_read_frames);
    expect(Math.abs(Number(b.format.duration) - Number(a.format.duration))).toBeLessThanOrEqual(0.1);
    const audio = b.streams.filter((s) => s.codec_type === 'audio');
    expect(audio).toHaveLength(1);
    expect(audio[0]!.codec_name).toBe('aac');
  });

  it('changes the faces strongly and leaves the background near-identical', () => {
    const out = join(dir, 'group_anonymized.mp4');
    const f = report.files[0]!;
    expect(f.status).toBe('ok');
    expect(f.frameCount).toBe(15);
    for (const index of [0, 7, 14]) {
      const regions = f.frames[index]!.regions;
      expect(regions.length).toBeGreaterThanOrEqual(12);
      const a = rgbFrame(input, 640, 480, index);
      const b = rgbFrame(out, 640, 480, index);
      const inAny = (x: number, y: number) => regions.some((r) => x >= r.x1 - 2 && x < r.x2 + 2 && y >= r.y1 - 2 && y < r.y2 + 2);
      // Inside the mask's central part the picture must be wrecked; outside every mask, untouched but for re-encoding.
      const inCore = (x: number, y: number) =>
        regions.some((r) => {
          const cx = (r.x1 + r.x2) / 2, cy = (r.y1 + r.y2) / 2;
          return Math.abs(x - cx) < (r.x2 - r.x1) / 5 && Math.abs(y - cy) < (r.y2 - r.y1) / 5;
        });
      expect(psnr(a, b, 640, (x, y) => !inAny(x, y))).toBeGreaterThan(36);
      expect(psnr(a, b, 640, inCore)).toBeLessThan(26);
    }
  });

  it('never touches the input and leaves no temp files', () => {
    expect(sha256(input)).toBe(inputSha);
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('refuses to overwrite an existing output without --force, and overwrites with it', async () => {
    const out = join(dir, 'group_anonymized.mp4');
    const before = sha256(out);
    const r = await runCli([input, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists \(use --force/);
    expect(sha256(out)).toBe(before);
    const forced = await runCli([input, '--force', '--quiet', '--replacewith', 'solid']);
    expect(forced.code).toBe(0);
    expect(sha256(out)).not.toBe(before);
  });

  it('drops the audio with --no-audio and strips metadata unless --keep-metadata', async () => {
    const tagged = join(dir, 'tagged.mp4');
    ffmpeg(['-i', input, '-c', 'copy', '-metadata', 'title=secret', '-metadata', 'location=+48.8584+002.2945/', tagged]);
    const r = await runCli([tagged, '-o', join(dir, 'noaudio.mp4'), '--no-audio', '--quiet']);
    expect(r.code).toBe(0);
    const stripped = ffprobe(join(dir, 'noaudio.mp4'));
    expect(stripped.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(stripped.format.tags?.title).toBeUndefined();
    expect(stripped.format.tags?.location).toBeUndefined();
    const k = await runCli([tagged, '-o', join(dir, 'kept.mp4'), '--keep-metadata', '--quiet']);
    expect(k.code).toBe(0);
    const kept = ffprobe(join(dir, 'kept.mp4'));
    expect(kept.format.tags?.title).toBe('secret');
    expect(kept.streams.filter((s) => s.codec_type === 'audio')).toHaveLength(1);
  });

  it('--keep-metadata keeps an iPhone\'s own QuickTime keys; the default strips them; H.265 in a .mov is tagged hvc1', async () => {
    // A new-user trial's com.apple.quicktime.* tags were lost with --keep-metadata (only "location" survived).
    const phone = join(dir, 'phone.mov');
    const apple = {
      'com.apple.quicktime.make': 'Apple',
      'com.apple.quicktime.model': 'iPhone 13 Pro',
      'com.apple.quicktime.creationdate': '2023-05-01T10:00:00+0200',
      'com.apple.quicktime.location.ISO6709': '+40.7128-074.0060+010.000/',
    };
    ffmpeg(['-i', input, '-c', 'copy', '-movflags', 'use_metadata_tags', ...Object.entries(apple).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]), phone]);
    expect(ffprobe(phone).format.tags).toMatchObject(apple);
    const k = await runCli([phone, '-o', join(dir, 'phone-kept.mov'), '--keep-metadata', '--codec', 'libx265', '--quiet']);
    expect(k.code, k.stderr).toBe(0);
    const kept = ffprobe(join(dir, 'phone-kept.mov'));
    expect(kept.format.tags).toMatchObject(apple);
    // ffmpeg's default hev1 does not play in QuickTime or on iOS.
    expect(video(kept).codec_tag_string).toBe('hvc1');
    const s = await runCli([phone, '-o', join(dir, 'phone-stripped.mov'), '--quiet']);
    expect(s.code).toBe(0);
    const tags = Object.keys(ffprobe(join(dir, 'phone-stripped.mov')).format.tags ?? {});
    expect(tags.filter((t) => /apple|location|creation/i.test(t))).toEqual([]);
  });
});

describe('faceblur keeps geometry and timing', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  it('turns a 90°-rotated phone video upright, with no rotation left in the output', async () => {
    const plain = makeClip(dir, 'plain.mp4', { seconds: 1 });
    const rotated = join(dir, 'rotated.mp4');
    ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const r = await runCli([rotated, '--quiet']);
    expect(r.code).toBe(0);
    const v = video(ffprobe(join(dir, 'rotated_anonymized.mp4')));
    expect([v.width, v.height]).toEqual([480, 640]);
    expect(v.side_data_list?.some((d) => d.rotation)).toBeFalsy();
    expect(v.nb_read_frames).toBe('10');
    // With no filter the picture must match the source as a player shows it (ffmpeg applies the rotation when decoding).
    const none = await runCli([rotated, '-o', join(dir, 'rotated_none.mp4'), '--replacewith', 'none', '--quiet']);
    expect(none.code).toBe(0);
    const shown = rgbFrame(rotated, 480, 640, 3);
    expect(psnr(shown, rgbFrame(join(dir, 'rotated_none.mp4'), 480, 640, 3), 480, () => true)).toBeGreaterThan(36);
  });

  it('keeps an odd frame size exactly', async () => {
    const odd = makeClip(dir, 'odd.mp4', { size: '641x481', seconds: 1, extra: ['-pix_fmt', 'yuv444p'] });
    const r = await runCli([odd, '--quiet']);
    expect(r.code).toBe(0);
    const v = video(ffprobe(join(dir, 'odd_anonymized.mp4')));
    expect([v.width, v.height]).toEqual([641, 481]);
    expect(v.nb_read_frames).toBe('10');
  });

  it('keeps each frame of a variable-frame-rate video at its own time', async () => {
    const plain = makeClip(dir, 'cfr.mp4', { seconds: 2 });
    const vfr = join(dir, 'vfr.mp4');
    // 10 fps for the first second, then frames 0.25 s apart.
    ffmpeg(['-i', plain, '-filter:v', "setpts='if(lt(N,10),N/10,1+(N-10)/4)/TB'", '-fps_mode', 'vfr', '-an', '-c:v', 'libx264', vfr]);
    const r = await runCli([vfr, '--quiet']);
    expect(r.code).toBe(0);
    const a = frameTimes(vfr);
    const b = frameTimes(join(dir, 'vfr_anonymized.mp4'));
    expect(b).toHaveLength(a.length);
    b.forEach((t, i) => expect(Math.abs(t - a[i]!)).toBeLessThan(0.01));
  });

  it('tracks between detections with --detect-every 3 and covers every frame', async () => {
    const clip = makeClip(dir, 'every.mp4', { seconds: 1.5 });
    const reportPath = join(dir, 'every.json');
    const r = await runCli([clip, '--detect-every', '3', '--region', 'eyes', '--report', reportPath, '--quiet']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(rep.files[0]!.frames).toHaveLength(15);
    // Frames the detector skipped still get every face, from the tracks.
    for (const f of rep.files[0]!.frames) expect(f.regions.length).toBeGreaterThanOrEqual(12);
    expect(video(ffprobe(join(dir, 'every_anonymized.mp4'))).nb_read_frames).toBe('15');
  });

  it('covers every face in every frame with --fast, whose full-size pass looks at one half per frame', async () => {
    const clip = makeClip(dir, 'fast.mp4', { seconds: 1.5 });
    const reportPath = join(dir, 'fast.json');
    const r = await runCli([clip, '--fast', '--report', reportPath, '--quiet']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(rep.files[0]!.frames).toHaveLength(15);
    for (const f of rep.files[0]!.frames) expect(f.regions.length).toBeGreaterThanOrEqual(12);
  });

  it('reads a GIF and writes a GIF', async () => {
    const gif = join(dir, 'clip.gif');
    ffmpeg(['-i', makeClip(dir, 'forgif.mp4', { seconds: 1 }), '-vf', 'scale=320:-2', gif]);
    const r = await runCli([gif, '--quiet']);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'clip_anonymized.gif'))).toBe(true);
    expect(video(ffprobe(join(dir, 'clip_anonymized.gif'))).nb_read_frames).toBe(video(ffprobe(gif)).nb_read_frames);
  });

  it('says which tracks it does not keep, and --keep-metadata keeps each audio track\'s own language', async () => {
    // A new-user trial: subtitles vanished without a word, and "eng" and "fra" were lost even with --keep-metadata.
    const clip = makeClip(dir, 'tracks.mp4', { seconds: 1 });
    const srt = join(dir, 'names.srt');
    writeFileSync(srt, '1\n00:00:00,000 --> 00:00:01,000\nJohn Smith, 12 Main Street\n');
    const mkv = join(dir, 'tracks.mkv');
    ffmpeg(['-i', clip, '-i', clip, '-i', srt, '-map', '0:v', '-map', '0:a', '-map', '1:a', '-map', '2', '-c', 'copy', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', mkv]);
    const r = await runCli([mkv, '-o', join(dir, 'tracks-kept.mkv'), '--keep-metadata']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('tracks.mkv: not kept in the output: 1 subtitle track (they can carry names, places and GPS tracks)');
    const out = ffprobe(join(dir, 'tracks-kept.mkv')).streams as { codec_type: string; tags?: Record<string, string> }[];
    expect(out.map((st) => st.codec_type)).toEqual(['video', 'audio', 'audio']);
    expect(out.filter((st) => st.codec_type === 'audio').map((st) => st.tags?.language)).toEqual(['eng', 'fra']);
  });

  it('drops a cover picture, which can show a face, and says so', async () => {
    const clip = makeClip(dir, 'cover-src.mp4', { seconds: 1 });
    const cover = join(dir, 'cover.mp4');
    const picture = join(dir, 'cover.jpg');
    ffmpeg(['-i', clip, '-frames:v', '1', picture]);
    ffmpeg(['-i', clip, '-i', picture, '-map', '0:v', '-map', '0:a', '-map', '1', '-c', 'copy', '-disposition:v:1', 'attached_pic', cover]);
    const r = await runCli([cover, '-o', join(dir, 'cover-out.mp4')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('cover.mp4: not kept in the output: 1 cover picture (they can carry names, places and GPS tracks)');
    expect(ffprobe(join(dir, 'cover-out.mp4')).streams.map((st) => st.codec_type)).toEqual(['video', 'audio']);
  });

  it('writes MPEG program streams and Ogg from an MP4 with AAC audio, re-encoding what they cannot hold', async () => {
    // A new-user trial: -o x.mpg and -o x.ogv were accepted, then failed after all the work
    // ("Error initializing output stream"): MPEG-PS holds no AAC, Ogg no H.264.
    const clip = makeClip(dir, 'aac.mp4', { seconds: 1 });
    for (const [ext, codecs] of [['mpg', ['h264', 'mp2']], ['ogv', ['theora', 'vorbis']]] as const) {
      const out = join(dir, `aac-out.${ext}`);
      const r = await runCli([clip, '-o', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      const streams = ffprobe(out).streams;
      expect(streams.map((st) => st.codec_name)).toEqual(codecs);
      expect(video(ffprobe(out)).nb_read_frames).toBe(video(ffprobe(clip)).nb_read_frames);
    }
  });
});
