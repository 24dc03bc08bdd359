import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { iou } from '../../src/detect/box.js';
import { createDetector, type DetectorConfig } from '../../src/detect/detector.js';
import { createMultiPassDetector, type MultiPassConfig, type PassSpec } from '../../src/detect/multi-pass.js';
import { rgbFrameFromInterleaved } from '../../src/media/frame.js';
import { IMAGES, MODEL_DIR, WIDER } from '../helpers.js';

/** The photo as an RGB frame, resized to `width` when one is given. */
async function loadFrame(path: string, width?: number) {
  const { data, info } = await sharp(path).rotate().resize(width).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return rgbFrameFromInterleaved(data, info.width, info.height, info.channels);
}

const config = (over: Partial<DetectorConfig> = {}): DetectorConfig => ({
  family: 'yunet',
  modelPath: join(MODEL_DIR, 'yunet_s_dynamic.onnx'),
  threshold: 0.3,
  size: {},
  provider: 'cpu',
  threads: 2,
  notice: () => undefined,
  ...over,
});

interface GtImage {
  file: string;
  width: number;
  faces: { x: number; y: number; w: number; h: number; easy: boolean; medium: boolean; invalid: number }[];
}

const widerImages = () => (JSON.parse(readFileSync(join(WIDER, 'gt.json'), 'utf8')) as { images: GtImage[] }).images;

const yunet = (file: string) => (factor: number): PassSpec => ({ family: 'yunet', modelPath: join(MODEL_DIR, file), factor });
const s = yunet('yunet_s_dynamic.onnx');
const n = yunet('yunet_n_dynamic.onnx');
const multiPass = (plans: MultiPassConfig['plans'], size: MultiPassConfig['size'] = {}) =>
  createMultiPassDetector({ plans, size, provider: 'cpu', threads: 2, notice: () => undefined });

describe('YuNet on real photos', () => {
  it('finds the faces of a group photo, each with landmarks inside its box', async () => {
    const det = await createDetector(config());
    const found = await det.detect(await loadFrame(join(IMAGES, 'human_group-1.jpg')));
    await det.dispose();
    expect(found.length).toBeGreaterThanOrEqual(14);
    for (const d of found) {
      expect(d.landmarks).toHaveLength(5);
      const [re, le] = d.landmarks!;
      expect(re!.x).toBeGreaterThan(d.box.x1);
      expect(le!.x).toBeLessThan(d.box.x2);
    }
  });

  it('finds at least 90% of the easy WIDER faces in a slice of the validation set, at IoU >= 0.5', async () => {
    const slice = widerImages().filter((_, i) => i % 13 === 0);
    for (const family of ['yunet_s_dynamic.onnx', 'yunet_n_dynamic.onnx']) {
      const det = await createDetector(config({ modelPath: join(MODEL_DIR, family) }));
      let easy = 0;
      let found = 0;
      for (const im of slice) {
        const dets = await det.detect(await loadFrame(join(WIDER, 'images', im.file)));
        for (const f of im.faces.filter((f) => f.easy && !f.invalid)) {
          easy++;
          const box = { x1: f.x, y1: f.y, x2: f.x + f.w, y2: f.y + f.h };
          if (dets.some((d) => iou(d.box, box) >= 0.5)) found++;
        }
      }
      await det.dispose();
      expect(easy).toBeGreaterThan(20);
      expect(found / easy).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('--scale detects on a smaller frame and maps the boxes back to full resolution', async () => {
    const frame = await loadFrame(join(IMAGES, 'human_group-1.jpg'));
    const full = await createDetector(config());
    const half = await createDetector(config({ size: { width: Math.round(frame.width / 2) } }));
    const a = await full.detect(frame);
    const b = await half.detect(frame);
    await Promise.all([full.dispose(), half.dispose()]);
    const matched = b.filter((d) => a.some((e) => iou(d.box, e.box) >= 0.5));
    expect(b.length).toBeGreaterThanOrEqual(10);
    // A wrong mapping back to full resolution would match almost none; a few extra small detections are expected.
    expect(matched.length / b.length).toBeGreaterThanOrEqual(0.8);
  });
});

describe('multi-pass plans', () => {
  it('detects a photo with the still ensemble, which finds a face the two-pass video plan misses', async () => {
    const det = await multiPass({
      motion: { passes: [s(1), s(0.5)], threshold: 0.3, rule: 'max' },
      still: { passes: [s(1), s(0.75), s(0.5), s(1 / 3), n(1), n(0.75), n(0.5)], threshold: 0.7, rule: 'noisy-or' },
    });
    // A profile half turned away (WIDER "easy"), which YuNet-s alone scores below any usable threshold.
    const frame = await loadFrame(join(WIDER, 'images', '19--Couple', '19_Couple_Couple_19_325.jpg'));
    const face = { x1: 382, y1: 144, x2: 382 + 176, y2: 144 + 140 };
    const motion = await det.detect(frame, 'motion');
    const still = await det.detect(frame, 'still');
    await det.dispose();
    expect(motion.some((d) => iou(d.box, face) >= 0.5)).toBe(false);
    expect(still.some((d) => iou(d.box, face) >= 0.5)).toBe(true);
  });
});

describe('--fast (a pass in halves)', () => {
  // A dance floor with small faces in both halves that only the full-size pass finds.
  const im = () => widerImages().find((i) => i.file.endsWith('4_Dancing_Dancing_4_489.jpg'))!;
  for (const size of [{}, { width: 900 }]) {
    it(`looks at one half of the frame per call, in turn, at the whole frame's scale (--scale ${size.width ?? 'none'})`, async () => {
      const halves = { ...s(1), halves: true };
      const det = await multiPass(
        { motion: { passes: [halves, s(0.5)], threshold: 0.3, rule: 'max' }, still: { passes: [s(1), s(0.5)], threshold: 0.3, rule: 'max' } },
        size,
      );
      const frame = await loadFrame(join(WIDER, 'images', im().file));
      const faces = im().faces.filter((f) => !f.invalid).map((f) => ({ x1: f.x, y1: f.y, x2: f.x + f.w, y2: f.y + f.h }));
      const foundBy = (ds: { box: typeof faces[number] }[]) => new Set(faces.filter((g) => ds.some((d) => iou(d.box, g) >= 0.5)));
      const whole = foundBy(await det.detect(frame, 'still'));
      const first = foundBy(await det.detect(frame, 'motion'));
      const second = foundBy(await det.detect(frame, 'motion'));
      const third = foundBy(await det.detect(frame, 'motion'));
      await det.dispose();
      const both = new Set([...first, ...second]);
      expect(whole.size).toBeGreaterThan(28);
      // Each turn alone misses small faces of the other half; together they miss at most one of the whole pass's.
      expect(first.size).toBeLessThan(whole.size);
      expect(second.size).toBeLessThan(whole.size);
      expect([...whole].filter((f) => !both.has(f)).length).toBeLessThanOrEqual(1);
      // The turns differ, and the third call is the first half again.
      expect([...second]).not.toEqual([...first]);
      expect([...third]).toEqual([...first]);
    });
  }
});

describe('small photos', () => {
  it('are detected as if upscaled to the ensemble\'s tuned size, which finds faces a plain pass at their size misses', async () => {
    const passes = [s(1), s(0.5), s(1 / 3), n(1), n(0.75), n(0.5)];
    const det = await multiPass({ motion: { passes, threshold: 0.65, rule: 'noisy-or' }, still: { passes, threshold: 0.65, rule: 'noisy-or', upscaleTo: 1024 } });
    // A dance floor from WIDER FACE val, shrunk from 1024 to 512 px wide, and its medium faces.
    const im = widerImages().find((i) => i.file.endsWith('4_Dancing_Dancing_4_319.jpg'))!;
    const frame = await loadFrame(join(WIDER, 'images', im.file), 512);
    const k = 512 / im.width;
    const faces = im.faces.filter((f) => f.medium && !f.invalid).map((f) => ({ x1: f.x * k, y1: f.y * k, x2: (f.x + f.w) * k, y2: (f.y + f.h) * k }));
    const found = (ds: { box: typeof faces[number] }[]) => faces.filter((g) => ds.some((d) => iou(d.box, g) >= 0.5)).length;
    const plain = found(await det.detect(frame, 'motion'));
    const upscaled = found(await det.detect(frame, 'still'));
    await det.dispose();
    expect(upscaled).toBeGreaterThanOrEqual(plain + 3);
  });
});

describe('CenterFace wiring', () => {
  it('loads the static-shape stand-in, makes it dynamic and runs it at any size (its random weights find nothing)', async () => {
    const det = await createDetector(config({ family: 'centerface', modelPath: join(MODEL_DIR, 'centerface-random-weights-static.onnx') }));
    const frame = await loadFrame(join(IMAGES, 'deface_city.jpg'));
    expect(await det.detect(frame)).toEqual([]);
    await det.dispose();
  });

  it('reports a model that is not ONNX as a setup error', async () => {
    await expect(createDetector(config({ modelPath: join(IMAGES, 'deface_city.jpg') }))).rejects.toMatchObject({ exitCode: 2 });
  });
});
