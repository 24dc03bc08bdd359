import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { frameTimes, runCli, tempDir } from '../helpers.js';
import { longVfrClip } from '../queue/clips.js';

/**
 * `--render-segment FIRST:COUNT:PTS` (what `faceblur worker` runs for each segment of a long video) gives
 * each of its frames the masks and the timestamp that a run over the whole video gives it, seams
 * included: the pre-roll (the tracker's memory) and the post-roll (its look-ahead) are decoded but
 * not encoded.
 */

interface ReportFrame { index: number; time: number; regions: { track?: number }[] }
const framesOf = (path: string): ReportFrame[] => (JSON.parse(readFileSync(path, 'utf8')) as { files: { frames: ReportFrame[] }[] }).files[0]!.frames;
/** The regions without their track ids, which count from each run's own first track. */
const masks = (f: ReportFrame): string => JSON.stringify(f.regions.map(({ track: _, ...r }) => r));

describe('--render-segment', () => {
  let dir: string;
  let clip: string;
  let whole: ReportFrame[];
  let wholeTimes: number[];
  beforeAll(async () => {
    dir = tempDir();
    clip = longVfrClip(dir);
    const r = await runCli([clip, '-o', join(dir, 'whole.mkv'), '--no-audio', '--report', join(dir, 'whole.json'), '-q']);
    expect(r.code, r.stderr).toBe(0);
    whole = framesOf(join(dir, 'whole.json'));
    wholeTimes = frameTimes(join(dir, 'whole.mkv'));
  });

  // The clip's keyframes are at frames 0, 8, 16… (0, 1.3, 2.6… s); segments start at frames 24 (4.0 s) and 48 (8.0 s).
  it.each([
    ['first', 0, 24, 0],
    ['middle', 24, 24, 4],
    ['last', 48, 24, 8],
  ])('renders the %s segment with the masks and timestamps of the whole run', async (_, first, count, pts) => {
    const out = join(dir, `seg-${first}.mkv`);
    const r = await runCli([clip, '-o', out, '--render-segment', `${first}:${count}:${pts}`, '--report', join(dir, `seg-${first}.json`), '-q']);
    expect(r.code, r.stderr).toBe(0);
    const seg = framesOf(join(dir, `seg-${first}.json`));
    expect(seg.map((f) => f.index)).toEqual(Array.from({ length: count }, (_, i) => first + i));
    for (const f of seg) expect(masks(f), `frame ${f.index}`).toBe(masks(whole[f.index]!));
    // Faces on both sides of every seam, so that the seams are tested: the clip has someone in view from its fourth frame on.
    const seams = [first > 0 ? seg[0]! : undefined, first + count < whole.length ? seg[count - 1]! : undefined].filter((f) => f !== undefined);
    for (const f of seams) expect(f.regions.length, `frame ${f.index}`).toBeGreaterThan(0);
    expect(frameTimes(out)).toEqual(wholeTimes.slice(first, first + count));
  });

  it('refuses what a segment cannot be: several inputs, an output other than .mkv, a photo', async () => {
    for (const args of [[clip, clip, '-o', join(dir, 'x/')], [clip, '-o', join(dir, 'x.mp4')]]) {
      const r = await runCli([...args, '--render-segment', '0:10:0', '-q']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--render-segment renders one video/);
    }
    const bad = await runCli([clip, '-o', join(dir, 'x.mkv'), '--render-segment', '0:0:0', '-q']);
    expect(bad.code).toBe(2);
  });
});
