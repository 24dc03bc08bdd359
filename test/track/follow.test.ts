import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxArea, intersectionArea, iou, type Box } from '../../src/detect/box.js';
import { decodeVideo, type DecodeLayout } from '../../src/media/decode.js';
import { ChildSet, findFfmpeg } from '../../src/media/ffmpeg.js';
import type { Frame } from '../../src/media/frame.js';
import { trackBox, type FollowedBox } from '../../src/track/follow.js';
import { ffmpeg, tempDir, WIDER } from '../helpers.js';

// A camera pan over a WIDER FACE photo, made at test time: frame n shows the 640x480 window whose
// top-left corner is (X0 + STEP * n, Y0) of the photo, so every region's true box in frame n is its
// box in the photo shifted by that corner, exactly.
const PHOTO = join(WIDER, 'images', '0--Parade', '0_Parade_Parade_0_461.jpg'); // 1024x768
const FACE = { x1: 518, y1: 224, x2: 610, y2: 334 }; // its one annotated face (WIDER gt.json)
const FRAMES = 60;
const SEED = 30;
const X0 = 100;
const Y0 = 100;
const STEP = 4;

const inFrame = (b: Box, n: number): Box => ({ x1: b.x1 - X0 - STEP * n, y1: b.y1 - Y0, x2: b.x2 - X0 - STEP * n, y2: b.y2 - Y0 });
const coverage = (followed: Box, truth: Box) => intersectionArea(followed, truth) / boxArea(truth);

let dir: string;
let clip: string;

beforeAll(() => {
  dir = tempDir();
  clip = join(dir, 'pan.mp4');
  ffmpeg([
    '-framerate', '30', '-loop', '1', '-i', PHOTO, '-vf', `crop=640:480:${X0}+${STEP}*n:${Y0},format=yuv420p`,
    '-frames:v', String(FRAMES), '-c:v', 'libx264', '-g', '12', '-crf', '16', clip,
  ]);
});

afterAll(() => execFileSync('rm', ['-rf', dir]));

/** The frames a track covers well (>= 80% of the true box), before and after the seed. */
function judge(track: FollowedBox[], truthIn: (n: number) => Box) {
  const good = track.filter((t) => coverage(t.box, truthIn(t.frame)) >= 0.8 && iou(t.box, truthIn(t.frame)) >= 0.5).map((t) => t.frame);
  return { before: good.filter((f) => f < SEED).length, after: good.filter((f) => f > SEED).length };
}

describe('trackBox on a real pan', () => {
  it('follows a face forward and backward, with windowed backward decoding', async () => {
    const progress: [number, number][] = [];
    const track = await trackBox(clip, SEED, inFrame(FACE, SEED), { windowFrames: 8, onProgress: (d, t) => progress.push([d, t]) });
    expect(track.map((t) => t.frame)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    expect(track.filter((t) => t.kind === 'keyframe').map((t) => t.frame)).toEqual([SEED]);
    expect(track[SEED]!.box).toEqual(inFrame(FACE, SEED));
    const { before, after } = judge(track, (n) => inFrame(FACE, n));
    expect(before).toBe(SEED);
    expect(after).toBe(FRAMES - SEED - 1);
    // Times are the frames' own: 30 fps from 0.
    expect(track[45]!.time).toBeCloseTo(1.5, 2);
    // Progress rises to its total and ends there.
    const last = progress[progress.length - 1]!;
    expect(last[0]).toBe(last[1]);
    expect(progress.every(([d], i) => i === 0 || d >= progress[i - 1]![0])).toBe(true);
  });

  it('follows a region that is not a face, both ways, with re-detection on', async () => {
    // A patch of the parade below the face: clothing and background, no face in it.
    const patch = { x1: 420, y1: 420, x2: 540, y2: 520 };
    const track = await trackBox(clip, SEED, inFrame(patch, SEED), { method: 'combined' });
    const { before, after } = judge(track, (n) => inFrame(patch, n));
    expect(before).toBeGreaterThanOrEqual(SEED - 2);
    expect(after).toBeGreaterThanOrEqual(FRAMES - SEED - 3);
  });

  it('ends where the region leaves the frame', async () => {
    // A region near the left edge: the pan moves it out of the picture at about frame 40.
    const edge = { x1: 130, y1: 300, x2: 230, y2: 400 };
    const track = await trackBox(clip, 10, inFrame(edge, 10));
    const lastFrame = track[track.length - 1]!.frame;
    // Visible share 1/4 (MIN_VISIBLE) at x1 = -75: frame n with 130 - 100 - 4n = -75, n ≈ 26.
    expect(lastFrame).toBeGreaterThanOrEqual(24);
    expect(lastFrame).toBeLessThanOrEqual(28);
  });

  it('rejects a frame past the end and a box outside the frame', async () => {
    await expect(trackBox(clip, FRAMES + 5, inFrame(FACE, 0))).rejects.toThrow(/past the end/);
    await expect(trackBox(clip, 0, { x1: 700, y1: 10, x2: 760, y2: 60 })).rejects.toThrow(/4x4 pixels/);
  });

  it('stops on abort: rejects with an AbortError and leaves no ffmpeg running', async () => {
    const controller = new AbortController();
    const run = trackBox(clip, SEED, inFrame(FACE, SEED), {
      signal: controller.signal,
      onProgress: (done) => done >= 10 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // ps exits 1 when it lists nothing, which is the outcome wanted here.
    const children = spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout.split('\n');
    expect(children.filter((c) => c.includes('ffmpeg'))).toEqual([]);
  });
});

describe("the follower's luma-only decoding", () => {
  const decodeAll = async (path: string, layout: DecodeLayout) => {
    // No frame is released, so no buffer is reused: each keeps its pixels.
    const out: Frame[] = [];
    for await (const f of decodeVideo(findFfmpeg(), path, new ChildSet(), { startTime: 0 }, layout).frames) out.push(f);
    return out;
  };

  // The template match must see the same pixels as with full frames, so that gray decoding changes
  // nothing but the cost: the Y plane of yuv420p, byte for byte, at the same times. Also for a
  // 10-bit 4:2:2 source of odd size, which must first go through the same conversion to yuv420p.
  it.each([
    ['the yuv420p pan', () => clip],
    ['a 10-bit 4:2:2 clip of odd size', () => {
      const odd = join(dir, 'odd-422p10.mkv');
      ffmpeg(['-i', clip, '-vf', 'scale=321:241', '-frames:v', '12', '-pix_fmt', 'yuv422p10le', '-c:v', 'ffv1', odd]);
      return odd;
    }],
  ])('gives the Y plane of yuv420p decoding for %s', async (_, make) => {
    const path = make();
    const [yuv, gray] = [await decodeAll(path, 'yuv420p'), await decodeAll(path, 'gray')];
    expect(gray.length).toBeGreaterThanOrEqual(12);
    expect(gray.length).toBe(yuv.length);
    gray.forEach((g, i) => {
      const y = yuv[i]!;
      expect(g.layout).toBe('gray');
      expect(g.planes).toHaveLength(1);
      expect(g.packed!.length).toBe(y.width * y.height);
      expect(g.time).toBe(y.time);
      expect(Buffer.compare(g.planes[0]!.data, y.planes[0]!.data)).toBe(0);
    });
  });
});
