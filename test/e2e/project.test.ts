import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipBox, type Box } from '../../src/detect/box.js';
import { rowsOf } from '../../src/project/boxes.js';
import { addManualTrack, setTrackAction } from '../../src/project/edit.js';
import { readProject, writeProject } from '../../src/project/file.js';
import type { Project, Track } from '../../src/project/schema.js';
import { ffmpeg, runCli, SHARED, sha256, tempDir } from '../helpers.js';

// The workflow of issue 14 on a real clip: analyze with a high threshold so that a face is left
// visible, keep one face, add a manual track on the missed one, render, and check the pixels.

const [W, H] = [480, 270];
const MAGENTA = ['--replacewith', 'solid', '--color', 'ff00ff', '--crf', '0'];

/** Every frame of a video as RGB24. */
function frames(path: string): Uint8Array[] {
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 512 * 1024 * 1024 });
  const size = W * H * 3;
  return Array.from({ length: buf.length / size }, (_, i) => new Uint8Array(buf.buffer, buf.byteOffset + i * size, size));
}

/** Where a face box's mask can reach: scaled by the default 1.3, plus the 10 px margin, plus 3 px for chroma and rounding. */
const zone = (b: Box): Box => {
  const [cx, cy, w, h] = [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2, (b.x2 - b.x1) * 0.65 + 13, (b.y2 - b.y1) * 0.65 + 13];
  return { x1: cx - w, y1: cy - h, x2: cx + w, y2: cy + h };
};
const inBox = (b: Box, x: number, y: number) => x >= b.x1 && x < b.x2 && y >= b.y1 && y < b.y2;
const overlaps = (a: Box, b: Box) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
const boxesByFrame = (t: Track) => new Map(rowsOf(t.boxes).map((r) => [r.frame, r.box]));
const isMagenta = (f: Uint8Array, x: number, y: number) => {
  const i = 3 * (y * W + x);
  return f[i]! > 200 && f[i + 1]! < 70 && f[i + 2]! > 200;
};

/** Within 2 px (a chroma block) of (x, y), one of the frames shows a mask and the reference also shows no mask. */
function atMaskEdge(ref: Uint8Array, got: Uint8Array, x: number, y: number): boolean {
  let masked = false;
  let clear = false;
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const [u, v] = [x + dx, y + dy];
      if (u < 0 || v < 0 || u >= W || v >= H) continue;
      if (isMagenta(ref, u, v) || isMagenta(got, u, v)) masked = true;
      if (!isMagenta(ref, u, v)) clear = true;
    }
  }
  return masked && clear;
}

describe('redaction projects: analyze → edit → render', () => {
  const dir = tempDir('faceblur-project-');
  const clip = join(dir, 'classroom.mkv');
  let high: Project;
  let all: Project;

  beforeAll(async () => {
    // A real classroom clip (Intel sample videos, CC-BY-4.0), made lossless so that pixels compare exactly.
    ffmpeg(['-i', join(SHARED, 'data', 'videos', 'classroom.gif'), '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv420p', clip]);
    const hash = sha256(clip);
    const a = await runCli(['analyze', clip, '--thresh', '0.8', '-o', join(dir, 'high.faceblur.json'), '-q']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.trim()).toBe(join(dir, 'high.faceblur.json'));
    const b = await runCli(['analyze', clip, '-q']);
    expect(b.code, b.stderr).toBe(0);
    expect(existsSync(join(dir, 'classroom.faceblur.json'))).toBe(true);
    expect(sha256(clip)).toBe(hash);
    high = await readProject(join(dir, 'high.faceblur.json'));
    all = await readProject(join(dir, 'classroom.faceblur.json'));
  });

  it('records the input and its frames, and leaves faces below --thresh as candidates or unredacted', () => {
    expect(high.input).toMatchObject({ path: 'classroom.mkv', kind: 'video', width: W, height: H, frameCount: 45 });
    expect(high.input.timestamps[15]).toBeCloseTo(1, 3);
    expect(high.settings.threshold).toBe(0.8);
    expect(high.tracks.length).toBeGreaterThan(0);
    expect(all.tracks.length).toBeGreaterThan(high.tracks.length);
    // Every candidate's best score is below the threshold, and at or above the floor.
    for (const c of high.candidates) expect(c.bestScore).toBeGreaterThanOrEqual(0.1), expect(c.bestScore).toBeLessThan(0.8);
    for (const t of high.tracks) for (const r of rowsOf(t.boxes)) if (r.kind === 'detected') expect(r.score).toBeGreaterThanOrEqual(0.8);
  });

  it('renders the edited project: the kept face untouched, the manual face anonymized, the rest as without a project', async () => {
    // The missed face: the default analysis's best-detected track that no high-threshold track overlaps on any frame.
    const redacted = high.tracks.map(boxesByFrame);
    const missed = all.tracks
      .filter((t) => rowsOf(t.boxes).every((r) => !redacted.some((m) => m.has(r.frame) && overlaps(zone(m.get(r.frame)!), r.box))))
      .sort((a, b) => rowsOf(b.boxes).filter((r) => r.kind === 'detected').length - rowsOf(a.boxes).filter((r) => r.kind === 'detected').length)[0]!;
    expect(missed).toBeDefined();
    // The kept face: a redacted track whose mask zone meets no other track's, so that its pixels are its own.
    const others = (t: Track) => [...high.tracks.filter((x) => x !== t), missed].map(boxesByFrame);
    const kept = high.tracks.find((t) => rowsOf(t.boxes).every((r) => others(t).every((m) => !m.has(r.frame) || !overlaps(zone(m.get(r.frame)!), zone(r.box)))))!;
    expect(kept).toBeDefined();
    let edited = setTrackAction(high, kept.id, 'keep');
    edited = addManualTrack(edited, rowsOf(missed.boxes), 'missed');
    await writeProject(join(dir, 'edited.faceblur.json'), edited);

    const out = join(dir, 'edited.mkv');
    const r = await runCli([clip, '--project', join(dir, 'edited.faceblur.json'), '-o', out, ...MAGENTA, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const live = join(dir, 'live.mkv');
    expect((await runCli([clip, '--thresh', '0.8', '-o', live, ...MAGENTA, '-q'])).code).toBe(0);
    const [src, got, ref] = [frames(clip), frames(out), frames(live)];
    expect(got).toHaveLength(45);
    const keptBoxes = boxesByFrame(kept);
    const manualBoxes = boxesByFrame(missed);
    let manualFrames = 0;
    let changedElsewhere = 0;
    let keptDiff = 0;
    const offEdge: string[] = [];
    for (let f = 0; f < 45; f++) {
      const k = keptBoxes.get(f);
      const m = manualBoxes.get(f);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = 3 * (y * W + x);
          const near = (k && inBox(zone(k), x, y)) || (m && inBox(zone(m), x, y));
          if (!near && (got[f]![i] !== ref[f]![i] || got[f]![i + 1] !== ref[f]![i + 1] || got[f]![i + 2] !== ref[f]![i + 2])) {
            changedElsewhere++;
            if (!atMaskEdge(ref[f]!, got[f]!, x, y)) offEdge.push(`frame ${f} (${x},${y})`);
          }
          if (k && inBox(k, x, y)) for (let c = 0; c < 3; c++) keptDiff += Math.abs(got[f]![i + c]! - src[f]![i + c]!);
        }
      }
      if (m) {
        // The central half of the missed face's box is covered in full.
        manualFrames++;
        const [w, h] = [m.x2 - m.x1, m.y2 - m.y1];
        for (let y = Math.ceil(m.y1 + h / 4); y < m.y2 - h / 4; y++) for (let x = Math.ceil(m.x1 + w / 4); x < m.x2 - w / 4; x++) expect(isMagenta(got[f]!, x, y), `frame ${f} (${x},${y})`).toBe(true);
      }
    }
    expect(manualFrames).toBeGreaterThan(0);
    expect(keptDiff, 'the kept face is the input, pixel for pixel').toBe(0);
    // Masks drawn from the project's boxes (kept to 0.1 px) may differ from the live run's by an edge
    // pixel now and then (a luma pixel, or a 2x2 chroma block, at the ellipse's rim); nowhere else.
    expect(offEdge).toEqual([]);
    expect(changedElsewhere / (45 * W * H)).toBeLessThan(5e-4);
    // And the live run did cover the kept face, so the test can tell.
    const f0 = [...keptBoxes.keys()][0]!;
    const kb = keptBoxes.get(f0)!;
    expect(isMagenta(ref[f0]!, Math.round((kb.x1 + kb.x2) / 2), Math.round((kb.y1 + kb.y2) / 2))).toBe(true);
  });

  it('holds the boxes a default run anonymizes, frame for frame, with --detect-every 1 and 2', async () => {
    // analyze hands each frame's buffer back to the decoder as soon as it is detected (or at once when
    // it is not): were one reused before the detector had read it, the boxes would differ.
    for (const every of ['1', '2']) {
      const project = join(dir, `every${every}.faceblur.json`);
      const report = join(dir, `every${every}.json`);
      expect((await runCli(['analyze', clip, '--detect-every', every, '-o', project, '-q'])).code).toBe(0);
      expect((await runCli([clip, '--detect-every', every, '-o', join(dir, `every${every}.mkv`), '--report', report, '-q'])).code).toBe(0);
      const p = await readProject(project);
      const fromProject = Array.from({ length: 45 }, () => [] as Box[]);
      for (const t of p.tracks) for (const r of rowsOf(t.boxes)) fromProject[r.frame]!.push(clipBox(r.box, W, H));
      const frames = (JSON.parse(readFileSync(report, 'utf8')) as { files: { frames: { index: number; regions: { face: Box }[] }[] }[] }).files[0]!.frames;
      expect(frames).toHaveLength(45);
      let regions = 0;
      for (const f of frames) {
        const got = fromProject[f.index]!;
        expect(got, `frame ${f.index}`).toHaveLength(f.regions.length);
        // The report rounds boxes to 0.1 px, the project to 0.1 px too, each on its own.
        for (const r of f.regions) expect(got.some((b) => (['x1', 'y1', 'x2', 'y2'] as const).every((k) => Math.abs(b[k] - r.face[k]) <= 0.11)), `frame ${f.index}`).toBe(true);
        regions += f.regions.length;
      }
      expect(regions).toBeGreaterThan(45);
    }
  });

  it('refuses a project made for another file: one line, exit 2, nothing written', async () => {
    const other = join(dir, 'other.mkv');
    copyFileSync(clip, other);
    // Same size, one byte different: only the content hash tells them apart.
    const bytes = readFileSync(other);
    bytes[bytes.length - 10] ^= 1;
    execFileSync('sh', ['-c', `cat > "${other}"`], { input: bytes });
    const r = await runCli([other, '--project', join(dir, 'high.faceblur.json'), '-o', join(dir, 'nope.mkv')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^faceblur: --project .*high\.faceblur\.json was made for another file \(classroom\.mkv, \d+ bytes\), not .*other\.mkv \(\d+ bytes, other content\)$/)]);
    expect(existsSync(join(dir, 'nope.mkv'))).toBe(false);
  });

  it('works on a photo: a one-frame project, rendered without detecting', async () => {
    const photo = join(dir, 'group.jpg');
    copyFileSync(join(SHARED, 'data', 'images', 'human_group-1.jpg'), photo);
    expect((await runCli(['analyze', photo, '-q'])).code).toBe(0);
    const p = await readProject(join(dir, 'group.faceblur.json'));
    expect(p.input).toMatchObject({ kind: 'image', frameCount: 1, duration: 0 });
    expect(p.tracks.length).toBeGreaterThan(3);
    const r = await runCli([photo, '--project', join(dir, 'group.faceblur.json'), '-o', join(dir, 'group-out.png'), '--replacewith', 'solid', '--color', 'ff00ff', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const { default: sharp } = await import('sharp');
    const img = await sharp(join(dir, 'group-out.png')).raw().toBuffer({ resolveWithObject: true });
    for (const t of p.tracks) {
      const b = rowsOf(t.boxes)[0]!.box;
      const i = img.info.channels * (Math.round((b.y1 + b.y2) / 2) * img.info.width + Math.round((b.x1 + b.x2) / 2));
      expect([img.data[i], img.data[i + 1], img.data[i + 2]]).toEqual([255, 0, 255]);
    }
  });
});
