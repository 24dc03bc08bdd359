import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { checkRedis, connectionOf, KEEP_SECONDS, keys, partId, PRIORITY, QUEUE, type JobData } from './bull-queue.js';
import { jobDir, readJobState, writeJobState, type JobRecord, type JobRunner } from './job.js';

/**
 * Serve's JobRunner with `--redis URL`: jobs go to the BullMQ queue in Redis, and `faceblur worker`
 * processes (on this machine or others that share `dataDir`) run them and write their state.json.
 * `enqueue` resolves once Redis has acknowledged the job; with `appendfsync always` that means it is
 * on disk (README). `dataDir` is serve's, for the state it writes itself (queued, cancelled).
 * @throws UserError (exit 2) when Redis cannot be reached or keeps no append-only file (checkRedis).
 */
export async function createBullRunner(opts: { redis: string; dataDir: string }): Promise<JobRunner> {
  await checkRedis(opts.redis);
  const queue = new Queue<JobData>(QUEUE, { connection: connectionOf(opts.redis) });
  // A lost connection is retried by the client; enqueue and cancel reject meanwhile, which serve reports.
  queue.on('error', () => undefined);
  // A part whose worker died more than MAX_STALLED times is failed by BullMQ's stall check inside
  // Redis, with no worker left to write the job's state: serve writes it, or the page would show the
  // job running forever. Parts that fail in a worker have their state written there first.
  const events = new QueueEvents(QUEUE, { connection: connectionOf(opts.redis) });
  events.on('error', () => undefined);
  events.on('failed', ({ jobId, failedReason }) => void markFailed(jobId, failedReason).catch(() => undefined));
  async function markFailed(partId: string, reason: string): Promise<void> {
    const id = ((await queue.getJob(partId))?.data as JobData | undefined)?.id;
    if (!id || !existsSync(join(jobDir(opts.dataDir, id), 'job.json'))) return;
    const now = await readJobState(opts.dataDir, id);
    if (now && now.status !== 'queued' && now.status !== 'running') return;
    const message = /stalled/.test(reason) ? 'its worker stopped (killed, crashed or out of memory) each time it ran this job; not tried again' : reason;
    await writeJobState(opts.dataDir, id, { status: 'failed', progress: 0, message });
  }
  await events.waitUntilReady();
  return {
    async enqueue(job: JobRecord) {
      await writeJobState(opts.dataDir, job.id, { status: 'queued', progress: 0 });
      const priority = job.kind === 'photo' ? PRIORITY.quick : PRIORITY.video;
      await queue.add('job', { id: job.id }, { jobId: job.id, priority, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
    },
    async cancel(id: string) {
      const redis = await queue.getBackend().client;
      await redis.set(keys.cancelled(id), '1', { EX: KEEP_SECONDS });
      // Waiting parts leave the queue now; running ones stop when their worker sees the key.
      for (const part of [id, partId.join(id)]) await queue.remove(part, { removeChildren: true }).catch(() => 0);
      await writeJobState(opts.dataDir, id, { status: 'cancelled', progress: 0 });
    },
    // Counted by Redis from the clients named after the queue (CLIENT LIST), which every worker is.
    workers: () => queue.getWorkersCount().catch(() => undefined),
    async close() {
      await events.close();
      await queue.close();
    },
  };
}
