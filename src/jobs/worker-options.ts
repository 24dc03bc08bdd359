import { z } from 'zod';
import { integer, number, opt, schemaOf } from '../options.js';

/** `faceblur worker`'s options: one schema for flags, help and defaults, as file mode's. */
export const workerOptionSpecs = {
  redis: opt('--redis <url>', 'the Redis that holds the queue, as serve was given it: redis://HOST:PORT', z.string().regex(/^rediss?:\/\//, 'expected redis://HOST:PORT')),
  data: opt('--data <dir>', "serve's data folder, shared with it (an NFS or SMB mount when on another machine)", z.string()),
  concurrency: opt('--concurrency <n>', 'jobs or segments this worker runs at once (each uses every core it is given)', integer(1, 64).default(1)),
  segment: opt('--segment <seconds>', 'videos longer than this are split at keyframes into segments of about this length, which any worker may take', number(1, 86400).default(60)),
  quiet: opt('-q, --quiet', 'no log of finished jobs and segments', z.boolean().default(false)),
};

export const workerOptionsSchema = schemaOf(workerOptionSpecs);
