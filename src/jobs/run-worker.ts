import { statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, signalExitCode, STOP_SIGNALS, usageError } from '../errors.js';
import { describeIssue } from '../option-messages.js';
import { withoutPassword } from './runners.js';
import { startWorker } from './worker.js';
import { workerOptionSpecs, workerOptionsSchema } from './worker-options.js';

/**
 * Runs a worker until SIGINT or SIGTERM. On either it exits at once, as after a crash: its CLI
 * children stop when their stdin closes, and the parts it was running keep their locks until they
 * run out, when other workers take them again (src/jobs/worker.ts, LOCK_MS). That loses at most
 * those parts' work so far and never publishes a partial output; waiting for them instead could
 * take as long as a segment.
 * @throws UserError when Redis cannot be reached or has no append-only file.
 */
export async function runWorker(raw: Record<string, unknown>): Promise<number> {
  if (raw.redis === undefined || raw.data === undefined) throw usageError('faceblur worker needs --redis URL and --data DIR (serve\'s data folder)');
  const parsed = workerOptionsSchema.safeParse(raw);
  if (!parsed.success) throw usageError(describeIssue(parsed.error, workerOptionSpecs, raw));
  const o = parsed.data;
  // Serve makes jobs/ when it opens the folder: without it this is not serve's folder (an empty mount point, a typo).
  if (!statSync(join(o.data, 'jobs'), { throwIfNoEntry: false })?.isDirectory()) {
    throw usageError(`${o.data} is not serve's data folder (it has no jobs/ folder): give each worker the folder serve's --data names, shared (NFS, SMB) and mounted on its machine`);
  }
  const log = (line: string) => o.quiet || process.stderr.write(`faceblur worker: ${line}\n`);
  await startWorker({ redis: o.redis, dataDir: o.data, concurrency: o.concurrency, segmentSeconds: o.segment, log }).catch((err: unknown) => {
    throw usageError(errorMessage(err));
  });
  process.stderr.write(`faceblur worker: waiting for jobs from ${withoutPassword(o.redis)} for ${o.data}\n`);
  return new Promise(() => {
    const stop = (signal: NodeJS.Signals) => {
      log(`${signal}, stopping; running parts go to other workers`);
      // The one exit outside the CLI entry: a daemon has no caller to return to, and open Redis connections would keep it alive.
      process.exit(signalExitCode(signal));
    };
    for (const s of STOP_SIGNALS) process.once(s, stop);
  });
}
