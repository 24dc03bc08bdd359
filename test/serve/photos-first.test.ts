import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGES, tempDir } from '../helpers.js';
import { streetClip } from '../queue/clips.js';
import { startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from './harness.js';

/**
 * `--concurrency 1` with a long video running: a photo uploaded meanwhile is done while the video
 * still runs (photos have a slot of their own), instead of waiting for the whole video.
 */
describe('faceblur serve: photos first', () => {
  let s: Serve | undefined;
  afterAll(async () => {
    if (s) await stopServe(s);
  });

  it('a photo uploaded while a 300 s video runs is done before the video', async () => {
    const dir = tempDir('faceblur-serve-fair-');
    const video = streetClip(dir, 300);
    s = await startServe(['--data', join(dir, 'data'), '--concurrency', '1']);
    const post = async (path: string) => ((await (await s!.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path }]) })).json()) as { jobs: JobJson[] }).jobs[0]!;
    const long = await post(video);
    for (let end = Date.now() + 60_000; (await (await s.api(`/api/jobs/${long.id}`)).json() as JobJson).status !== 'running'; ) {
      if (Date.now() > end) throw new Error('the video never started');
      await new Promise((r) => setTimeout(r, 200));
    }
    const photo = await post(join(IMAGES, 'deface_city.jpg'));
    const { job } = await waitForJob(s, photo.id, 120_000);
    expect(job.status, job.message).toBe('done');
    const now = (await (await s.api(`/api/jobs/${long.id}`)).json()) as JobJson;
    expect(now.status, 'the video, when the photo was done').toBe('running');
    expect(now.progress).toBeLessThan(1);
    expect((await s.api(`/api/jobs/${long.id}`, { method: 'DELETE' })).status).toBe(204);
  }, 200_000);
});
