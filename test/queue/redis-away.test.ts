import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGES, tempDir } from '../helpers.js';
import { startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from '../serve/harness.js';
import { crashRedis, ownRedisTestsRun, startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from './helpers.js';

/**
 * `serve --redis` while its Redis is away. Found in a new-user trial: an upload hung with "uploading"
 * on the page for ever, and its job, listed as queued, never reached Redis; a delete hung; Ctrl+C on
 * serve hung. Each now answers at once, and nothing is left that would wait for ever.
 */
describe.skipIf(!ownRedisTestsRun())('faceblur serve --redis while Redis is away', () => {
  let redis: TestRedis | undefined;
  let serve: Serve | undefined;
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    serve?.run.child.kill('SIGKILL');
    redis?.stop();
  });

  it('refuses uploads and deletes at once (HTTP 503, in words), keeps no half job, stops on Ctrl+C, and goes on once Redis is back', async () => {
    const dir = tempDir('faceblur-redis-away-');
    const data = join(dir, 'data');
    redis = startRedis(join(dir, 'redis'));
    const port = Number(new URL(redis.url).port);
    serve = await startServe(['--data', data, '--redis', redis.url]);
    const photo = async () => serve!.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }]) });
    const kept = ((await (await photo()).json()) as { jobs: JobJson[] }).jobs[0]!;

    crashRedis(redis);
    const started = Date.now();
    const res = await photo();
    expect(res.status).toBe(503);
    expect(((await res.json()) as { errors: { error: string }[] }).errors[0]!.error).toBe(
      'deface_city.jpg: the job could not be queued (the job queue (Redis) does not answer; try again once it is back)',
    );
    const del = await serve.api(`/api/jobs/${kept.id}`, { method: 'DELETE' });
    expect(del.status).toBe(503);
    expect(((await del.json()) as { error: string }).error).toBe(`job ${kept.id} could not be stopped, so it is kept: the job queue (Redis) does not answer; try again once it is back`);
    // Answered, not timed out: well under the client's reconnection, which would go on for ever.
    expect(Date.now() - started).toBeLessThan(10_000);
    const listed = ((await (await serve.api('/api/jobs')).json()) as { jobs: JobJson[]; workers?: number });
    expect(listed.jobs.map((j) => j.id)).toEqual([kept.id]);
    expect(listed.workers).toBeUndefined();
    expect(readdirSync(join(data, 'uploads'))).toEqual([]);

    // Back: the kept job runs, and new uploads are taken.
    redis = startRedis(join(dir, 'redis'), port);
    worker = await startWorkerProcess(redis.url, data);
    expect((await waitForJob(serve, kept.id, 120_000)).job.status).toBe('done');
    let again: Response | undefined;
    for (let t = 0; t < 50 && (again = await photo()).status !== 201; t++) await new Promise((r) => setTimeout(r, 200));
    expect(again!.status).toBe(201);

    // Ctrl+C with Redis away again: serve stops by itself, with exit 0 and no process left.
    crashRedis(redis);
    const s = serve;
    serve = undefined;
    await stopServe(s);
    // The worker, meanwhile, reports the lost connection once, not at each reconnection attempt
    // (found: "worker: worker: connect ECONNREFUSED" 23 times in 30 s).
    await new Promise((r) => setTimeout(r, 4000));
    const lost = worker.log().split('\n').filter((l) => /ECONNREFUSED/.test(l));
    expect(lost.length, worker.log()).toBeLessThanOrEqual(1);
    expect(lost.every((l) => /^faceblur worker: error: .*ECONNREFUSED/.test(l))).toBe(true);
  }, 240_000);
});
