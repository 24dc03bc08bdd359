import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, ffprobe, IMAGES, tempDir } from '../helpers.js';
import { errorLines, expectInvariants, hashes, runGuarded } from './guard.js';
import { faceClip } from '../../fixtures/clips.js';
import { truncated, unknownCodec, withoutMoov, writeBytes } from '../../fixtures/damaged.js';
import { fixtureCopy, unusableErrors } from '../../fixtures/files.js';

/** Inputs that are not usable media: each gets one clear error line, and the good file of the batch still gets done. */
describe('faults: inputs that are not usable media', () => {
  let dir: string;
  const cases = unusableErrors();

  beforeAll(() => {
    dir = tempDir('faceblur-faults-');
    const src = join(dir, 'src');
    mkdirSync(src);
    // moov last (ffmpeg's default), and moov first, so that cuts land in different boxes.
    const plain = faceClip(src, 'plain.mp4', { seconds: 2 });
    const fast = faceClip(src, 'fast.mp4', { seconds: 2, args: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'] });
    const mkv = faceClip(src, 'clip.mkv', { seconds: 2 });
    for (const name of ['zero.mp4', 'random.mp4', 'text.jpg']) fixtureCopy(`not-media/${name}`, dir);
    for (const share of [0.1, 0.5, 0.99]) truncated(dir, plain, `cut${Math.round(share * 100)}.mp4`, share);
    for (const share of [0.5, 0.99]) truncated(dir, fast, `cut${Math.round(share * 100)}-faststart.mp4`, share);
    truncated(dir, mkv, 'cut.mkv', 0.5);
    withoutMoov(dir, plain, 'no-moov.mp4');
    unknownCodec(dir, plain, 'codec.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=1', join(dir, 'tone.m4a')]);
    copyFileSync(join(IMAGES, 'deface_city.jpg'), join(dir, 'good.jpg'));
  });

  it('names every bad input in one line, processes the good one, and exits 1', async () => {
    const inputs = [...cases.map(([n]) => join(dir, n)), join(dir, 'missing.mp4'), join(dir, 'good.jpg')];
    const out = join(dir, 'out');
    const before = hashes(inputs);
    const r = await runGuarded([...inputs, '-o', `${out}/`]);
    expectInvariants(r, { inputs: before, dirs: [dir] });
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(join(out, 'good.jpg'));
    const errs = errorLines(r.stderr);
    expect(errs).toHaveLength(cases.length + 1);
    for (const [name, why] of cases) {
      const line = errs.find((l) => l.includes(`${name}:`));
      expect(line, name).toMatch(why);
      expect(existsSync(join(out, name)), `${name} has an output`).toBe(false);
    }
    expect(errs.join('\n')).toMatch(/missing\.mp4: no such file or folder/);
    expect(r.stderr).toMatch(new RegExp(`1 done, ${cases.length + 1} failed`));
    expect(ffprobe(join(out, 'good.jpg')).streams[0]!.width).toBeGreaterThan(0);
  });

  it('a folder with no media is an error, not a silent success', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeBytes(empty, 'notes.txt', 'nothing to see');
    const r = await runGuarded([empty]);
    expectInvariants(r, { inputs: {}, dirs: [empty] });
    expect(r.code).not.toBe(0);
    expect(errorLines(r.stderr).join('\n')).toMatch(/no photos or videos in this folder/);
  });
});
