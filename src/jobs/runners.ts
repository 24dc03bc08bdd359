import { usageError } from '../errors.js';
import { createEmbeddedRunner } from './embedded-runner.js';
import type { JobRunner } from './job.js';

export interface RunnerOptions {
  dataDir: string;
  /** Jobs run at once by the embedded runner. */
  concurrency: number;
  /** `redis://HOST:PORT`: jobs go to a BullMQ queue that `faceblur worker` processes; else they run in serve. */
  redis?: string;
}

/**
 * The job runner serve talks to: the embedded queue, or BullMQ on Redis. The BullMQ runner is loaded
 * only when asked for, so that serve without `--redis` never loads a Redis client.
 * @throws UserError (exit 2) when `--redis` is given and this build has no BullMQ runner.
 */
export async function createRunner(o: RunnerOptions): Promise<JobRunner> {
  if (!o.redis) return createEmbeddedRunner({ dataDir: o.dataDir, concurrency: o.concurrency });
  // A variable specifier keeps tsc from requiring the module while it is built on another branch.
  const path = './bull-runner.js';
  let mod: { createBullRunner(opts: { redis: string; dataDir: string }): Promise<JobRunner> };
  try {
    mod = (await import(path)) as typeof mod;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw usageError('--redis: this faceblur has no Redis queue built in; run serve without --redis (jobs then run inside serve)');
  }
  return mod.createBullRunner({ redis: o.redis, dataDir: o.dataDir });
}
