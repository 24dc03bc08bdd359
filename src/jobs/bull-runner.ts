import { Queue } from 'bullmq';
import { checkRedis, connectionOf, KEEP_SECONDS, keys, partId, QUEUE, type JobData } from './bull-queue.js';
import { writeJobState, type JobRecord, type JobRunner } from './job.js';

/**
 * Serve's JobRunner with `--redis URL`: jobs go to the BullMQ queue in Redis, and `faceblur worker`
 * processes (on this machine or others that share `dataDir`) run them and write their state.json.
 * `enqueue` resolves once Redis has acknowledged the job; with `appendfsync always` that means it is
 * on disk (README). `dataDir` is serve's, for the state it writes itself (queued, cancelled).
 * @throws Error when Redis cannot be reached or keeps no append-only file (checkRedis).
 */
export async function createBullRunner(opts: { redis: string; dataDir: string }): Promise<JobRunner> {
  await checkRedis(opts.redis);
  const queue = new Queue<JobData>(QUEUE, { connection: connectionOf(opts.redis) });
  // A lost connection is retried by the client; enqueue and cancel reject meanwhile, which serve reports.
  queue.on('error', () => undefined);
  return {
    async enqueue(job: JobRecord) {
      await writeJobState(opts.dataDir, job.id, { status: 'queued', progress: 0 });
      await queue.add('job', { id: job.id }, { jobId: job.id, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
    },
    async cancel(id: string) {
      const redis = await queue.getBackend().client;
      await redis.set(keys.cancelled(id), '1', { EX: KEEP_SECONDS });
      // Waiting parts leave the queue now; running ones stop when their worker sees the key.
      for (const part of [id, partId.join(id)]) await queue.remove(part, { removeChildren: true }).catch(() => 0);
      await writeJobState(opts.dataDir, id, { status: 'cancelled', progress: 0 });
    },
    close: () => queue.close(),
  };
}
