import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffmpeg, runCli, SHARED, tempDir, WIDER } from '../helpers.js';

// bench:video-style clips made at test time (issue 13): a 640x480 window over an annotated WIDER
// FACE photo, shaking fast or still, with each frame's ground truth from the same transform. Bounds the
// exposed face-frames and the spill of the default settings, so that a regression fails.

const W = 640, H = 480, FRAMES = 30;

interface Face { x: number; y: number; w: number; h: number; invalid?: number; medium?: boolean }

/**
 * A clip of a window over a photo scaled to `scaledW` pixels wide: at frame n the window sits at the middle
 * plus ax·sin(2πn/10), ay·sin(2πn/7 + 1) scaled-photo pixels (±60/±40 is the field report's fast
 * shake: up to 38 px a frame; 0/0 a still camera).
 */
interface Case { photo: string; scaledW: number; ax: number; ay: number; bounds: { exposed: number; spillMean: number; spillWorst: number } }

/**
 * Every medium face-frame covered: the right value, met on both. Spill: the issue's target is 3%
 * mean and 10% in the worst frame. On the fast shake it is NOT met (0.113 mean, 0.127 worst with
 * the camera's motion carried and large boxes held to 0.5; 0.299 and 0.320 before that; frame by
 * frame, --no-tracking, 0.065 and 0.081; before issue 13's first change 0.496 and 0.592): these
 * bounds guard against a regression until it is. The family photo is bench:video's clip with the
 * worst spill before outsized boxes needed 0.6: a folded-arms torso at 0.51–0.58, four times the
 * size of the faces around it, masked over a fifth of the picture; its bounds are the target.
 */
const CASES: Record<string, Case> = {
  'fast shake over a parade': { photo: '0--Parade/0_Parade_Parade_0_120.jpg', scaledW: 800, ax: 60, ay: 40, bounds: { exposed: 0, spillMean: 0.15, spillWorst: 0.16 } },
  'a still family photo (a torso among faces)': { photo: '20--Family_Group/20_Family_Group_Family_Group_20_272.jpg', scaledW: 960, ax: 0, ay: 0, bounds: { exposed: 0, spillMean: 0.03, spillWorst: 0.1 } },
};

it.each(Object.entries(CASES))('default settings, %s: exposure and spill stay bounded', { timeout: 300_000 }, async (_, { photo: PHOTO, scaledW: SCALED_W, ax, ay, bounds: BOUNDS }) => {
  /** The window's offset at frame n, in scaled-photo pixels. */
  const offset = (n: number, sh: number) => [Math.floor((SCALED_W - W) / 2 + ax * Math.sin((2 * Math.PI * n) / 10)), Math.floor((sh - H) / 2 + ay * Math.sin((2 * Math.PI * n) / 7 + 1))] as const;
  const gt = JSON.parse(readFileSync(join(WIDER, 'gt.json'), 'utf8')) as { images: { file: string; width: number; height: number; faces: Face[] }[] };
  const im = gt.images.find((i) => i.file === PHOTO)!;
  const s = SCALED_W / im.width;
  const sh = 2 * Math.round((im.height * s) / 2);
  const sy = sh / im.height;
  const dir = tempDir();
  const clip = join(dir, 'clip.mp4');
  ffmpeg([
    '-loop', '1', '-framerate', '30', '-i', join(WIDER, 'images', PHOTO), '-frames:v', String(FRAMES),
    '-filter:v', `scale=${SCALED_W}:${sh},crop=${W}:${H}:'floor((iw-${W})/2+${ax}*sin(2*PI*n/10))':'floor((ih-${H})/2+${ay}*sin(2*PI*n/7+1))':exact=1`,
    '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', clip,
  ]);
  const out = join(dir, 'out.mp4');
  const r = await runCli([clip, '-o', out, '--replacewith', 'solid', '--color', 'ff00ff', '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 28 });
  expect(buf.length).toBe(FRAMES * W * H * 3);
  let pairs = 0, exposed = 0;
  const spills: number[] = [];
  for (let n = 0; n < FRAMES; n++) {
    const map = new Uint8Array(W * H);
    for (let i = 0; i < W * H; i++) {
      const j = 3 * (n * W * H + i);
      if (buf[j]! > 170 && buf[j + 1]! < 100 && buf[j + 2]! > 170) map[i] = 1;
    }
    const [ox, oy] = offset(n, sh);
    const boxes = im.faces.map((f) => ({ f, x1: f.x * s - ox, y1: f.y * sy - oy, x2: (f.x + f.w) * s - ox, y2: (f.y + f.h) * sy - oy }));
    // Spill: anonymized outside every face box (all faces) enlarged 2x about its centre.
    const allowed = new Uint8Array(W * H);
    for (const b of boxes) {
      const [w, h, cx, cy] = [b.x2 - b.x1, b.y2 - b.y1, (b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2];
      const [xa, xb] = [Math.max(0, Math.floor(cx - w)), Math.min(W, Math.ceil(cx + w))];
      for (let y = Math.max(0, Math.floor(cy - h)); y < Math.min(H, Math.ceil(cy + h)); y++) if (xb > xa) allowed.fill(1, y * W + xa, y * W + xb);
    }
    let out = 0;
    for (let i = 0; i < map.length; i++) if (map[i] && !allowed[i]) out++;
    spills.push(out / map.length);
    // Exposure: medium, valid faces at least 60% in the picture, under 80% of their box covered.
    for (const b of boxes) {
      const v = { x1: Math.max(0, b.x1), y1: Math.max(0, b.y1), x2: Math.min(W, b.x2), y2: Math.min(H, b.y2) };
      const area = (q: typeof v) => Math.max(0, q.x2 - q.x1) * Math.max(0, q.y2 - q.y1);
      if (b.f.invalid || !b.f.medium || area(v) < 0.6 * area(b)) continue;
      let c = 0, a = 0;
      for (let y = Math.floor(v.y1); y < Math.ceil(v.y2); y++) for (let x = Math.floor(v.x1); x < Math.ceil(v.x2); x++) { a++; c += map[y * W + x]!; }
      pairs++;
      if (c / a < 0.8) exposed++;
    }
  }
  const mean = spills.reduce((a, b) => a + b, 0) / spills.length;
  expect(pairs).toBeGreaterThan(60);
  expect(exposed / pairs).toBeLessThanOrEqual(BOUNDS.exposed);
  expect(mean).toBeLessThanOrEqual(BOUNDS.spillMean);
  expect(Math.max(...spills)).toBeLessThanOrEqual(BOUNDS.spillWorst);
});


/** The share of each frame's pixels that a solid magenta fill changed, decoded from the output. */
function changedShares(path: string, w: number, h: number): number[] {
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 29 });
  const n = w * h;
  const shares: number[] = [];
  for (let f = 0; f * 3 * n < buf.length; f++) {
    let c = 0;
    for (let i = 0, j = f * 3 * n; i < n; i++, j += 3) if (buf[j]! > 170 && buf[j + 1]! < 100 && buf[j + 2]! > 170) c++;
    shares.push(c / n);
  }
  return shares;
}

// The real signer clips (issue 13): one face per frame, hands moving over and beside it. The target
// is that no frame has more than a fifth of its picture changed, and all three meet it: sister.mkv
// (12.9%), help.mkv (14.8%, 24% before large boxes needed 0.5) and again.mkv (the case: 12.4%;
// 31.0% before issue 13's changes, 24.0% before outsized boxes needed 0.8 beside a face of 0.8, its
// signer's hands being detected at 0.73–0.75; docs/accuracy.md).
const ASL = join(SHARED, 'data', 'videos', 'asl');
const ASL_WORST: Record<string, number> = { 'sister.mkv': 0.2, 'again.mkv': 0.2, 'help.mkv': 0.2 };
describe('ASL signer clips with the default settings', () => {
  it.each(Object.entries(ASL_WORST))('%s: no frame has more than %s of its picture changed', { timeout: 180_000 }, async (file, bound) => {
    const out = join(tempDir(), 'out.mp4');
    const r = await runCli([join(ASL, file), '-o', out, '--replacewith', 'solid', '--color', 'ff00ff', '--quiet'], { timeoutMs: 170_000 });
    expect(r.code, r.stderr).toBe(0);
    const shares = changedShares(out, 640, 480);
    expect(shares.length).toBeGreaterThan(30);
    // The signer's face is covered in most frames (a mask of at least 1% of the picture), so a run
    // that covers nothing cannot pass.
    expect(shares.filter((x) => x >= 0.01).length).toBeGreaterThanOrEqual(0.9 * shares.length);
    expect(Math.max(...shares)).toBeLessThanOrEqual(bound);
  });
});
