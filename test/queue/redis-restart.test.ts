import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBullRunner } from '../../src/jobs/bull-runner.js';
import { frameTimes, runCli, tempDir } from '../helpers.js';
import { shortClip } from './clips.js';
import { crashRedis, ownRedisTestsRun, makeJob, outputOf, startRedis, startWorkerProcess, waitForJobs, type TestRedis, type WorkerProcess } from './helpers.js';

/**
 * A Redis that crashes (SIGKILL: no shutdown, no last write) after accepting a job, and comes back
 * from its data folder, still holds the job, and a worker started afterwards runs it. A private
 * Redis, even in CI, since it is killed; CI installs redis-server, so there it never skips.
 */
const runnable = ownRedisTestsRun();

describe.skipIf(!runnable)('the queue across a Redis crash', () => {
  const dir = tempDir();
  let redis: TestRedis | undefined;
  let worker: WorkerProcess | undefined;
  afterAll(() => {
    worker?.child.kill('SIGKILL');
    redis?.stop();
  });

  it('keeps an accepted job through a crash and a restart of Redis', async () => {
    redis = startRedis(join(dir, 'redis'));
    const data = join(dir, 'data');
    const runner = await createBullRunner({ redis: redis.url, dataDir: data });
    const job = makeJob(data, shortClip(dir));
    await runner.enqueue(job);
    await runner.close();
    crashRedis(redis);
    const port = Number(new URL(redis.url).port);
    redis = startRedis(join(dir, 'redis'), port);
    worker = await startWorkerProcess(redis.url, data);
    const states = await waitForJobs(data, [job.id], 120_000);
    expect(states[job.id]!.status, worker.log()).toBe('done');
    expect(frameTimes(outputOf(data, job))).toEqual(frameTimes(shortClip(dir)));
  }, 180_000);

  it('refuses a Redis that keeps no append-only file, which a restart would empty', async () => {
    const r = startRedis(join(dir, 'redis-no-aof'));
    try {
      execFileSync('redis-cli', ['-u', r.url, 'config', 'set', 'appendonly', 'no']);
      await expect(createBullRunner({ redis: r.url, dataDir: join(dir, 'data2') })).rejects.toThrow(/appendonly yes/);
      // A setup problem, exit 2, from serve as from worker (a new-user trial saw serve exit 1, worker 2).
      mkdirSync(join(dir, 'data3', 'jobs'), { recursive: true });
      for (const args of [['serve', '--port', '0'], ['worker']]) {
        const cli = await runCli([...args, '--redis', r.url, '--data', join(dir, 'data3')], { timeoutMs: 30_000 });
        expect(cli.code, `${args[0]}: ${cli.stderr}`).toBe(2);
        expect(cli.stderr.trim().split('\n')).toHaveLength(1);
        expect(cli.stderr).toMatch(/has no append-only file/);
      }
    } finally {
      r.stop();
    }
  });
});
