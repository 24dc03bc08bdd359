import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/media/ffmpeg.js';
import { indexJpegs, type JpegSpan } from '../../src/media/jpeg-frames.js';
import { SeekProxy } from '../../src/review/proxy.js';
import { SeekTime } from '../../src/review/seek-time.js';
import { IMAGES, runCli, tempDir } from '../helpers.js';
import { numberedClip, readNumber } from './harness.js';

const FRAMES = 240;

/** The number numberedClip drew on the proxy's frame n (a 320-pixel-wide JPEG). */
async function numberOn(proxy: SeekProxy, n: number): Promise<number> {
  const { data, info } = await sharp(await proxy.jpeg(n)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.width).toBe(320);
  return readNumber(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), 320);
}

/**
 * A numbered clip of `frames` frames analyzed by the CLI with --seek-proxy: its folder, the proxy
 * file the analysis wrote, where each JPEG in it lies, and a proxy over the clip that takes over `prebuilt`.
 */
async function analyzedClip(frames: number): Promise<{ dir: string; written: string; spans: JpegSpan[]; proxy: (prebuilt: string) => SeekProxy }> {
  const dir = tempDir('faceblur-review-proxy-');
  const clip = join(dir, 'numbers.mp4');
  await numberedClip(clip, frames);
  const written = join(dir, 'frames.mjpeg');
  const r = await runCli(['analyze', clip, '-o', join(dir, 'numbers.faceblur.json'), '--seek-proxy', written, '-q']);
  expect(r.code, r.stderr).toBe(0);
  const project = JSON.parse(readFileSync(join(dir, 'numbers.faceblur.json'), 'utf8')) as { input: { frameCount: number } };
  expect(project.input.frameCount).toBe(frames);
  const file = await open(written);
  const spans = await indexJpegs(file).finally(() => file.close());
  const tools = findFfmpeg();
  const timestamps = Float64Array.from({ length: frames }, (_, i) => i / 25);
  return { dir, written, spans, proxy: (prebuilt) => new SeekProxy(tools, clip, frames, new SeekTime(tools, clip, timestamps), prebuilt) };
}

describe('the seek proxy', () => {
  it('starts decoding where a frame is asked for, and every frame it gives is the frame asked for', async () => {
    const dir = tempDir('faceblur-review-proxy-');
    const clip = join(dir, 'numbers.mp4');
    // A keyframe every 12 frames: a run that starts mid-way must decode from the one before and drop the rest.
    await numberedClip(clip, FRAMES);
    const timestamps = Float64Array.from({ length: FRAMES }, (_, i) => i / 25);
    const tools = findFfmpeg();
    const proxy = new SeekProxy(tools, clip, FRAMES, new SeekTime(tools, clip, timestamps));
    const built = proxy.build();
    try {
      const shown = (n: number) => numberOn(proxy, n);
      expect(await shown(230)).toBe(230);
      // The run from frame 0 was ended for one from 230: far fewer frames are held than decoding up to 230 takes.
      expect(proxy.ready).toBeLessThan(100);
      // Behind the run, ahead of it, then stepping on from a seek, and the last frame.
      for (const n of [201, 7, 150, 151, 152, 153, 119, 239, 0]) expect(await shown(n), `frame ${n}`).toBe(n);
      await built;
      expect(proxy.failed).toBeUndefined();
      expect(proxy.ready).toBe(FRAMES);
      expect(proxy.decoded).toBe(FRAMES);
      for (const n of [5, 60, 61, 180, 238]) expect(await shown(n), `frame ${n}, proxy complete`).toBe(n);
    } finally {
      await proxy.close();
    }
  });

  it("is filled by the analysis's own decoder (analyze --seek-proxy): every frame held at once, frame N showing N", async () => {
    const { written, spans, proxy: over } = await analyzedClip(FRAMES);
    expect(spans).toHaveLength(FRAMES);
    const proxy = over(written);
    try {
      await proxy.build();
      expect(proxy.failed).toBeUndefined();
      expect(proxy.ready).toBe(FRAMES);
      // Nothing was decoded for the proxy: every frame came from the analysis's file, which the proxy moved into its own folder.
      expect(proxy.decoded).toBe(0);
      expect(existsSync(written)).toBe(false);
      for (let n = 0; n < FRAMES; n++) expect(await numberOn(proxy, n), `frame ${n}`).toBe(n);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('drops a file of frames that does not match the video (a frame short, or not JPEGs), and decodes the frames itself', async () => {
    // 60 frames, as the analysis's decoder wrote them, then the last one cut off.
    const { dir, written, spans, proxy: over } = await analyzedClip(60);
    truncateSync(written, spans[59]!.offset + 100);
    const garbage = join(dir, 'garbage.mjpeg');
    writeFileSync(garbage, Buffer.alloc(5000, 7));
    for (const prebuilt of [written, garbage]) {
      const proxy = over(prebuilt);
      try {
        await proxy.build();
        expect(proxy.failed).toBeUndefined();
        expect(proxy.ready).toBe(60);
        expect(proxy.decoded).toBe(60);
        for (const n of [0, 13, 58, 59]) expect(await numberOn(proxy, n), `frame ${n} (${prebuilt})`).toBe(n);
      } finally {
        await proxy.close();
      }
    }
  }, 120_000);

  it('--seek-proxy (internal, for the review) is refused on a photo, with several inputs and outside analyze, in one line (exit 2)', async () => {
    const dir = tempDir('faceblur-review-proxy-');
    const clip = join(dir, 'numbers.mp4');
    await numberedClip(clip, 10);
    const photo = join(IMAGES, 'deface_city.jpg');
    const frames = join(dir, 'frames.mjpeg');
    for (const args of [['analyze', photo], ['analyze', clip, photo], [clip]]) {
      const r = await runCli([...args, '--seek-proxy', frames, '-o', join(dir, 'out/')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe('faceblur: --seek-proxy goes with faceblur analyze of one video');
      expect(existsSync(frames)).toBe(false);
    }
  });
});
