import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliChild } from '../../src/jobs/cli-child.js';
import { jobDir, runWholeJob } from '../../src/jobs/job.js';
import { makeJob } from '../queue/helpers.js';
import { cutClip } from '../serve/harness.js';
import { IMAGES, tempDir } from '../helpers.js';

describe('runCliChild', () => {
  it('rejects with the reason the CLI gave for the file, without the server\'s path, not with the run\'s summary', async () => {
    // Found in a new-user trial: a job failed with "0 done, 1 failed (0.0 s): 0 faces anonymized".
    const dir = tempDir('faceblur-cli-child-');
    const cut = join(dir, 'input.mp4');
    cutClip(cut);
    const run = runCliChild([cut, '-o', join(dir, 'output.mp4')], () => undefined, new AbortController().signal);
    await expect(run).rejects.toThrow(/^the file is truncated: its 'mdat' box needs \d+ more bytes than the file has$/);
  });
});

describe('runWholeJob', () => {
  it('removes the temp output a killed run left in the job folder, and publishes the output', async () => {
    // Found in a new-user trial: each SIGKILLed attempt left a .output.faceblur-partial-*.jpg until the job expired.
    const data = tempDir('faceblur-whole-job-');
    const job = makeJob(data, join(IMAGES, 'deface_city.jpg'));
    const dir = jobDir(data, job.id);
    writeFileSync(join(dir, '.output.faceblur-partial-0badf00d.jpg'), Buffer.alloc(48));
    await runWholeJob(data, job, new AbortController().signal, () => undefined);
    expect(readdirSync(dir).sort()).toEqual(['input.jpg', 'job.json', 'output.jpg']);
  });
});
