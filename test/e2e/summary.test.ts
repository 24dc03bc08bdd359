import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffprobe, ROOT, runCli, tempDir } from '../helpers.js';

const DEMO = join(ROOT, 'fixtures', 'demo', 'asl-book.mp4');

describe('the summary says what was anonymized', () => {
  it('counts the demo clip\'s one signer as one track, and the frames between detections as predicted', async () => {
    const frames = Number(ffprobe(DEMO).streams.find((s) => s.codec_type === 'video')!.nb_read_frames);
    const out = join(tempDir(), 'demo.mp4');
    // Detection on every third frame: the frames between rely on the tracker's masks.
    const r = await runCli([DEMO, '-o', out, '--single-pass', '--detect-every', '3']);
    expect(r.code).toBe(0);
    const predicted = frames - Math.ceil(frames / 3);
    expect(r.stderr).toContain(`${DEMO}: 1 face track anonymized in ${frames} of ${frames} frames; ${predicted} frames rely on held or predicted masks`);
    expect(r.stderr).toMatch(new RegExp(`faceblur: 1 done, 0 failed \\(\\d+\\.\\d s\\): 1 face anonymized, ${predicted} frames rely on held or predicted masks`));
  });
});
