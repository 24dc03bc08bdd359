import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { indexJpegs, jpegEnd, JpegSplitter, roomForJpegs } from '../../src/media/jpeg-frames.js';
import { tempDir } from '../helpers.js';

/** A small JPEG of one grey level, with a comment segment (after SOI) holding `comment`. */
async function jpegWith(level: number, comment: Buffer): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 48, height: 32, channels: 3, background: { r: level, g: 255 - level, b: 40 } } }).jpeg({ quality: 90 }).toBuffer();
  const com = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0, comment.length + 2]), comment]);
  return Buffer.concat([jpeg.subarray(0, 2), com, jpeg.subarray(2)]);
}

describe('splitting back-to-back JPEGs', () => {
  it('ends each JPEG at its EOI marker, not at an FF D9 inside a segment, whatever the chunk boundaries', async () => {
    // FF D9 (EOI) inside the comment: a plain search for FF D9 would cut the first JPEG there.
    const jpegs = [await jpegWith(10, Buffer.from([0x41, 0xff, 0xd9, 0x42])), await jpegWith(200, Buffer.from('no marker here')), await jpegWith(90, Buffer.from([0xff, 0xd9]))];
    const stream = Buffer.concat(jpegs);
    expect(jpegEnd(stream, 0)).toBe(jpegs[0]!.length);
    expect(jpegEnd(stream.subarray(0, jpegs[0]!.length - 1), 0)).toBe(-1);
    for (const size of [1, 7, 1000, stream.length]) {
      const split = new JpegSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...split.push(stream.subarray(i, i + size)).map((b) => Buffer.from(b)));
      expect(out, `chunks of ${size} bytes`).toEqual(jpegs);
    }
    // Each piece is a whole picture of its own level.
    const { data } = await sharp(jpegs[1]).raw().toBuffer({ resolveWithObject: true });
    expect(Math.abs(data[0]! - 200)).toBeLessThan(4);
  });

  it('indexes a file of JPEGs, leaving out a cut-off one at the end, and refuses bytes that are not JPEGs', async () => {
    const jpegs = await Promise.all([0, 1, 2, 3].map((i) => jpegWith(i * 60, Buffer.from(`frame ${i}`))));
    const dir = tempDir('faceblur-jpeg-frames-');
    const path = join(dir, 'frames.mjpeg');
    writeFileSync(path, Buffer.concat([...jpegs, jpegs[0]!.subarray(0, 50)]));
    const file = await open(path);
    const spans = await indexJpegs(file).finally(() => file.close());
    let offset = 0;
    expect(spans).toEqual(jpegs.map((j) => ({ offset: (offset += j.length) - j.length, length: j.length })));
    writeFileSync(path, Buffer.concat([jpegs[0]!, Buffer.from('not a jpeg')]));
    const bad = await open(path);
    await expect(indexJpegs(bad).finally(() => bad.close())).rejects.toThrow(/not a JPEG at byte/);
  });

  it('writes the frames only where there is room for them at 1 bit a pixel, and never for an unknown frame count', async () => {
    const path = join(tempDir('faceblur-jpeg-frames-'), 'frames.mjpeg');
    expect(await roomForJpegs(path, 10, 1920, 1080)).toBe(true);
    // 10^12 frames of 1280x720 at 1 bit a pixel: 115 PB.
    expect(await roomForJpegs(path, 1e12, 1920, 1080)).toBe(false);
    expect(await roomForJpegs(path, undefined, 1920, 1080)).toBe(false);
    expect(await roomForJpegs(join(path, 'no', 'such', 'folder', 'f.mjpeg'), 10, 1920, 1080)).toBe(false);
  });
});
