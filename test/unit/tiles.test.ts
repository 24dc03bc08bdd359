import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cropFrame, fromTile, halvesFor, MAX_TILE_SIDE, TILE_OVERLAP, tilesFor } from '../../src/detect/tiles.js';
import { truncationOf } from '../../src/media/integrity.js';
import { frameFromBuffer } from '../../src/media/frame.js';
import { tempDir } from '../helpers.js';

describe('tilesFor', () => {
  it('leaves frames whose detector input fits alone', () => {
    expect(tilesFor(1920, 1080, 1920, 1080)).toBeUndefined();
    expect(tilesFor(1024, 768, 2048, 1536)).toBeUndefined();
  });

  for (const [w, h, f] of [[3840, 2160, 1], [7680, 4320, 1], [7680, 4320, 0.5], [4321, 7681, 1], [1000, 700, 3]] as const) {
    it(`covers ${w}x${h} at ${f}x with equal, even, overlapping tiles that fit`, () => {
      const tiles = tilesFor(w, h, Math.round(w * f), Math.round(h * f))!;
      expect(tiles.length).toBeGreaterThan(1);
      const { width, height } = tiles[0]!;
      for (const t of tiles) {
        expect([t.width, t.height]).toEqual([width, height]);
        expect(t.x % 2 + t.y % 2).toBe(0);
        expect(t.x + t.width).toBeLessThanOrEqual(w);
        expect(t.y + t.height).toBeLessThanOrEqual(h);
      }
      expect(Math.round(width * f)).toBeLessThanOrEqual(MAX_TILE_SIDE + 2);
      expect(Math.round(height * f)).toBeLessThanOrEqual(MAX_TILE_SIDE + 2);
      // Every square of TILE_OVERLAP detector pixels lies whole inside some tile.
      const face = Math.floor(TILE_OVERLAP / f);
      for (let y = 0; y + face <= h; y += 97) {
        for (let x = 0; x + face <= w; x += 89) {
          const inside = tiles.some((t) => x >= t.x && y >= t.y && x + face <= t.x + t.width && y + face <= t.y + t.height);
          expect(inside, `face at ${x},${y}`).toBe(true);
        }
      }
    });
  }

  for (const [w, h, f] of [[1280, 720, 1], [1920, 1080, 1], [640, 480, 2], [720, 1280, 1], [3840, 2160, 1]] as const) {
    it(`splits ${w}x${h} at ${f}x into two turns that together see every face up to the overlap whole`, () => {
      const turns = halvesFor(w, h, Math.round(w * f), Math.round(h * f));
      expect(turns).toHaveLength(2);
      const all = turns.flat();
      const area = all.reduce((s, t) => s + t.width * t.height, 0);
      // Each turn costs a little over half of the whole pass.
      for (const turn of turns) expect(turn.reduce((s, t) => s + t.width * t.height, 0)).toBeLessThan(0.65 * w * h);
      expect(area).toBeLessThan(1.3 * w * h);
      for (const t of all) expect([t.x % 2, t.y % 2, t.x + t.width <= w, t.y + t.height <= h]).toEqual([0, 0, true, true]);
      const face = Math.floor(TILE_OVERLAP / f);
      for (let y = 0; y + face <= h - 1; y += 37) {
        for (let x = 0; x + face <= w - 1; x += 41) {
          const inside = all.some((t) => x >= t.x && y >= t.y && x + face <= t.x + t.width && y + face <= t.y + t.height);
          expect(inside, `face at ${x},${y}`).toBe(true);
        }
      }
    });
  }

  it('leaves a frame too small to split whole', () => {
    expect(halvesFor(200, 150, 200, 150)).toEqual([[{ x: 0, y: 0, width: 200, height: 150 }]]);
  });

  it('crops all three planes of a 4:2:0 frame and maps detections back', () => {
    const w = 8, h = 6;
    const buf = Uint8Array.from({ length: w * h * 1.5 }, (_, i) => i % 251);
    const frame = frameFromBuffer(buf, 'yuv420p', w, h, 3, 0.1);
    const crop = cropFrame(frame, { x: 2, y: 2, width: 4, height: 4 });
    expect(crop.planes[0]!.data).toEqual(Uint8Array.from([18, 19, 20, 21, 26, 27, 28, 29, 34, 35, 36, 37, 42, 43, 44, 45]));
    // U plane is 4x3 starting at 48: the crop takes columns 1-2 of rows 1-2.
    expect(crop.planes[1]!.data).toEqual(Uint8Array.from([53, 54, 57, 58]));
    expect(crop.planes[2]!.data).toEqual(Uint8Array.from([65, 66, 69, 70]));
    expect([crop.index, crop.time]).toEqual([3, 0.1]);
    const d = fromTile({ score: 0.9, box: { x1: 1, y1: 1, x2: 3, y2: 3 }, landmarks: [{ x: 2, y: 2 }] }, { x: 10, y: 20, width: 4, height: 4 });
    expect(d).toEqual({ score: 0.9, box: { x1: 11, y1: 21, x2: 13, y2: 23 }, landmarks: [{ x: 12, y: 22 }] });
  });
});

describe('truncationOf', () => {
  const box = (type: string, body: number) => {
    const b = Buffer.alloc(8 + body);
    b.writeUInt32BE(8 + body, 0);
    b.write(type, 4, 'latin1');
    return b;
  };
  const file = (...parts: Buffer[]) => {
    const p = join(tempDir(), 'x.mp4');
    writeFileSync(p, Buffer.concat(parts));
    return p;
  };

  it('accepts whole files and files of other formats', async () => {
    expect(await truncationOf(file(box('ftyp', 16), box('mdat', 100), box('moov', 40)))).toBeUndefined();
    expect(await truncationOf(file(Buffer.from('\x1aE\xdf\xa3 matroska')))).toBeUndefined();
    expect(await truncationOf(file(Buffer.alloc(0)))).toBeUndefined();
  });

  it('finds a file with no index: what ffmpeg leaves, exiting 0, when the disk fills during +faststart', async () => {
    // ftyp, free, then an mdat whose size ffmpeg never filled in (0: "to the end of the file"), and no moov.
    const open = Buffer.alloc(8 + 500);
    open.write('mdat', 4, 'latin1');
    expect(await truncationOf(file(box('ftyp', 16), box('free', 0), open))).toMatch(/no index \(no 'moov' box\)/);
    expect(await truncationOf(file(box('ftyp', 16), box('mdat', 100)))).toMatch(/no index/);
    // The index before a box that runs to the end is whole.
    expect(await truncationOf(file(box('ftyp', 16), box('moov', 40), open))).toBeUndefined();
  });

  it('names the box a cut lands in, wherever it lands', async () => {
    const whole = Buffer.concat([box('ftyp', 16), box('mdat', 100), box('moov', 40)]);
    expect(await truncationOf(file(whole.subarray(0, 60)))).toMatch(/'mdat' box needs 72 more bytes/);
    expect(await truncationOf(file(whole.subarray(0, whole.length - 1)))).toMatch(/'moov' box needs 1 more bytes/);
    expect(await truncationOf(file(whole.subarray(0, 24 + 108 + 4)))).toMatch(/ends inside a box header/);
    // Under 8 bytes in all is no MP4 at all (a text file named .mp4): not called a truncated one.
    expect(await truncationOf(file(Buffer.from('hello\n')))).toBeUndefined();
  });
});
