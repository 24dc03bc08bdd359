import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, rgbFrame, runCli, tempDir } from '../helpers.js';

// What a newcomer runs into around redaction projects (issue 14), on a photo's one-frame project so
// that each case costs a second: flags that would do nothing, missing options, and the messages.

const lines = (s: string) => s.trim().split('\n').filter(Boolean);

describe('redaction projects from the command line: usage', () => {
  const dir = tempDir('faceblur-project-usage-');
  const photo = join(dir, 'city.jpg');
  const project = join(dir, 'city.faceblur.json');

  beforeAll(async () => {
    copyFileSync(join(IMAGES, 'deface_city.jpg'), photo);
    const r = await runCli(['analyze', photo, '-q']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses detection and tracking flags with --project, which would change nothing, naming them (exit 2, nothing written)', async () => {
    const out = join(dir, 'flags.jpg');
    for (const [args, named] of [
      [['--thresh', '0.2'], '--thresh has'],
      [['--hold', '2', '--no-tracking'], '--hold, --no-tracking have'],
      [['--thorough', '--detector', 'yunet-n'], '--thorough, --detector have'],
    ] as const) {
      const r = await runCli([photo, '--project', project, '-o', out, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(lines(r.stderr)).toEqual([`faceblur: ${named} no effect with --project, which renders the project's tracks without detecting (to detect again, run faceblur analyze)`]);
    }
    expect(readdirSync(dir)).not.toContain('flags.jpg');
    // Mask options are what a render from a project is for.
    const ok = await runCli([photo, '--project', project, '-o', out, '--boxes', '--mask-scale', '1.6', '--replacewith', 'pixelate', '-q']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("analyze's summary counts the project's tracks and candidates (it said '0 faces anonymized')", async () => {
    const out = join(dir, 'again/');
    const r = await runCli(['analyze', photo, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(readFileSync(join(out, 'city.faceblur.json'), 'utf8')) as { tracks: unknown[]; candidates: unknown[] };
    expect(p.tracks.length).toBeGreaterThan(1);
    const [t, c] = [p.tracks.length, p.candidates.length];
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `  ${photo}: ${t} faces to anonymize, ${c} candidate${c === 1 ? '' : 's'} to review`,
      expect.stringMatching(new RegExp(`^faceblur: 1 done, 0 failed \\([\\d.]+ s\\): ${t} tracks to anonymize, ${c} candidates? to review$`)),
    ]);
  });

  it('track on a photo stored turned (EXIF orientation 6): the box is in upright pixels, one frame, and the render hides it', async () => {
    const turned = join(dir, 'turned.jpg');
    // Stored 564x800, displayed upright as the original 800x564.
    await sharp(join(IMAGES, 'deface_city.jpg')).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(turned);
    const p = join(dir, 'turned.faceblur.json');
    expect((await runCli(['analyze', turned, '-q'])).code).toBe(0);
    const past = await runCli(['track', turned, '--project', p, '--frame', '1', '--box', '600,420,760,540']);
    expect(past.code).toBe(2);
    expect(lines(past.stderr)).toEqual([`faceblur: --frame 1 is past the end: ${turned} has one frame, frame 0`]);
    const r = await runCli(['track', turned, '--project', p, '--frame', '0', '--box', '600,420,760,540', '--label', 'badge']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`added a manual track over frame 0 to ${p}`]);
    const out = join(dir, 'turned-out.png');
    const render = await runCli([turned, '--project', p, '-o', out, '--boxes', '--mask-scale', '1', '--mask-margin', '0', '--replacewith', 'solid', '--color', 'ff00ff', '-q']);
    expect(render.code, render.stderr).toBe(0);
    expect(await sharp(out).metadata()).toMatchObject({ width: 800, height: 564 });
    const rgb = rgbFrame(out, 800, 564);
    let magenta = 0;
    for (let y = 422; y < 538; y++) {
      for (let x = 602; x < 758; x++) {
        const i = 3 * (y * 800 + x);
        if (rgb[i]! > 240 && rgb[i + 1]! < 20 && rgb[i + 2]! > 240) magenta++;
      }
    }
    expect(magenta).toBe(156 * 116);
  });

  it('analyze -o with a media name is refused (it wrote JSON under it, and over a finished output with --force)', async () => {
    const finished = join(dir, 'city_anonymized.jpg');
    copyFileSync(photo, finished);
    for (const args of [['-o', join(dir, 'new.mp4')], ['-o', finished, '--force']]) {
      const r = await runCli(['analyze', photo, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(lines(r.stderr)).toEqual([`faceblur: -o ${args[1]}: names a video or photo, but analyze writes a project (such as clip.faceblur.json); for a folder, end it with /`]);
    }
    expect(readdirSync(dir)).not.toContain('new.mp4');
    expect(readFileSync(finished)).toEqual(readFileSync(photo));
  });

  it('--project without an input names the file the project was made for (and bare faceblur lists the project commands)', async () => {
    const r = await runCli(['--project', 'city.faceblur.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['faceblur: no input given: --project renders the file it was made for; run faceblur city.jpg --project city.faceblur.json']);
    const bare = await runCli([]);
    expect(bare.stderr).toMatch(/^ +faceblur analyze\|review\|track <input> +review and fix what is anonymized \(redaction projects\)$/m);
  });

  it('a project whose faces are all kept says it anonymizes nothing, not "no face found"', async () => {
    const raw = JSON.parse(readFileSync(project, 'utf8')) as { tracks: { action: string }[] };
    for (const t of raw.tracks) t.action = 'keep';
    const kept = join(dir, 'kept.faceblur.json');
    writeFileSync(kept, JSON.stringify(raw));
    const r = await runCli([photo, '--project', kept, '-o', join(dir, 'kept.jpg')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `  ${photo}: the project has nothing to anonymize (no redact track): every face stays visible`,
      expect.stringMatching(/^faceblur: 1 done, 0 failed \([\d.]+ s\): 0 faces anonymized$/),
    ]);
    // Named by faceblur, it is called what it is (a trial's was called _anonymized).
    const named = await runCli([photo, '--project', kept, '-q']);
    expect(named.stdout.trim()).toMatch(/_not_anonymized\.jpg$/);
  });
});
