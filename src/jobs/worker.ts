import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { mkdir, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { FlowProducer, Queue, Worker, type Job } from 'bullmq';
import { errorMessage } from '../errors.js';
import { joinSegments } from '../media/concat.js';
import { containerFor } from '../media/container.js';
import { findFfmpeg } from '../media/ffmpeg.js';
import { packetTimes } from '../media/packets.js';
import { probe } from '../media/probe.js';
import { clock } from '../pipeline/face-stats.js';
import { segmentArg } from '../pipeline/segment.js';
import { checkRedis, connectionOf, KEEP_SECONDS, keys, partId, PRIORITY, QUEUE, type JobData, type JoinData, type SegmentData } from './bull-queue.js';
import { runCliChild } from './cli-child.js';
import { doneState, jobDir, readJob, runWholeJob, writeJobState, type JobRecord, type JobState } from './job.js';
import { parseJobArgs } from './job-options.js';
import { splitAtKeyframes } from './split.js';

/**
 * Lock and stall timing (README, "Several machines"). A worker renews the lock of each job it runs
 * every LOCK_MS / 2 from its event loop, which the rendering (in child processes) never blocks; a
 * killed worker's lock runs out after LOCK_MS, and the next stall check of any live worker (every
 * STALLED_MS) puts the job back in the queue: another worker starts it again within
 * LOCK_MS + STALLED_MS = 30 s. A job that stalls more than MAX_STALLED times fails: something
 * in it kills workers.
 */
const LOCK_MS = 20_000;
const STALLED_MS = 10_000;
const MAX_STALLED = 2;

/** How often the same queue error may be logged again. */
const ERROR_REPEAT_MS = 60_000;

/** How often a running part looks for a cancel, and writes the job's aggregated progress. */
const TICK_MS = 1000;

export interface WorkerSettings {
  redis: string;
  dataDir: string;
  /** Jobs or segments run at once by this worker. */
  concurrency: number;
  /** Videos longer than this (seconds) are split into segments of about this length. */
  segmentSeconds: number;
  log: (line: string) => void;
}

const keepFor = { removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } };

/**
 * `faceblur worker`: takes jobs, segments and joins from the queue and runs them on the shared data
 * folder, each rendering through this faceblur's own CLI in a child process (runCliChild). Resolves
 * once connected; it runs until the process ends (src/jobs/run-worker.ts).
 * @throws UserError (exit 2) when Redis cannot be reached or keeps no append-only file (checkRedis).
 */
export async function startWorker(s: WorkerSettings): Promise<void> {
  await checkRedis(s.redis);
  const connection = connectionOf(s.redis);
  const queue = new Queue(QUEUE, { connection });
  const flows = new FlowProducer({ connection });
  // While Redis restarts, the clients reconnect by themselves; the worker's 'error' handler below logs the outage.
  queue.on('error', () => undefined);
  flows.on('error', () => undefined);
  const redis = await queue.getBackend().client;
  // HSET with the key's expiry, in one step: BullMQ's client has no EXPIRE of its own, and a hash
  // written by plain HSET outlived its deleted job for good (a trial's progress key, TTL -1).
  redis.defineCommand('faceblurHsetKept', { numberOfKeys: 1, lua: "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\nreturn redis.call('EXPIRE', KEYS[1], ARGV[3])" });
  const hsetKept = (key: string, field: string, value: string | number) => redis.runCommand('faceblurHsetKept', [key, field, value, KEEP_SECONDS]);
  const tools = findFfmpeg();

  /** Whether the job was cancelled or its folder deleted (by serve: delete, or retention). */
  const gone = async (id: string): Promise<boolean> => !existsSync(join(jobDir(s.dataDir, id), 'job.json')) || Boolean(await redis.get(keys.cancelled(id)));

  /** Writes state.json unless the job is gone (writing would bring a deleted folder back). */
  async function state(id: string, st: Omit<JobState, 'updatedAt'>): Promise<void> {
    if (!(await gone(id))) await writeJobState(s.dataDir, id, st);
  }

  /**
   * Runs `work` with a signal that aborts when the job is gone, and calls `tick` every TICK_MS
   * meanwhile (one at a time). Once `work` and the last tick are over, writes the state `work`
   * returns, if any, so that no late progress overwrites it; a failure is written to the job's
   * state and rethrown for BullMQ. A part of a job already gone does nothing.
   */
  async function guarded(id: string, work: (signal: AbortSignal) => Promise<Omit<JobState, 'updatedAt'> | undefined>, tick: () => Promise<void> = async () => undefined): Promise<string> {
    // Deleting a job sets its cancel key first: a folder missing without one means this worker looks
    // in another folder than serve's (an NFS share not mounted). Failing says so on the jobs page;
    // skipping it would leave the job queued there for ever.
    // The two facts gone() reads, read once here.
    const present = existsSync(join(jobDir(s.dataDir, id), 'job.json'));
    const cancelled = Boolean(await redis.get(keys.cancelled(id)));
    if (!present && !cancelled) {
      throw new Error(`the worker on ${hostname()} finds no job folder ${jobDir(s.dataDir, id)}: its --data is not the folder serve uses (shared and mounted on every machine)`);
    }
    if (!present || cancelled) return 'cancelled';
    const controller = new AbortController();
    let pending = Promise.resolve();
    const timer = setInterval(() => {
      pending = pending.then(async () => (await gone(id) ? controller.abort(new Error('cancelled')) : tick())).catch(() => undefined);
    }, TICK_MS);
    try {
      const final = await work(controller.signal);
      clearInterval(timer);
      await pending;
      if (final) await state(id, final);
      return final?.message ?? final?.status ?? 'done';
    } catch (err) {
      clearInterval(timer);
      await pending;
      // Deleted or cancelled while it ran: its run failed because its files went, which is no failure
      // (a trial's log said "segment failed: Command failed: ffprobe …" for a deleted job).
      if (await gone(id).catch(() => false)) return 'cancelled';
      await state(id, { status: 'failed', progress: 0, message: errorMessage(err) }).catch(() => undefined);
      throw err;
    }
  }

  /** An accepted upload: split a long video into a flow of segments and a join, or render it whole. */
  async function runJob(job: Job<JobData>): Promise<string> {
    const { id } = job.data;
    let fraction: number | undefined;
    return guarded(id, async (signal) => {
      const record = await readJob(s.dataDir, id);
      const segments = await segmentsOf(record);
      if (segments.length > 1) {
        const totalFrames = segments.reduce((n, x) => n + x.count, 0);
        // A retried split finds its flow already there (the ids are the job's own).
        if (!(await queue.getJob(partId.join(id)))) {
          await flows.add({
            name: 'join', queueName: QUEUE, data: { id, segments } satisfies JoinData, opts: { jobId: partId.join(id), priority: PRIORITY.quick, ...keepFor },
            children: segments.map((spec, index) => ({
              name: 'segment', queueName: QUEUE, data: { id, index, spec, totalFrames } satisfies SegmentData,
              opts: { jobId: partId.segment(id, index), priority: PRIORITY.video, failParentOnFailure: true, ...keepFor },
            })),
          });
        }
        return { status: 'running', progress: 0, message: `split into ${segments.length} segments` };
      }
      await state(id, { status: 'running', progress: 0 });
      fraction = 0;
      const notes = await runWholeJob(s.dataDir, record, signal, (f) => (fraction = f));
      s.log(`${id}: done`);
      return doneState(notes);
    }, async () => {
      if (fraction === undefined) return;
      await job.updateProgress(fraction);
      await state(id, { status: 'running', progress: fraction });
    });
  }

  /** The segments of a job's input: more than one only for a video longer than segmentSeconds in a container that can be joined. */
  async function segmentsOf(record: JobRecord) {
    if (record.kind !== 'video' || containerFor(record.outputFile).videoCodec === 'gif') return [];
    try {
      if (parseJobArgs(record.args).project !== undefined) return [];
      return splitAtKeyframes(await packetTimes(tools, join(jobDir(s.dataDir, record.id), record.inputFile)), s.segmentSeconds);
    } catch {
      // Unreadable input or arguments: the whole-job run fails with the CLI's own message.
      return [];
    }
  }

  /**
   * One segment: the CLI renders its frames to `segments/<n>.mkv`; its frames done go to the job's
   * progress hash, and the job's progress is written each tick and as the segment ends (so that a
   * segment shorter than a tick still moves the job's progress).
   */
  async function runSegment(job: Job<SegmentData>): Promise<string> {
    const { id, index, spec, totalFrames } = job.data;
    let done = 0;
    const report = async () => {
      await hsetKept(keys.progress(id), String(index), done);
      const all = Object.values(await redis.hgetall(keys.progress(id))).reduce((n, v) => n + Number(v), 0);
      await job.updateProgress(done / spec.count);
      await state(id, { status: 'running', progress: Math.min(1, all / totalFrames) });
    };
    return guarded(id, async (signal) => {
      const record = await readJob(s.dataDir, id);
      const dir = jobDir(s.dataDir, id);
      const o = parseJobArgs(record.args);
      await mkdir(join(dir, 'segments'), { recursive: true });
      const started = performance.now();
      // -f: a segment retried after its worker was killed overwrites the earlier attempt's file.
      const args = [join(dir, record.inputFile), '-o', segmentPath(dir, index), ...record.args, '--render-segment', segmentArg(spec), '--codec', o.codec ?? containerFor(record.outputFile).videoCodec, '-f'];
      const notes = await runCliChild(args, (n) => (done = n), signal);
      // For the join, which says them part by part: a segment's counts are its own.
      await hsetKept(keys.notes(id), String(index), JSON.stringify(notes));
      done = spec.count;
      await report();
      s.log(`${id}: segment ${index} (${spec.count} frames) done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return undefined;
    }, report);
  }

  /** Once every segment is done: joins them with the original's audio into a temp file, renamed to output.<ext>. */
  async function runJoin(job: Job<JoinData>): Promise<string> {
    const { id, segments } = job.data;
    return guarded(id, async () => {
      const record = await readJob(s.dataDir, id);
      const dir = jobDir(s.dataDir, id);
      const input = join(dir, record.inputFile);
      const o = parseJobArgs(record.args);
      const info = await probe(tools, input);
      const ext = extname(record.outputFile);
      const temp = join(dir, `.output-${randomBytes(4).toString('hex')}${ext}`);
      try {
        await joinSegments(tools, segments.map((spec, i) => ({ path: segmentPath(dir, i), time: spec.pts - info.startTime })), join(dir, 'segments', 'list.ffconcat'), {
          output: temp, source: input, startTime: info.startTime, audioCodecs: o.audio ? info.audio.map((a) => a.codec) : [], keepMetadata: o.keepMetadata, codec: o.codec,
        });
        await rename(temp, join(dir, record.outputFile));
      } finally {
        await rm(temp, { force: true });
      }
      await rm(join(dir, 'segments'), { recursive: true, force: true });
      // What each segment's run said, part by part: counts of one segment do not add up to the video's (a face crosses parts).
      const said = await redis.hgetall(keys.notes(id));
      const notes = segments.flatMap((spec, i) => (JSON.parse(said[i] ?? '[]') as string[]).map((n) => `part ${i + 1} of ${segments.length} (from ${clock(spec.pts - info.startTime)}): ${n}`));
      await redis.del(keys.progress(id), keys.notes(id));
      s.log(`${id}: done (${segments.length} segments joined)`);
      return doneState(notes);
    });
  }

  const worker = new Worker(
    QUEUE,
    async (job: Job) => {
      if (job.name === 'segment') return runSegment(job as Job<SegmentData>);
      if (job.name === 'join') return runJoin(job as Job<JoinData>);
      return runJob(job as Job<JobData>);
    },
    // The name (host:pid) is each job's processedBy: which worker runs a part, for the log and the fault tests.
    { connection, name: `${hostname()}:${process.pid}`, concurrency: s.concurrency, lockDuration: LOCK_MS, stalledInterval: STALLED_MS, maxStalledCount: MAX_STALLED },
  );
  worker.on('failed', (job, err) => s.log(`${job?.data?.id ?? '?'}: ${job?.name ?? 'job'} failed: ${err.message}`));
  // While Redis is away the client reports every reconnection attempt, about one a second: each
  // message is logged once a minute at most.
  const logged = new Map<string, number>();
  worker.on('error', (err) => {
    const now = Date.now();
    if (now - (logged.get(err.message) ?? -Infinity) < ERROR_REPEAT_MS) return;
    logged.set(err.message, now);
    s.log(`error: ${err.message}`);
  });
  await worker.waitUntilReady();
}

const segmentPath = (dir: string, index: number): string => join(dir, 'segments', `${String(index).padStart(4, '0')}.mkv`);
