import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, IMAGES, MODEL_DIR, sha256, tempDir } from '../helpers.js';
import { makeClip } from '../../fixtures/clips.js';

/** Child processes of `pid` still alive, from ps. */
const childrenOf = (pid: number): string[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((l) => l.trim());
  } catch {
    return [];
  }
};

describe('interrupts', () => {
  // SIGHUP: a closed terminal; a trial's render left its partial file behind.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal} mid-file stops the batch, removes the partial file and leaves no child process`, async () => {
      const dir = tempDir();
      const input = makeClip(dir, 'long.mp4', { seconds: 8 });
      const before = sha256(input);
      // A second input that a finished batch would process: an interrupted one must not.
      copyFileSync(join(IMAGES, 'deface_city.jpg'), join(dir, 'later.jpg'));
      const child = spawn(process.execPath, [CLI, input, join(dir, 'later.jpg')], {
        env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Wait until the encoder has written into the temp file, then interrupt. The temp file is
      // claimed (created empty) before ffmpeg starts, so its existence alone does not mean ffmpeg runs.
      let ffmpegKids: string[] = [];
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          const partial = readdirSync(dir).find((n) => n.includes('partial'));
          ffmpegKids = childrenOf(child.pid!);
          if (partial && statSync(join(dir, partial), { throwIfNoEntry: false })?.size && ffmpegKids.length) {
            clearInterval(poll);
            resolve();
          }
        }, 50);
      });
      child.kill(signal);
      const exit = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(exit).toBe(code);
      expect(readdirSync(dir).sort()).toEqual(['later.jpg', 'long.mp4']);
      expect(stderr).not.toMatch(/^error:/m);
      expect(sha256(input)).toBe(before);
      for (const line of ffmpegKids) expect(() => process.kill(Number(line.trim()), 0)).toThrow();
    });
  }
});
