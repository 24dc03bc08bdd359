import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPlausibleFace } from '../../src/track/plausible.js';
import { ffmpeg, IMAGES, runCli, SHARED, tempDir } from '../helpers.js';

// Issue 13, defects 1 and 5, end to end: the built CLI on real signer clips and on a shaking window
// over a crowd photo, judged from the --report and from the output's pixels.

interface Region { x1: number; y1: number; x2: number; y2: number; score: number; kind: string; face: { x1: number; y1: number; x2: number; y2: number } }
interface Report { files: { width: number; height: number; frames: { index: number; regions: Region[] }[] }[] }

/** Every frame of a video as packed RGB. */
function rgbFrames(path: string, width: number, height: number): Uint8Array[] {
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  const n = width * height * 3;
  return Array.from({ length: buf.length / n }, (_, f) => new Uint8Array(buf.buffer, buf.byteOffset + f * n, n));
}
const magenta = (p: Uint8Array, i: number) => p[i]! > 170 && p[i + 1]! < 100 && p[i + 2]! > 170;

/** Runs the CLI with a solid magenta fill and returns its report and, per frame, a 0/1 map of the pixels it changed. */
async function anonymize(input: string, extra: string[] = []): Promise<{ report: Report; changed: Uint8Array[]; width: number; height: number }> {
  const dir = tempDir();
  const out = join(dir, 'out.mp4');
  const reportPath = join(dir, 'r.json');
  const r = await runCli([input, '-o', out, '--replacewith', 'solid', '--color', 'ff00ff', '--report', reportPath, '--quiet', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  const { width, height } = report.files[0]!;
  const before = rgbFrames(input, width, height);
  // Changed: magenta in the output where the input was not (the fill colour, not re-encoding noise).
  const changed = rgbFrames(out, width, height).map((o, f) => {
    const m = new Uint8Array(width * height);
    for (let i = 0; i < m.length; i++) if (magenta(o, 3 * i) && !magenta(before[f]!, 3 * i)) m[i] = 1;
    return m;
  });
  return { report, changed, width, height };
}

/** Every region of the report: mask bounds inside the frame and not degenerate; the face box of a shape a face has. */
function expectPlausibleRegions(report: Report): void {
  const { width, height, frames } = report.files[0]!;
  for (const f of frames) {
    for (const g of f.regions) {
      expect(g.x1, `frame ${f.index}`).toBeGreaterThanOrEqual(0);
      expect(g.y1).toBeGreaterThanOrEqual(0);
      expect(g.x2).toBeLessThanOrEqual(width);
      expect(g.y2).toBeLessThanOrEqual(height);
      expect(Math.min(g.x2 - g.x1, g.y2 - g.y1), `frame ${f.index}`).toBeGreaterThanOrEqual(3);
      // The report clips face boxes to the frame, so a face cut by the frame's edge is judged on its size only.
      const cut = g.face.x1 <= 0 || g.face.y1 <= 0 || g.face.x2 >= width || g.face.y2 >= height;
      if (!cut) expect(isPlausibleFace(g.face, { width, height }), `frame ${f.index}: face ${JSON.stringify(g.face)}`).toBe(true);
      const [cx, cy] = [(g.face.x1 + g.face.x2) / 2, (g.face.y1 + g.face.y2) / 2];
      expect(cx >= 0 && cx <= width && cy >= 0 && cy <= height, `frame ${f.index}: face centre outside the frame`).toBe(true);
    }
  }
}

const share = (m: Uint8Array) => m.reduce((a, b) => a + b, 0) / m.length;
const asl = (name: string) => {
  const dir = tempDir();
  const path = join(dir, name);
  copyFileSync(join(SHARED, 'data', 'videos', 'asl', name), path);
  return path;
};

describe('tracking keeps masks plausible on real signer clips (one face per frame)', () => {
  it('again.mkv: every region is inside the frame, not degenerate, face-shaped; no frame has more than a fifth of its picture changed', { timeout: 300_000 }, async () => {
    const { report, changed } = await anonymize(asl('again.mkv'));
    expectPlausibleRegions(report);
    // Before issue 13, frames 50–52 were blurred whole and 27 of 77 frames over a third changed; then
    // the signing hands, scored as faces at 0.73–0.75 in boxes 1.7 times the face's size, were
    // tracked for 40 frames (24% changed at worst) until outsized boxes needed 0.8 beside a face of 0.8.
    expect(Math.max(...changed.map(share))).toBeLessThanOrEqual(1 / 5);
    // No region is over 1.5 times the size of the signer's face detected at 0.8 or more in its frame
    // (the hands' boxes were 144–212 px against his 86; 114 px at most now).
    const side = (b: { x1: number; y1: number; x2: number; y2: number }) => Math.max(b.x2 - b.x1, b.y2 - b.y1);
    for (const f of report.files[0]!.frames) {
      const sure = f.regions.filter((g) => g.kind === 'detected' && g.score >= 0.8).map((g) => side(g.face));
      if (sure.length > 0) expect(Math.max(...f.regions.map((g) => side(g.face))), `frame ${f.index}`).toBeLessThanOrEqual(1.5 * Math.max(...sure));
    }
  });

  it('sister.mkv: every region is inside the frame, not degenerate, face-shaped; no frame has more than a fifth of its picture changed', { timeout: 300_000 }, async () => {
    const { report, changed } = await anonymize(asl('sister.mkv'));
    expectPlausibleRegions(report);
    expect(Math.max(...changed.map(share))).toBeLessThanOrEqual(1 / 5);
    // The tall body box beside his face (330,63–399,349 at 0.69) is gone: no region is taller than wide by 2.5:1 or more.
    const faces = report.files[0]!.frames.flatMap((f) => f.regions.map((g) => g.face));
    expect(faces.filter((b) => (b.y2 - b.y1) / (b.x2 - b.x1) >= 2.5 || (b.x2 - b.x1) / (b.y2 - b.y1) >= 2.5)).toEqual([]);
  });
});

describe('fast camera shake (issue 13, defect 5)', () => {
  it('never leaves a face that the frame\'s own detection covers less covered than frame-by-frame detection does', { timeout: 300_000 }, async () => {
    // A 640x480 window shaking ±60 px horizontally and ±40 px vertically over a group photo, with periods
    // of 10 and 7 frames (up to 38 px a frame), at 30 fps.
    const dir = tempDir();
    const clip = join(dir, 'shake.mp4');
    ffmpeg([
      '-loop', '1', '-framerate', '30', '-i', join(IMAGES, 'human_group-1.jpg'), '-t', '1.5',
      '-filter:v', "scale=800:-2,crop=640:480:'(iw-640)/2+60*sin(2*PI*n/10)':'(ih-480)/2+40*sin(2*PI*n/7+1)'",
      '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', clip,
    ]);
    const tracked = await anonymize(clip);
    const raw = await anonymize(clip, ['--no-tracking']);
    expectPlausibleRegions(tracked.report);
    const cover = (m: Uint8Array, b: Region['face']) => {
      let c = 0, a = 0;
      for (let y = Math.max(0, Math.floor(b.y1)); y < Math.min(480, Math.ceil(b.y2)); y++) {
        for (let x = Math.max(0, Math.floor(b.x1)); x < Math.min(640, Math.ceil(b.x2)); x++) { a++; c += m[y * 640 + x]!; }
      }
      return a ? c / a : 1;
    };
    let checked = 0;
    const worse: string[] = [];
    raw.report.files[0]!.frames.forEach((f, i) => {
      for (const d of f.regions) {
        if (cover(raw.changed[i]!, d.face) < 0.8) continue;
        checked++;
        const c = cover(tracked.changed[i]!, d.face);
        if (c < 0.8) worse.push(`frame ${i}: ${JSON.stringify(d.face)} ${c.toFixed(2)}`);
      }
    });
    expect(checked).toBeGreaterThan(40);
    expect(worse).toEqual([]);
  });
});
