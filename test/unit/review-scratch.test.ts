import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeOrphanedScratch } from '../../src/review/scratch.js';
import { tempDir } from '../helpers.js';

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
});
