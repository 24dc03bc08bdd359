import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliChild } from '../../src/jobs/cli-child.js';
import { groupClip } from '../serve/harness.js';
import { tempDir } from '../helpers.js';

describe('runCliChild', () => {
  it('rejects with the reason the CLI gave for the file, without the server\'s path, not with the run\'s summary', async () => {
    // Found in a new-user trial: a job failed with "0 done, 1 failed (0.0 s): 0 faces anonymized".
    const dir = tempDir('faceblur-cli-child-');
    const whole = join(dir, 'whole.mp4');
    groupClip(whole, 2);
    const faststart = join(dir, 'faststart.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-i', whole, '-c', 'copy', '-movflags', '+faststart', faststart]);
    const cut = join(dir, 'input.mp4');
    const bytes = readFileSync(faststart);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const run = runCliChild([cut, '-o', join(dir, 'output.mp4')], () => undefined, new AbortController().signal);
    await expect(run).rejects.toThrow(/^the file is truncated: its 'mdat' box needs \d+ more bytes than the file has$/);
  });
});
