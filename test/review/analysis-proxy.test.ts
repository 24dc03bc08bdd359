import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/media/ffmpeg.js';
import { fileOptionsSchema } from '../../src/options.js';
import { anonymizeSettingsOf } from '../../src/pipeline/setup.js';
import { ReviewApp } from '../../src/review/app.js';
import { MODEL_DIR, tempDir } from '../helpers.js';
import { numberedClip, readNumber } from './harness.js';

// The editor's first analysis hands its seek-proxy file to the frame source: checked through the
// temp folder of this test's own process (TMPDIR), which the review and its analysis child use.

const FRAMES = 50;

describe("faceblur review's first analysis fills the seek proxy", () => {
  const dir = tempDir('faceblur-review-analysis-proxy-');
  const tmp = join(dir, 'tmp');
  const env = { TMPDIR: process.env.TMPDIR, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR };
  beforeAll(() => {
    mkdirSync(tmp);
    process.env.TMPDIR = tmp;
    process.env.FACEBLUR_MODEL_DIR = MODEL_DIR;
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('moves the file the analysis wrote into the proxy, shows frame N as N, and leaves no temp folder on close', async () => {
    const clip = join(dir, 'numbers.mp4');
    await numberedClip(clip, FRAMES);
    const app = new ReviewApp({
      input: clip,
      projectPath: join(dir, 'numbers.faceblur.json'),
      outputPath: join(dir, 'numbers_anonymized.mp4'),
      analyzeArgs: ['-q'],
      exportArgs: [],
      anonymize: anonymizeSettingsOf(fileOptionsSchema.parse({}), 'motion'),
      tools: findFfmpeg(),
    });
    try {
      await app.start();
      expect(app.state()).toMatchObject({ phase: 'ready' });
      for (const n of [37, 0, 49, 12]) {
        const { data } = await sharp(await app.frameJpeg(n, false)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        expect(readNumber(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), 320), `frame ${n}`).toBe(n);
      }
      // The analysis's folder holds only its owner's pid (for the clean-up after a killed review): its file of frames became the proxy's.
      const folders = readdirSync(tmp).filter((name) => name.startsWith('faceblur-review-'));
      const analysis = folders.filter((name) => name.startsWith('faceblur-review-analysis-'));
      expect(analysis).toHaveLength(1);
      expect(readdirSync(join(tmp, analysis[0]!))).toEqual(['owner.pid']);
      const proxy = folders.filter((name) => !name.startsWith('faceblur-review-analysis-'));
      expect(proxy.map((name) => readdirSync(join(tmp, name)).sort())).toEqual([['frames.mjpeg', 'owner.pid']]);
    } finally {
      await app.close();
    }
    expect(readdirSync(tmp).filter((name) => name.startsWith('faceblur'))).toEqual([]);
  }, 120_000);
});
