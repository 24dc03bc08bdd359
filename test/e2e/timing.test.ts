import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, frameTimes, runCli, tempDir } from '../helpers.js';
import { flashBeep, onsets, shifted, startTimes, vfrClip } from './timing-media.js';

/**
 * Issue 13, defect 3 as a kind: the output keeps every stream's start time and the streams' timing
 * relative to each other, whatever the container, for late video, late audio, negative starts and
 * edit lists. Measured on what players show: the flash's time and the beep's onset, decoded from the
 * output, against the same in the input.
 *
 * Tolerance: 1.5 ms (the frame pipe counts whole milliseconds, and MP4 writes an initial empty edit
 * in milliseconds) — far below one audio frame (21 ms of AAC), the issue's bound, so that an error
 * of one audio frame, such as the 21 ms an MPEG-TS lost, fails. WebM with Opus gets 7 ms more:
 * ffmpeg's Matroska muxer writes Opus's 6.5 ms codec delay into the video's start, as ffmpeg's own
 * `-c copy` remux of the same file does.
 */
const TOLERANCE = 0.0015;
const OPUS_DELAY = 0.007;

describe('A/V timing is kept in every container', () => {
  let dir: string;
  /** `offset`: the flash's time minus the beep's in the input, as the fixture was made (seconds). */
  const cases: { name: string; offset: number; input: () => string; slack?: number }[] = [];
  beforeAll(() => {
    dir = tempDir();
  });
  const mp4 = () => flashBeep(dir, 'base.mp4', ['-c:v', 'libx264', '-c:a', 'aac']);
  const webm = () => flashBeep(dir, 'base.webm', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-c:a', 'libopus']);
  cases.push(
    { name: 'MP4, video 0.5 s after audio', offset: 0.5, input: () => shifted(dir, mp4(), 'late_video.mp4', 0.5) },
    { name: 'MOV, video 0.5 s after audio', offset: 0.5, input: () => shifted(dir, mp4(), 'late_video.mov', 0.5) },
    { name: 'MKV, video 0.5 s after audio', offset: 0.5, input: () => shifted(dir, mp4(), 'late_video.mkv', 0.5) },
    { name: 'WebM, video 0.5 s after audio, audio from −7 ms', offset: 0.5, input: () => shifted(dir, webm(), 'late_video.webm', 0.5), slack: OPUS_DELAY },
    { name: 'WebM, audio from −7 ms (negative start)', offset: 0, input: webm, slack: OPUS_DELAY },
    { name: 'MPEG-TS, video 22 ms later than in its source (43 ms after its audio), starting at 1.4 s', offset: 0.022, input: () => shifted(dir, mp4(), 'late22.ts', 0.022) },
    { name: 'MP4, audio 0.5 s after video', offset: -0.5, input: () => shifted(dir, mp4(), 'late_audio.mp4', 0, 0.5) },
    { name: 'MP4 edit list: the first 0.3 s of video cut by the edit list', offset: -0.3, input: () => shifted(dir, mp4(), 'cut.mp4', -0.3) },
    {
      name: 'MP4 edit list: cut at 0.3 s with -ss and -c copy',
      offset: 0,
      input: () => {
        // A copy that starts between keyframes: the edit list hides the frames before 0.3 s.
        const out = join(dir, 'trimmed.mp4');
        ffmpeg(['-ss', '0.3', '-i', mp4(), '-c', 'copy', out]);
        return out;
      },
    },
  );

  for (const c of cases) {
    it(c.name, async () => {
      const input = c.input();
      const ext = input.slice(input.lastIndexOf('.'));
      const output = join(dir, `out-${cases.indexOf(c)}${ext}`);
      const r = await runCli([input, '-o', output, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      const tol = TOLERANCE + (c.slack ?? 0);
      const a = onsets(input);
      const b = onsets(output);
      // The fixture itself has the offset it was made with (give or take the codecs' delays).
      expect(Math.abs(a.flash - a.beep - c.offset)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(b.flash - b.beep - (a.flash - a.beep))).toBeLessThanOrEqual(tol);
      expect(Math.abs(b.flash - a.flash)).toBeLessThanOrEqual(tol);
      expect(Math.abs(b.beep - a.beep)).toBeLessThanOrEqual(tol);
      const sa = startTimes(input);
      const sb = startTimes(output);
      expect(Object.keys(sb).sort()).toEqual(['audio', 'video']);
      for (const type of ['video', 'audio']) expect(Math.abs(sb[type]! - sa[type]!), `${type} start ${sb[type]} vs ${sa[type]}`).toBeLessThanOrEqual(tol);
    });
  }
});

/**
 * Issue 13, defect 4 as a kind: every output frame is shown at its input time, within 1 ms, in any
 * container, whatever rate the container declares. The clip: 84 frames with gaps of 33, 67 and
 * 100 ms (Matroska declares it constant at 1260/83 fps), starting after its audio's priming.
 */
describe('every frame keeps its own time', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  for (const ext of ['mkv', 'mp4', 'mov', 'webm', 'ts']) {
    it(`variable-rate ${ext.toUpperCase()}: same frames, each within 1 ms, and -v calls it variable`, async () => {
      const input = vfrClip(dir, `vfr.${ext}`);
      const output = join(dir, `vfr-out.${ext}`);
      const r = await runCli([input, '-o', output, '-v']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/fps \(variable\)/);
      const a = frameTimes(input);
      const b = frameTimes(output);
      expect(a).toHaveLength(84);
      expect(b).toHaveLength(84);
      // WebM's Opus audio moves the whole video by its codec delay (see OPUS_DELAY), never one frame against another.
      const shift = ext === 'webm' ? b[0]! - a[0]! : 0;
      expect(Math.abs(shift)).toBeLessThanOrEqual(OPUS_DELAY);
      const off = b.map((t, i) => `frame ${i}: ${a[i]} -> ${t}`).filter((_, i) => Math.abs(b[i]! - shift - a[i]!) > 0.001);
      expect(off).toEqual([]);
    });
  }

  it('a file whose packets ffprobe cannot read is probed again without them: the declared rate, every frame kept', async () => {
    // One ffprobe run reads the streams and the first 30 s of packet timestamps; an ffprobe that
    // fails on the packets (-read_intervals) stands for a file damaged there.
    const wrapper = join(dir, 'ffprobe-no-packets');
    writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *-read_intervals*) echo "packets unreadable" >&2; exit 1;; esac\nexec ffprobe "$@"\n`);
    chmodSync(wrapper, 0o755);
    const input = vfrClip(dir, 'vfr.mp4');
    const output = join(dir, 'no-packets-out.mp4');
    const r = await runCli([input, '-o', output, '-v'], { env: { FFPROBE_PATH: wrapper, FFMPEG_PATH: 'ffmpeg' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`ffprobe: ${wrapper}`);
    // The MP4 declares 30 fps nominal and 15.18 on average (84 frames in 5.53 s): variable.
    expect(r.stderr).toMatch(/15\.181 fps \(variable\)/);
    const [a, b] = [frameTimes(input), frameTimes(output)];
    expect(b).toHaveLength(a.length);
    expect(b.filter((t, i) => Math.abs(t - a[i]!) > 0.001)).toEqual([]);
  });
});
