import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { doneState, readJob, readJobState, runWholeJob, writeJobState, type JobRecord, type JobRunner, type JobState } from './job.js';

/** Progress is rewritten at most this often (milliseconds): enough for a live bar, little disk traffic. */
const PROGRESS_INTERVAL_MS = 500;

export interface EmbeddedRunnerOptions {
  dataDir: string;
  /** Jobs run at once, each a faceblur child process (≥ 1). */
  concurrency: number;
  /** Told each failed job in one line (a trial's serve logged none). */
  onFailure?: (line: string) => void;
}

interface Running {
  kind: JobRecord['kind'];
  abort: AbortController;
  /** Set by cancel(): the job ends as cancelled; a job stopped by close() stays running, to be run again. */
  cancelled: boolean;
  /** Settles when the job's child has exited and its last state.json write is done. */
  settled: Promise<void>;
}

/**
 * The queue of `faceblur serve` without `--redis`: jobs run inside the serve process, each a faceblur
 * child process. Videos run at most `concurrency` at once, in the order they were queued; photos
 * (seconds of work) go before queued videos and have one slot more than `concurrency`, so that a
 * photo never waits behind an hour of video (README, "Photos first"). Each job's `state.json` goes
 * queued → running (progress) → done | failed | cancelled, so that serve reads a job's state the
 * same way whichever runner runs it. Jobs left queued or running by a serve that stopped are queued
 * again at start (their output was never published: the CLI renames it into place only on success).
 */
export async function createEmbeddedRunner(o: EmbeddedRunnerOptions): Promise<JobRunner> {
  const waiting: JobRecord[] = [];
  const running = new Map<string, Running>();
  let closed = false;

  const pump = (): void => {
    while (!closed && running.size < o.concurrency + 1) {
      const videos = [...running.values()].filter((r) => r.kind === 'video').length;
      const photo = waiting.findIndex((j) => j.kind === 'photo');
      const next = photo >= 0 ? photo : videos < o.concurrency && waiting.length ? 0 : -1;
      if (next < 0) return;
      start(waiting.splice(next, 1)[0]!);
    }
  };

  const start = (job: JobRecord): void => {
    const abort = new AbortController();
    // Writes are chained so that the last one (done, failed) cannot be overtaken by a progress write;
    // once aborted, only `cancelled` is written.
    let writes = Promise.resolve();
    const write = (state: Omit<JobState, 'updatedAt'>) => {
      writes = writes.then(() => (abort.signal.aborted && state.status !== 'cancelled' ? undefined : writeJobState(o.dataDir, job.id, state))).catch(() => {});
    };
    let lastWrite = 0;
    const entry: Running = { kind: job.kind, abort, cancelled: false, settled: Promise.resolve() };
    write({ status: 'running', progress: 0 });
    const settled = runWholeJob(o.dataDir, job, abort.signal, (fraction) => {
      const now = Date.now();
      if (now - lastWrite < PROGRESS_INTERVAL_MS) return;
      lastWrite = now;
      write({ status: 'running', progress: Math.min(1, Math.max(0, fraction)) });
    })
      .then(
        (notes) => write(doneState(notes)),
        (err: unknown) => {
          if (entry.cancelled) write({ status: 'cancelled', progress: 0, message: 'cancelled' });
          else if (!abort.signal.aborted) {
            write({ status: 'failed', progress: 0, message: errorMessage(err) });
            o.onFailure?.(`job ${job.id} (${job.inputName}) failed: ${errorMessage(err)}`);
          }
        },
      )
      .then(() => writes)
      .finally(() => {
        running.delete(job.id);
        pump();
      });
    entry.settled = settled;
    running.set(job.id, entry);
  };

  const runner: JobRunner = {
    async enqueue(job) {
      if (closed) throw new Error('the job queue is closed');
      await writeJobState(o.dataDir, job.id, { status: 'queued', progress: 0 });
      waiting.push(job);
      pump();
    },
    // Resolves once nothing will write into the job's folder any more, so that serve can delete it.
    async cancel(id) {
      const i = waiting.findIndex((j) => j.id === id);
      if (i >= 0) {
        waiting.splice(i, 1);
        await writeJobState(o.dataDir, id, { status: 'cancelled', progress: 0, message: 'cancelled' });
      }
      const r = running.get(id);
      if (!r) return;
      r.cancelled = true;
      r.abort.abort(new Error('cancelled'));
      await r.settled;
    },
    workers: async () => undefined,
    async close() {
      closed = true;
      waiting.length = 0;
      const all = [...running.values()];
      for (const r of all) r.abort.abort(new Error('serve is stopping'));
      await Promise.all(all.map((r) => r.settled));
    },
  };
  waiting.push(...(await unfinishedJobs(o.dataDir)));
  pump();
  return runner;
}

/** Jobs whose state is queued or running, oldest first: what a stopped serve left to do. */
async function unfinishedJobs(dataDir: string): Promise<JobRecord[]> {
  const ids = await readdir(join(dataDir, 'jobs')).catch(() => [] as string[]);
  const jobs: JobRecord[] = [];
  for (const id of ids) {
    const state = await readJobState(dataDir, id);
    if (state?.status !== 'queued' && state?.status !== 'running') continue;
    const job = await readJob(dataDir, id).catch(() => undefined);
    if (job) jobs.push(job);
  }
  return jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
