import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { checkRedis, connectionOf, KEEP_SECONDS, keys, partId, PRIORITY, QUEUE, type JobData } from './bull-queue.js';
import { errorMessage } from '../errors.js';
import { jobDir, readJobState, writeJobState, type JobRecord, type JobRunner } from './job.js';

/** Runs `f`; a Redis that is away makes it reject with that said in words, not the client's. */
async function answered(f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (err) {
    if (/enableOfflineQueue|Connection is closed|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH/.test(errorMessage(err))) throw new Error('the job queue (Redis) does not answer; try again once it is back');
    throw err;
  }
}

/** How long serve waits, as it stops, for its Redis clients to close. */
const CLOSE_MS = 3000;

/**
 * Serve's JobRunner with `--redis URL`: jobs go to the BullMQ queue in Redis, and `faceblur worker`
 * processes (on this machine or others that share `dataDir`) run them and write their state.json.
 * `enqueue` resolves once Redis has acknowledged the job; with `appendfsync always` that means it is
 * on disk (README). `dataDir` is serve's, for the state it writes itself (queued, cancelled).
 * @throws UserError (exit 2) when Redis cannot be reached or keeps no append-only file (checkRedis).
 */
export async function createBullRunner(opts: { redis: string; dataDir: string }): Promise<JobRunner> {
  await checkRedis(opts.redis);
  // No offline queue (BullMQ's advice for producers): while Redis is away, enqueue and cancel reject
  // at once, which serve reports (HTTP 503), instead of holding the upload until Redis is back.
  const queue = new Queue<JobData>(QUEUE, { connection: { ...connectionOf(opts.redis), enableOfflineQueue: false } });
  // A lost connection is retried by the client meanwhile.
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
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return {
    enqueue: (job: JobRecord) =>
      answered(async () => {
        // Before the add, or it could overwrite a worker's "running"; serve removes the job's folder when the add fails.
        await writeJobState(opts.dataDir, job.id, { status: 'queued', progress: 0 });
        const priority = job.kind === 'photo' ? PRIORITY.quick : PRIORITY.video;
        await queue.add('job', { id: job.id }, { jobId: job.id, priority, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
      }),
    cancel: (id: string) =>
      answered(async () => {
        const redis = await queue.getBackend().client;
        await redis.set(keys.cancelled(id), '1', { EX: KEEP_SECONDS });
        // Waiting parts leave the queue now; running ones stop when their worker sees the key.
        for (const part of [id, partId.join(id)]) await queue.remove(part, { removeChildren: true }).catch(() => 0);
        await writeJobState(opts.dataDir, id, { status: 'cancelled', progress: 0 });
      }),
    // Counted by Redis from the clients named after the queue (CLIENT LIST), which every worker is.
    workers: () => queue.getWorkersCount().catch(() => undefined),
    async close() {
      // With Redis away, close() rejects (no offline queue) or waits for a reconnection that may never come.
      const closed = Promise.all([events.close(), queue.close()]).then(() => true, () => false);
      const waited = new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_MS).unref());
      if (await Promise.race([closed, waited])) return;
      // Then the clients' retries would keep serve alive after Ctrl+C: drop them (not waited for:
      // a client that is still connecting ends by itself).
      void Promise.all([events.disconnect(), queue.disconnect()]).catch(() => undefined);
    },
  };
}
