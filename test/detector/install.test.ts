import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/detect/detector.js';
import { rgbFrameFromInterleaved } from '../../src/media/frame.js';
import { makeRunnable } from '../../src/models/convert.js';
import { findModel } from '../../src/models/manifest.js';
import { installModel, sha256File } from '../../src/models/install.js';
import { MODEL_DIR, tempDir, WIDER } from '../helpers.js';

const UPSTREAM = join(MODEL_DIR, 'upstream');
const photos = ['0--Parade/0_Parade_Parade_0_288.jpg', '0--Parade/0_Parade_Parade_0_459.jpg'];

describe.each(['retinaface', 'scrfd'])('installing %s from its upstream file', (name) => {
  const m = findModel(name)!;

  it('checks the upstream sum, edits the graph the same way every time, and pins the result', async () => {
    const upstream = new Uint8Array(readFileSync(join(UPSTREAM, m.upstream!.file)));
    // Buffer.equals, not toEqual: a deep comparison of megabytes takes vitest tens of seconds.
    expect(Buffer.from(makeRunnable(upstream, m.upstream!.edit)).equals(makeRunnable(upstream, m.upstream!.edit))).toBe(true);
    const dir = tempDir();
    const r = await installModel(m, { FACEBLUR_MODEL_DIR: UPSTREAM, FACEBLUR_INSTALL_DIR: dir });
    expect(r).toMatchObject({ status: 'converted', path: join(dir, m.file) });
    expect(await sha256File(join(dir, m.file))).toBe(m.sha256);
  });

  it("gives the same detections as the shared runnable file on real photos of other sizes than the export's 640x640", async () => {
    const dir = tempDir();
    await installModel(m, { FACEBLUR_MODEL_DIR: UPSTREAM, FACEBLUR_INSTALL_DIR: dir });
    const open = (path: string) =>
      createDetector({ family: m.family, modelPath: path, threshold: 0.3, size: {}, provider: 'cpu', threads: 2, notice: () => undefined });
    const ours = await open(join(dir, m.file));
    const shared = await open(join(MODEL_DIR, m.file));
    for (const file of photos) {
      const { data, info } = await sharp(join(WIDER, 'images', file)).raw().toBuffer({ resolveWithObject: true });
      expect(info.height % 32).not.toBe(0);
      const frame = rgbFrameFromInterleaved(data, info.width, info.height, info.channels);
      const a = await ours.detect(frame);
      expect(a.length).toBeGreaterThan(3);
      expect(a).toEqual(await shared.detect(frame));
    }
    await Promise.all([ours.dispose(), shared.dispose()]);
  });
});

describe('the RetinaFace edit', () => {
  it('refuses a graph it does not fit instead of writing a broken model', () => {
    const yunet = new Uint8Array(readFileSync(join(MODEL_DIR, 'yunet_s_dynamic.onnx')));
    expect(() => makeRunnable(yunet, 'retinaface-dynamic')).toThrow(/not the expected RetinaFace export/);
  });
});
