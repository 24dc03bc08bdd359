import type { ConnectionOptions } from 'bullmq';
import type { SegmentSpec } from '../pipeline/segment.js';

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

/** Redis keys beside the queue, per job id. Both expire with the queue's history (KEEP_SECONDS). */
export const keys = {
  /** Hash: segment index → frames done. */
  progress: (id: string): string => `${QUEUE}:progress:${id}`,
  /** Set by cancel: workers stop the job's parts when they see it. */
  cancelled: (id: string): string => `${QUEUE}:cancelled:${id}`,
};

/** How long finished jobs and the keys above stay in Redis: a day, serve's default retention. */
export const KEEP_SECONDS = 24 * 3600;

/** `redis://HOST:PORT` (or rediss://, with a password) as BullMQ's connection. */
export const connectionOf = (url: string): ConnectionOptions => ({ url });

/**
 * Checks that Redis keeps what it acknowledged across a restart: the append-only file must be on
 * (README, "Several machines"). An RDB snapshot alone loses every job accepted since the last one.
 * @throws Error naming the setting when it is off.
 */
export function checkPersistence(info: string, url: string): void {
  if (!/^aof_enabled:1\s*$/m.test(info)) {
    throw new Error(`Redis at ${url} has no append-only file (appendonly no): a restart would lose accepted jobs; set appendonly yes and appendfsync always`);
  }
}
