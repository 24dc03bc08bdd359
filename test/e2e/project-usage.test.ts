import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, runCli, tempDir } from '../helpers.js';

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
});
