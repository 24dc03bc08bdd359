import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { BELOW_COLOUR, PASS_COLOUR } from '../../src/anonymize/labels.js';
import { IMAGES, psnr, runCli, sha256, tempDir } from '../helpers.js';

async function rgb(path: string) {
  const { data, info } = await sharp(path).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

interface Region { x1: number; y1: number; x2: number; y2: number }

describe('faceblur on photos', () => {
  let dir: string;
  let photo: string;
  beforeAll(async () => {
    dir = tempDir();
    photo = join(dir, 'street.jpg');
    // A copy with GPS and camera EXIF, as a phone would write it.
    await sharp(join(IMAGES, 'deface_city.jpg'))
      .withExif({ IFD0: { Make: 'PhoneMaker', Model: 'Phone 12' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .jpeg({ quality: 95 })
      .toFile(photo);
  });

  it('covers every detected face in solid colour, keeps the rest, and strips EXIF', async () => {
    const before = sha256(photo);
    const r = await runCli([photo, '--replacewith', 'solid', '--color', 'ff00ff', '--boxes', '--mask-scale', '1', '--report', join(dir, 'r.json'), '--quiet']);
    expect(r.code).toBe(0);
    expect(sha256(photo)).toBe(before);
    const out = join(dir, 'street_anonymized.jpg');
    expect((await sharp(out).metadata()).exif).toBeUndefined();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const regions: Region[] = (await import(join(dir, 'r.json'), { with: { type: 'json' } })).default.files[0].frames[0].regions;
    expect(regions.length).toBeGreaterThanOrEqual(15);
    const a = await rgb(photo);
    const b = await rgb(out);
    for (const reg of regions) {
      const cx = Math.round((reg.x1 + reg.x2) / 2);
      const cy = Math.round((reg.y1 + reg.y2) / 2);
      const i = (cy * b.width + cx) * 3;
      // JPEG keeps the colour close to, not exactly, ff00ff.
      expect(b.data[i]).toBeGreaterThan(220);
      expect(b.data[i + 1]).toBeLessThan(40);
      expect(b.data[i + 2]).toBeGreaterThan(220);
    }
    const outside = (x: number, y: number) => regions.every((g) => x < g.x1 - 3 || x >= g.x2 + 3 || y < g.y1 - 3 || y >= g.y2 + 3);
    expect(psnr(a.data, b.data, a.width, outside)).toBeGreaterThan(38);
  });

  it('--draw-scores draws each face box with its score, green when it passes the threshold and amber just below it', async () => {
    const src = join(dir, 'scores.png');
    await sharp(join(IMAGES, 'deface_city.jpg')).png().toFile(src);
    // A strict threshold leaves some faces just below it, which are drawn in amber but not anonymized.
    const r = await runCli([src, '--draw-scores', '--replacewith', 'none', '--thresh', '0.9', '--report', join(dir, 's.json'), '--quiet']);
    expect(r.code).toBe(0);
    const regions: Region[] = (await import(join(dir, 's.json'), { with: { type: 'json' } })).default.files[0].frames[0].regions.map((x: { face: Region }) => x.face);
    expect(regions.length).toBeGreaterThan(5);
    const a = await rgb(src);
    const b = await rgb(join(dir, 'scores_not_anonymized.png'));
    const is = (x: number, y: number, c: { r: number; g: number; b: number }) => {
      const i = (Math.round(y) * b.width + Math.round(x)) * 3;
      return b.data[i] === c.r && b.data[i + 1] === c.g && b.data[i + 2] === c.b;
    };
    // Each passing face has its box: the middle of its left edge is green (allowing a neighbour's label on top of a few).
    const outlined = regions.filter((g) => is(g.x1, (g.y1 + g.y2) / 2, PASS_COLOUR)).length;
    expect(outlined).toBeGreaterThanOrEqual(Math.ceil(regions.length * 0.8));
    let amber = 0;
    let changed = 0;
    for (let y = 0; y < b.height; y++) {
      for (let x = 0; x < b.width; x++) {
        if (is(x, y, BELOW_COLOUR)) amber++;
        const i = (y * b.width + x) * 3;
        if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) changed++;
      }
    }
    expect(amber).toBeGreaterThan(50);
    // Only outlines and labels are drawn: the picture is otherwise the input's.
    expect(changed / (b.width * b.height)).toBeLessThan(0.06);
  });

  it('keeps the colour profile while stripping EXIF and GPS, and keeps the pixel values in that profile', async () => {
    const p3 = join(dir, 'p3.jpg');
    // A wide-gamut phone photo: Display P3 profile, camera and GPS EXIF.
    await sharp(join(IMAGES, 'human_group-1.jpg'))
      .withIccProfile('p3')
      .withExif({ IFD0: { Make: 'PhoneMaker', Model: 'Phone 12' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .jpeg({ quality: 95 })
      .toFile(p3);
    const r = await runCli([p3, '--report', join(dir, 'p3.json'), '--quiet']);
    expect(r.code).toBe(0);
    const out = join(dir, 'p3_anonymized.jpg');
    const [inMeta, outMeta] = [await sharp(p3).metadata(), await sharp(out).metadata()];
    expect(inMeta.icc).toBeDefined();
    expect(outMeta.icc?.equals(inMeta.icc!)).toBe(true);
    expect(outMeta.exif).toBeUndefined();
    const tags = execFileSync('exiftool', ['-s', '-G', out], { encoding: 'utf8' });
    expect(tags).toMatch(/ProfileDescription\s+: \S/);
    expect(tags).not.toMatch(/GPS|PhoneMaker|Make\s/);
    // Away from the faces, the values in the photo's own profile are the input's (up to JPEG noise):
    // a conversion to sRGB on the way would shift them by far more.
    const native = async (path: string) => new Uint8Array(await sharp(path).keepIccProfile().raw().toBuffer());
    const regions: Region[] = (await import(join(dir, 'p3.json'), { with: { type: 'json' } })).default.files[0].frames[0].regions;
    const outside = (x: number, y: number) => regions.every((g) => x < g.x1 - 3 || x >= g.x2 + 3 || y < g.y1 - 3 || y >= g.y2 + 3);
    expect(psnr(await native(p3), await native(out), outMeta.width!, outside)).toBeGreaterThan(38);
  });

  it('keeps EXIF with --keep-metadata, with the orientation reset to match the pixels', async () => {
    const r = await runCli([photo, '-o', join(dir, 'kept.jpg'), '--keep-metadata', '--quiet']);
    expect(r.code).toBe(0);
    const meta = await sharp(join(dir, 'kept.jpg')).metadata();
    expect(meta.exif?.toString('latin1')).toContain('PhoneMaker');
    expect(meta.orientation ?? 1).toBe(1);
  });

  it('applies EXIF orientation before detecting, and writes the picture upright', async () => {
    const turned = join(dir, 'turned.jpg');
    // Pixels stored rotated, with EXIF orientation 6 (display rotated 90° clockwise) to undo it.
    await sharp(join(IMAGES, 'human_group-1.jpg')).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toFile(turned);
    const r = await runCli([turned, '--report', join(dir, 'turned.json'), '--quiet']);
    expect(r.code).toBe(0);
    const up = await sharp(join(dir, 'turned_anonymized.jpg')).metadata();
    const original = await sharp(join(IMAGES, 'human_group-1.jpg')).metadata();
    expect([up.width, up.height]).toEqual([original.width, original.height]);
    const report = (await import(join(dir, 'turned.json'), { with: { type: 'json' } })).default;
    expect(report.files[0].frames[0].regions.length).toBeGreaterThanOrEqual(14);
  });

  it('pixelates PNGs and keeps the format; a folder of photos goes to -o DIR/', async () => {
    const src = join(dir, 'folder');
    await sharp(join(IMAGES, 'human_group-1.jpg')).resize(800).png().toFile(join(dir, 'g.png'));
    mkdirSync(src);
    copyFileSync(join(dir, 'g.png'), join(src, 'one.png'));
    copyFileSync(join(IMAGES, 'deface_city.jpg'), join(src, 'two.jpg'));
    const r = await runCli([src, '-o', join(dir, 'out') + '/', '--replacewith', 'pixelate', '--quiet']);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['one.png', 'two.jpg']);
    expect((await sharp(join(dir, 'out', 'one.png')).metadata()).format).toBe('png');
    const a = await rgb(join(src, 'one.png'));
    const b = await rgb(join(dir, 'out', 'one.png'));
    expect(psnr(a.data, b.data, a.width, () => true)).toBeLessThan(45);
  });

  it('a glob faceblur expands mirrors its folders under -o DIR/, so that same-named files do not collide', async () => {
    const base = join(dir, 'footage');
    for (const day of ['day1', 'day2']) {
      mkdirSync(join(base, day), { recursive: true });
      await sharp(join(IMAGES, 'human_group-1.jpg')).resize(640).png().toFile(join(base, day, 'a.png'));
    }
    const out = join(dir, 'glob-out');
    const r = await runCli([join(base, '**', '*.png'), '-o', `${out}/`, '--quiet']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trim().split('\n').sort()).toEqual([join(out, 'day1', 'a.png'), join(out, 'day2', 'a.png')]);
    const input = await rgb(join(base, 'day1', 'a.png'));
    for (const day of ['day1', 'day2']) {
      const written = await rgb(join(out, day, 'a.png'));
      expect(psnr(input.data, written.data, input.width, () => true), day).toBeLessThan(45);
    }
  });

  it('--report - writes the report to stdout, in place of the output paths, and no file named "-"', async () => {
    const run = tempDir();
    const tmp = tempDir();
    copyFileSync(photo, join(run, 'a.jpg'));
    writeFileSync(join(run, 'b.jpg'), 'not a photo');
    const r = await runCli(['a.jpg', 'b.jpg', '--report', '-', '--quiet'], { cwd: run, env: { TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.format).toBe('faceblur-report');
    const [a, b] = ['a.jpg', 'b.jpg'].map((n) => report.files.find((f: { input: string }) => f.input.endsWith(n)));
    expect(a.status).toBe('ok');
    expect(a.output).toMatch(/a_anonymized\.jpg$/);
    expect(a.frames[0].regions.length).toBeGreaterThan(0);
    expect(b.status).toBe('failed');
    expect(readdirSync(run).sort()).toEqual(['a.jpg', 'a_anonymized.jpg', 'b.jpg']);
    // The report's temp and part files went to the temp folder, and were removed.
    expect(readdirSync(tmp).filter((n) => n.includes('report'))).toEqual([]);
  });
});
