import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJobState } from '../../src/jobs/job.js';
import { IMAGES, tempDir } from '../helpers.js';
import { startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from '../serve/harness.js';
import { shortClip, streetClip } from './clips.js';
import { redisTestsRun, startWorkerProcess, testRedis, type TestRedis, type WorkerProcess } from './helpers.js';

const runnable = redisTestsRun();

/**
 * `serve --redis` and one worker with one slot: a long video, a short one and a photo uploaded
 * together. The worker takes the long video at once; the photo, queued after the short video, is
 * taken before it (its BullMQ priority), so the worker ends the three in the order long, photo, short.
 */
describe.skipIf(!runnable)('faceblur serve --redis: photos first', () => {
  let redis: TestRedis | undefined;
  let serve: Serve | undefined;
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    if (serve) await stopServe(serve);
    redis?.stop();
  });

  it('a photo queued behind a video is taken before it', async () => {
    redis = testRedis();
    const dir = tempDir('faceblur-fair-');
    const data = join(dir, 'data');
    serve = await startServe(['--data', data, '--redis', redis!.url]);
    // No split: the long video holds the worker's one slot for its whole length.
    worker = await startWorkerProcess(redis!.url, data, ['--segment', '3600']);
    const res = await serve.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: streetClip(dir, 20) }, { path: shortClip(dir) }, { path: join(IMAGES, 'deface_city.jpg') }]) });
    expect(res.status).toBe(201);
    const [long, short, photo] = ((await res.json()) as { jobs: JobJson[] }).jobs;
    const { job } = await waitForJob(serve, photo!.id, 300_000);
    expect(job.status, `${job.message ?? ''} ${worker.log()}`).toBe('done');
    expect((await waitForJob(serve, short!.id, 300_000)).job.status).toBe('done');
    // The worker logs each job as it ends, one at a time: the order of those lines is the order the
    // jobs were taken in. (Reading the short video's state when the photo is done races the worker,
    // which takes the short video the moment the photo ends.)
    const ended = [...worker.log().matchAll(/^faceblur worker: (\S+): done/gm)].map((m) => m[1]);
    expect(ended, worker.log()).toEqual([long!.id, photo!.id, short!.id]);
    for (const j of [long!, short!]) expect((await serve.api(`/api/jobs/${j.id}`, { method: 'DELETE' })).status).toBe(204);
  }, 400_000);
});
