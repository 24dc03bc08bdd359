import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeOrphanedScratch } from '../../src/review/scratch.js';
import { ROOT, tempDir } from '../helpers.js';

describe('review temp folders', () => {
  it('removes those a killed review left (copies of original frames), and keeps those in use', () => {
    // A trial found hundreds of faceblur-review-* folders in /tmp, each with a frames.mjpeg.
    const root = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const folder = (name: string, owner?: number, ageHours = 0) => {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'frames.mjpeg'), 'original frames');
      if (owner !== undefined) writeFileSync(join(dir, 'owner.pid'), String(owner));
      const t = Date.now() / 1000 - ageHours * 3600;
      utimesSync(dir, t, t);
      return dir;
    };
    const orphan = folder('faceblur-review-aaaaaa', dead);
    const mine = folder('faceblur-review-bbbbbb', process.pid);
    const oldUnowned = folder('faceblur-review-analysis-cccccc', undefined, 30);
    const newUnowned = folder('faceblur-review-dddddd', undefined, 1);
    const other = folder('someone-else', dead);
    removeOrphanedScratch(root);
    expect([orphan, mine, oldUnowned, newUnowned, other].map(existsSync)).toEqual([false, true, false, true, true]);
  });

  it.runIf(process.getuid?.() === 0)('leaves another user\'s folder alone instead of failing (review and serve would not start)', () => {
    // A trial's review as nobody failed with "EACCES: permission denied, scandir" on root's day-old folder.
    const root = tempDir();
    chmodSync(root, 0o1777);
    const theirs = join(root, 'faceblur-review-zzzzzz');
    mkdirSync(theirs, { mode: 0o700 });
    writeFileSync(join(theirs, 'owner.pid'), '999999');
    const t = Date.now() / 1000 - 48 * 3600;
    utimesSync(theirs, t, t);
    const module = pathToFileURL(join(ROOT, 'dist', 'review', 'scratch.js')).href;
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--input-type=module', '-e', `(await import(${JSON.stringify(module)})).removeOrphanedScratch(${JSON.stringify(root)})`], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(existsSync(theirs)).toBe(true);
  });
});
