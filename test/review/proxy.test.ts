import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/media/ffmpeg.js';
import { SeekProxy } from '../../src/review/proxy.js';
import { SeekTime } from '../../src/review/seek-time.js';
import { tempDir } from '../helpers.js';
import { numberedClip, readNumber } from './harness.js';

const FRAMES = 240;

describe('the seek proxy', () => {
  it('starts decoding where a frame is asked for, and every frame it gives is the frame asked for', async () => {
    const dir = tempDir('faceblur-review-proxy-');
    const clip = join(dir, 'numbers.mp4');
    // A keyframe every 12 frames: a run that starts mid-way must decode from the one before and drop the rest.
    await numberedClip(clip, FRAMES);
    const timestamps = Float64Array.from({ length: FRAMES }, (_, i) => i / 25);
    const tools = findFfmpeg();
    const proxy = new SeekProxy(tools, clip, 1280, FRAMES, new SeekTime(tools, clip, timestamps));
    const built = proxy.build();
    try {
      const shown = async (n: number) => {
        const { data, info } = await sharp(await proxy.jpeg(n)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        expect(info.width).toBe(320);
        return readNumber(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), 320);
      };
      expect(await shown(230)).toBe(230);
      // The run from frame 0 was ended for one from 230: far fewer frames are held than decoding up to 230 takes.
      expect(proxy.ready).toBeLessThan(100);
      // Behind the run, ahead of it, then stepping on from a seek, and the last frame.
      for (const n of [201, 7, 150, 151, 152, 153, 119, 239, 0]) expect(await shown(n), `frame ${n}`).toBe(n);
      await built;
      expect(proxy.failed).toBeUndefined();
      expect(proxy.ready).toBe(FRAMES);
      for (const n of [5, 60, 61, 180, 238]) expect(await shown(n), `frame ${n}, proxy complete`).toBe(n);
    } finally {
      await proxy.close();
    }
  });
});
