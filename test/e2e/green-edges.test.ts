import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, SHARED, tempDir } from '../helpers.js';

/**
 * Defect 2 of issue 13 end to end: blurring a real signer clip must not paint colours that the
 * input does not have. "Strongly green": G exceeds both R and B by at least 64 (a quarter of the
 * range). Skin, hair, clothes and this clip's backdrop never get there, and x264's re-encoding moves
 * a pixel by a few levels, not 64; the defect's chroma of 0 blended into a mask edge gives G − R
 * of 100–250 at full weight and still over 64 at a quarter weight.
 */
const W = 640;
const H = 480;

function rgbFrames(path: string): Uint8Array[] {
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  const size = W * H * 3;
  return Array.from({ length: buf.length / size }, (_, i) => new Uint8Array(buf.buffer, buf.byteOffset + i * size, size));
}

const stronglyGreen = (p: Uint8Array, i: number): boolean => p[i + 1]! - p[i]! >= 64 && p[i + 1]! - p[i + 2]! >= 64;

describe('blur on a real clip adds no colour', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    copyFileSync(join(SHARED, 'data', 'videos', 'asl', 'again.mkv'), join(dir, 'signer.mkv'));
  });

  for (const filter of ['blur', 'pixelate']) {
    it(`${filter}: no strongly green pixel appears that the input does not have`, async () => {
      const r = await runCli([join(dir, 'signer.mkv'), '--replacewith', filter, '-o', join(dir, `${filter}.mkv`)]);
      expect(r.code, r.stderr).toBe(0);
      const before = rgbFrames(join(dir, 'signer.mkv'));
      const after = rgbFrames(join(dir, `${filter}.mkv`));
      expect(after).toHaveLength(before.length);
      const added = after.map((a, f) => {
        let n = 0;
        for (let i = 0; i < a.length; i += 3) if (stronglyGreen(a, i) && !stronglyGreen(before[f]!, i)) n++;
        return n;
      });
      expect(added.flatMap((n, f) => (n > 0 ? [`frame ${f}: ${n} px`] : []))).toEqual([]);
    });
  }
});
