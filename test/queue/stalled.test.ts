import { join } from 'node:path';
import { Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { QUEUE } from '../../src/jobs/bull-queue.js';
import { createBullRunner } from '../../src/jobs/bull-runner.js';
import { readJobState } from '../../src/jobs/job.js';
import { tempDir } from '../helpers.js';
import { shortClip } from './clips.js';
import { redisTestsRun, makeJob, testRedis, type TestRedis } from './helpers.js';

/**
 * A job whose worker dies every time it runs it is failed by BullMQ's stall check inside Redis, and
 * no worker is left to write its state: serve's runner must, or the jobs page shows it running for
 * ever. Here one "worker" takes the job and dies at once (a manual fetch that never renews its 1 s
 * lock), and a live worker's stall check, allowed no stall at all, fails the job.
 */
const runnable = redisTestsRun();

describe.skipIf(!runnable)('a job that stalls past the limit', () => {
  let redis: TestRedis | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    redis?.stop();
  });

  it('is shown failed, with a reason, once BullMQ gives up on it', async () => {
    redis = testRedis();
    const dir = tempDir();
    const data = join(dir, 'data');
    const runner = await createBullRunner({ redis: redis!.url, dataDir: data });
    closers.push(() => runner.close());
    const job = makeJob(data, shortClip(dir));
    await runner.enqueue(job);

    const dying = new Worker(QUEUE, null, { connection: { url: redis!.url }, lockDuration: 1000 });
    closers.push(() => dying.close(true));
    const taken = await dying.getNextJob('dead-worker-token');
    expect(taken?.data).toEqual({ id: job.id });
    const checker = new Worker(QUEUE, async () => undefined, { connection: { url: redis!.url }, stalledInterval: 500, maxStalledCount: 0 });
    closers.push(() => checker.close(true));

    let state = await readJobState(data, job.id);
    for (let t = 0; state?.status !== 'failed' && t < 150; t++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await readJobState(data, job.id);
    }
    expect(state?.status).toBe('failed');
    expect(state?.message).toMatch(/its worker stopped/);
  }, 60_000);
});
