import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { checkProjectInput } from '../../src/project/file.js';
import { contentHash } from '../../src/project/identity.js';
import { tempDir } from '../helpers.js';
import { sampleProject } from './project-fixture.js';

describe('checkProjectInput', () => {
  const dir = tempDir('faceblur-project-file-');

  it('accepts the analyzed file under any name, and says how another one differs: its size, or same size but other content', async () => {
    const clip = join(dir, 'clip.mp4');
    writeFileSync(clip, Buffer.alloc(5000, 1));
    const project = { ...sampleProject(), input: { ...sampleProject().input, ...(await contentHash(clip)) } };
    const moved = join(dir, 'renamed clip.mp4');
    writeFileSync(moved, Buffer.alloc(5000, 1));
    await expect(checkProjectInput(project, 'p.json', moved)).resolves.toBeUndefined();

    // Re-exported under the same name: same size, other bytes.
    writeFileSync(clip, Buffer.concat([Buffer.alloc(4999, 1), Buffer.from([2])]));
    const changed = checkProjectInput(project, 'p.json', clip);
    await expect(changed).rejects.toBeInstanceOf(UserError);
    await expect(changed).rejects.toThrow(`--project p.json was made for another file (clip.mp4, 5000 bytes), not ${clip} (5000 bytes, other content)`);
    writeFileSync(clip, Buffer.alloc(4000, 1));
    await expect(checkProjectInput(project, 'p.json', clip)).rejects.toThrow(`--project p.json was made for another file (clip.mp4, 5000 bytes), not ${clip} (4000 bytes)`);
  });

  it('names a missing input or a folder in one line (exit 2), not with the file system\'s ENOENT', async () => {
    const project = sampleProject();
    for (const [input, why] of [[join(dir, 'gone.mp4'), 'no such file'], [dir, 'is a folder']]) {
      const r = checkProjectInput(project, 'p.json', input!);
      await expect(r).rejects.toMatchObject({ exitCode: 2 });
      await expect(r).rejects.toThrow(`${input}: ${why} (--project p.json was made for clip.mp4)`);
    }
  });
});
