import { createEmbeddedRunner } from './embedded-runner.js';
import type { JobRunner } from './job.js';

/** A Redis URL fit for a log: `redis://:secret@host:6379` → `redis://host:6379`. */
export const withoutPassword = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

export interface RunnerOptions {
  dataDir: string;
  /** Jobs run at once by the embedded runner. */
  concurrency: number;
  /** `redis://HOST:PORT`: jobs go to a BullMQ queue that `faceblur worker` processes; else they run in serve. */
  redis?: string;
  /** Where the embedded runner says that a job failed (with --redis, each worker logs its own). */
  onFailure?: (line: string) => void;
}

/**
 * The job runner serve talks to: the embedded queue, or BullMQ on Redis. The BullMQ runner is loaded
 * only when asked for, so that serve without `--redis` never loads a Redis client.
 * @throws UserError (exit 2) from createBullRunner when Redis cannot be reached or does not persist.
 */
export async function createRunner(o: RunnerOptions): Promise<JobRunner> {
  if (!o.redis) return createEmbeddedRunner({ dataDir: o.dataDir, concurrency: o.concurrency, ...(o.onFailure ? { onFailure: o.onFailure } : {}) });
  const { createBullRunner } = await import('./bull-runner.js');
  return createBullRunner({ redis: o.redis, dataDir: o.dataDir });
}
