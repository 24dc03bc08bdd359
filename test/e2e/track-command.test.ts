import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { iou } from '../../src/detect/box.js';
import { rowsOf } from '../../src/project/boxes.js';
import { readProject } from '../../src/project/file.js';
import type { Project, Track } from '../../src/project/schema.js';
import { ffmpeg, runCli, SHARED, sha256, tempDir } from '../helpers.js';

// `faceblur track` (issue 14): a face the analysis left visible is drawn once, followed through the
// clip by the box follower, and added to the project as a manual track that rendering anonymizes.

const detectedRows = (t: Track) => rowsOf(t.boxes).filter((r) => r.kind === 'detected');

describe('faceblur track: follow a drawn box into the project', () => {
  const dir = tempDir('faceblur-track-');
  const clip = join(dir, 'classroom.mkv');
  const other = join(dir, 'other.mkv');
  let high: Project;
  let missed: Track;

  beforeAll(async () => {
    ffmpeg(['-i', join(SHARED, 'data', 'videos', 'classroom.gif'), '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv420p', clip]);
    ffmpeg(['-i', clip, '-t', '1', '-c:v', 'libx264', '-qp', '0', other]);
    for (const [args, name] of [[['--thresh', '0.8'], 'high'], [[], 'all']] as const) {
      const r = await runCli(['analyze', clip, ...args, '-o', join(dir, `${name}.faceblur.json`), '-q']);
      expect(r.code, r.stderr).toBe(0);
    }
    high = await readProject(join(dir, 'high.faceblur.json'));
    const all = await readProject(join(dir, 'all.faceblur.json'));
    // The face to draw: the default analysis's longest-detected track that no high-threshold track matches.
    const matched = (t: Track) => high.tracks.some((h) => rowsOf(h.boxes).some((a) => detectedRows(t).some((b) => a.frame === b.frame && iou(a.box, b.box) > 0.3)));
    missed = all.tracks.filter((t) => !matched(t)).sort((a, b) => detectedRows(b).length - detectedRows(a).length)[0]!;
    expect(missed, 'the high threshold leaves some face unredacted').toBeDefined();
    expect(detectedRows(missed).length).toBeGreaterThanOrEqual(10);
  });

  it('adds a manual track that follows the face both ways from the drawn frame, and rendering anonymizes it', async () => {
    const rows = detectedRows(missed);
    const seed = rows[Math.floor(rows.length / 2)]!;
    const project = join(dir, 'edited.faceblur.json');
    copyFileSync(join(dir, 'high.faceblur.json'), project);
    const hash = sha256(clip);
    const box = [seed.box.x1, seed.box.y1, seed.box.x2, seed.box.y2].map((v) => v.toFixed(1)).join(',');
    const r = await runCli(['track', clip, '--project', project, '--frame', String(seed.frame), '--box', box, '--label', 'missed', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(project);
    expect(sha256(clip)).toBe(hash);

    const edited = await readProject(project);
    expect(edited.tracks).toHaveLength(high.tracks.length + 1);
    const added = edited.tracks.find((t) => !high.tracks.some((h) => h.id === t.id))!;
    expect(added).toMatchObject({ origin: 'manual', action: 'redact', label: 'missed' });
    const followed = new Map(rowsOf(added.boxes).map((b) => [b.frame, b]));
    expect(followed.get(seed.frame)?.kind).toBe('keyframe');
    // Followed before and after the drawn frame, onto the detector's own boxes of that face.
    const before = rows.filter((b) => b.frame < seed.frame);
    const after = rows.filter((b) => b.frame > seed.frame);
    const onFace = (list: typeof rows) => list.filter((b) => followed.has(b.frame) && iou(followed.get(b.frame)!.box, b.box) >= 0.4).length / list.length;
    expect(onFace(before)).toBeGreaterThanOrEqual(0.8);
    expect(onFace(after)).toBeGreaterThanOrEqual(0.8);

    const out = join(dir, 'edited.mkv');
    const render = await runCli([clip, '--project', project, '-o', out, '--replacewith', 'solid', '--color', 'ff00ff', '-q']);
    expect(render.code, render.stderr).toBe(0);
    // Every followed box's centre is masked in the output.
    const [W, H] = [480, 270];
    const rgb = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 256 * 1024 * 1024 });
    const unmasked: number[] = [];
    for (const [frame, b] of followed) {
      const [x, y] = [Math.round((b.box.x1 + b.box.x2) / 2), Math.round((b.box.y1 + b.box.y2) / 2)];
      if (x < 0 || y < 0 || x >= W || y >= H) continue;
      const i = frame * W * H * 3 + 3 * (y * W + x);
      if (!(rgb[i]! > 180 && rgb[i + 1]! < 90 && rgb[i + 2]! > 180)) unmasked.push(frame);
    }
    expect(unmasked).toEqual([]);
  });

  it('refuses a box outside the picture, a bad box, a frame past the end and another file, in one line each (exit 2)', async () => {
    const project = join(dir, 'high.faceblur.json');
    const cases: [string[], RegExp][] = [
      [[clip, '--project', project, '--frame', '3', '--box', '10,10,5,20'], /^faceblur: --box must be x1,y1,x2,y2 in pixels/],
      [[clip, '--project', project, '--frame', '3', '--box', '900,900,950,950'], /less than 4x4 pixels inside the 480x270 frame/],
      [[clip, '--project', project, '--frame', '45', '--box', '10,10,40,40'], /--frame 45 is past the end: .* has 45 frames/],
      [[other, '--project', project, '--frame', '3', '--box', '10,10,40,40'], /was made for another file/],
    ];
    for (const [args, message] of cases) {
      const before = sha256(project);
      const r = await runCli(['track', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(sha256(project)).toBe(before);
    }
  });
});
