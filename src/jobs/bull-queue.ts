import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { UserError } from '../errors.js';
import type { SegmentSpec } from '../pipeline/segment.js';
import { withoutPassword } from './runners.js';

/**
 * What serve (createBullRunner) and `faceblur worker` share about the queue in Redis: its name, its
 * jobs and their data, the connection and the keys beside the queue.
 *
 * One BullMQ queue holds three kinds of job, all naming a job folder by its id:
 * - `job`: an accepted upload. The worker renders it whole, or, for a video longer than the
 *   segment length, adds a flow: a `join` parent whose `segment` children any worker may take;
 * - `segment`: one segment of a video, rendered to `DATA/jobs/<id>/segments/<n>.mkv`;
 * - `join`: runs once every segment is done; joins them into `output.<ext>` without re-encoding.
 */
export const QUEUE = 'faceblur';

export interface JobData {
  id: string;
}
export interface SegmentData {
  id: string;
  index: number;
  spec: SegmentSpec;
  /** Frames of the whole video: segment progress is counted against it. */
  totalFrames: number;
}
export interface JoinData {
  id: string;
  segments: SegmentSpec[];
}

/** BullMQ job ids of a job's parts: deterministic, so that adding a part twice (a retried split) adds it once. */
export const partId = {
  join: (id: string): string => `${id}-join`,
  segment: (id: string, index: number): string => `${id}-s${index}`,
};

/**
 * BullMQ priorities: 0 (none) is taken before any prioritized job, then lower numbers first, in the
 * order added within one. Photos and joins (seconds of work) go before videos and their segments,
 * so that a photo waits for no queued video, only for a free worker slot (README, "Photos first").
 */
export const PRIORITY = { quick: 0, video: 1 } as const;

/** Redis keys beside the queue, per job id. All expire with the queue's history (KEEP_SECONDS). */
export const keys = {
  /** Hash: segment index → frames done. */
  progress: (id: string): string => `${QUEUE}:progress:${id}`,
  /** Hash: segment index → what its run said about the file (JSON array of lines), for the join's message. */
  notes: (id: string): string => `${QUEUE}:notes:${id}`,
  /** Set by cancel: workers stop the job's parts when they see it. */
  cancelled: (id: string): string => `${QUEUE}:cancelled:${id}`,
};

/** How long finished jobs and the keys above stay in Redis: a day, serve's default retention. */
export const KEEP_SECONDS = 24 * 3600;

/** `redis://HOST:PORT` (or rediss://, with a password) as BullMQ's connection. */
export const connectionOf = (url: string): ConnectionOptions => ({ url });

/** Seconds to wait for Redis at start before giving up with an error. */
const CONNECT_SECONDS = 5;

/**
 * Connects to Redis once, and checks that it keeps what it acknowledged across a restart: the
 * append-only file must be on (README, "Several machines"); an RDB snapshot alone loses every job
 * accepted since the last one. Run at start, so that a wrong URL or setting is one line at once
 * instead of a queue client retrying forever.
 * @throws UserError (exit 2, a setup problem, for serve and worker alike) naming the URL and the problem.
 */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: CONNECT_SECONDS * 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The socket's own error (ECONNREFUSED, ENOTFOUND…) says more than connect()'s "Connection is closed".
  let cause: Error | undefined;
  redis.on('error', (err: Error) => (cause ??= err));
  try {
    await redis.connect().catch((err: unknown) => {
      throw new UserError(`cannot reach Redis at ${withoutPassword(url)}: ${(cause ?? (err as Error)).message}`, 2);
    });
    if (!/^aof_enabled:1\s*$/m.test(await redis.info('persistence'))) {
      throw new UserError(`Redis at ${withoutPassword(url)} has no append-only file (appendonly no): a restart would lose accepted jobs; set appendonly yes and appendfsync always`, 2);
    }
  } finally {
    redis.disconnect();
  }
}
