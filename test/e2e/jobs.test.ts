import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffprobe, IMAGES, runCli, tempDir } from '../helpers.js';
import { makeClip } from '../../fixtures/clips.js';

describe('--jobs', () => {
  it('processes files in parallel, with one complete report and every output whole', async () => {
    const dir = tempDir();
    makeClip(dir, 'a.mp4', { seconds: 2 });
    makeClip(dir, 'b.mp4', { seconds: 1 });
    copyFileSync(join(IMAGES, 'deface_city.jpg'), join(dir, 'c.jpg'));
    copyFileSync(join(IMAGES, 'human_group-1.jpg'), join(dir, 'd.jpg'));
    const out = join(dir, 'out');
    const r = await runCli([dir, '-o', `${out}/`, '--jobs', '2', '--report', join(dir, 'report.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['a.mp4', 'b.mp4', 'c.jpg', 'd.jpg'].map((n) => join(out, n)));
    expect(readdirSync(out).sort()).toEqual(['a.mp4', 'b.mp4', 'c.jpg', 'd.jpg']);
    expect(Number(ffprobe(join(out, 'a.mp4')).streams[0]!.nb_read_frames)).toBe(20);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { files: { input: string; frameCount: number; status: string; frames: unknown[] }[] };
    expect(report.files.map((f) => f.input).sort()).toEqual(['a.mp4', 'b.mp4', 'c.jpg', 'd.jpg'].map((n) => join(dir, n)));
    for (const f of report.files) {
      expect(f.status).toBe('ok');
      expect(f.frames).toHaveLength(f.frameCount);
    }
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
  });
});
