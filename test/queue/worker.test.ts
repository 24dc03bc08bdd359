import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE } from '../../src/jobs/bull-queue.js';
import { createBullRunner } from '../../src/jobs/bull-runner.js';
import { jobDir, type JobRecord, type JobRunner } from '../../src/jobs/job.js';
import { frameTimes, runCli, tempDir } from '../helpers.js';
import { longVfrClip, shortClip, STREET_SIZE } from './clips.js';
import { exists, redisTestsRun, lumaFrames, makeJob, outputOf, startWorkerProcess, testRedis, waitForJobs, worstBlockDiff, type TestRedis, type WorkerProcess } from './helpers.js';

/**
 * Two `faceblur worker` processes on a real Redis take three jobs: a long variable-rate clip split
 * into three segments across both, a short one rendered whole, and a broken file. One worker is
 * killed (SIGKILL) in the middle of a segment; the other takes the segment over once its lock runs
 * out. Every output must equal the single-process CLI's: frame count, every timestamp, the audio,
 * and the pixels within encoding noise, seams included.
 */

/** Worst 16x16-block mean luma difference allowed: two x264 encodes of the same frames (one split at the seams) differ by about 1-3. A face blurred in one and not the other differs by 10 or more. */
const BLOCK_TOLERANCE = 6;

/** Started per suite (not at load, which a filtered run would never stop); CI without Redis fails in testRedis. */
const runnable = redisTestsRun();

/** The process ids under `pid`, at any depth, from /proc (field 4 of /proc/PID/stat is the parent). */
function descendants(pid: number): number[] {
  const parents = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const m = /\) \S (\d+)/.exec(readFileSync(`/proc/${d}/stat`, 'utf8'));
      return m ? [[Number(d), Number(m[1])] as const] : [];
    } catch {
      return [];
    }
  });
  const under = (p: number): number[] => parents.filter(([, pp]) => pp === p).flatMap(([c]) => [c, ...under(c)]);
  return under(pid);
}

/** Whether process `pid` runs ffmpeg (its command name, from /proc). */
function isFfmpeg(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ffmpeg';
  } catch {
    return false;
  }
}

/** Running (a zombie waiting for its reaper counts as ended). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.skipIf(!runnable)('faceblur worker on Redis', () => {
  let redis: TestRedis | undefined;
  let dir: string;
  let data: string;
  let runner: JobRunner;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = testRedis();
    dir = tempDir();
    data = join(dir, 'data');
    // As serve leaves it: a worker refuses a folder without jobs/.
    mkdirSync(join(data, 'jobs'), { recursive: true });
    runner = await createBullRunner({ redis: redis!.url, dataDir: data });
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await runner?.close();
    redis?.stop();
  });

  it('splits a long clip across two workers, survives one being killed mid-segment, and equals a single-process run', async () => {
    const long = longVfrClip(dir);
    const short = shortClip(dir);
    const broken = join(dir, 'broken.mp4');
    writeFileSync(broken, Buffer.concat([Buffer.from('\x00\x00\x00\x20ftypisom'), Buffer.alloc(4096, 7)]));
    // The single-process runs, for reference.
    for (const [input, out] of [[long, 'long-ref.mp4'], [short, 'short-ref.mp4']] as const) {
      const r = await runCli([input, '-o', join(dir, out), '-q']);
      expect(r.code, r.stderr).toBe(0);
    }
    for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess(redis!.url, data, ['--segment', '4']));
    const jobs: JobRecord[] = [makeJob(data, long), makeJob(data, short), makeJob(data, broken)];
    for (const j of jobs) await runner.enqueue(j);

    // Kill whichever worker runs a segment, once its ffmpeg processes run. (Not judged by the job's
    // progress: that reaches Redis once a second, and a fast machine renders a segment in less.)
    const queue = new Queue(QUEUE, { connection: { url: redis!.url } });
    let killed: WorkerProcess | undefined;
    let segment: number | undefined;
    try {
      for (let t = 0; !killed && t < 2400; t++) {
        for (const j of (await queue.getActive()).filter((j) => j.name === 'segment')) {
          const worker = workers.find((w) => j.processedBy?.endsWith(`:${w.child.pid}`));
          if (!killed && worker && descendants(worker.child.pid!).some(isFfmpeg)) {
            killed = worker;
            segment = (j.data as { index: number }).index;
          }
        }
        if (!killed) await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await queue.close();
    }
    expect(killed, 'no segment was seen running').toBeDefined();
    // Its CLI child and that child's ffmpeg processes, which the kill cannot reach: they must stop by themselves.
    const orphans = descendants(killed!.child.pid!);
    expect(orphans.length).toBeGreaterThan(0);
    killed!.child.kill('SIGKILL');
    for (let t = 0; orphans.some(alive) && t < 100; t++) await new Promise((r) => setTimeout(r, 100));
    expect(orphans.filter(alive), 'processes left running by the killed worker').toEqual([]);

    // Never a partial output: whenever output.mp4 is there (the state says done a moment later), it is whole.
    const frames = { [jobs[0]!.id]: frameTimes(join(dir, 'long-ref.mp4')).length, [jobs[1]!.id]: frameTimes(join(dir, 'short-ref.mp4')).length };
    const seen = new Set<string>();
    const states = await waitForJobs(data, jobs.map((j) => j.id), 300_000, (id) => {
      const out = outputOf(data, jobs.find((j) => j.id === id)!);
      if (seen.has(id) || !exists(out)) return;
      seen.add(id);
      expect(frameTimes(out).length, `${id}: output.mp4 when first seen`).toBe(frames[id]);
    });
    const survivor = workers.find((w) => w !== killed)!;
    expect(states[jobs[0]!.id]!.status, survivor.log()).toBe('done');
    expect(states[jobs[1]!.id]!.status, survivor.log()).toBe('done');
    expect(states[jobs[2]!.id]!.status).toBe('failed');
    expect(states[jobs[2]!.id]!.message).toMatch(/./);
    // The segment the killed worker was rendering was rendered again, by the survivor.
    expect(survivor.log()).toMatch(new RegExp(`${jobs[0]!.id}: segment ${segment} \\(\\d+ frames\\) done`));
    expect(survivor.log()).toMatch(new RegExp(`${jobs[0]!.id}: done \\(3 segments joined\\)`));
    // The joined job says what each part's run found, by its start (a trial's jobs said nothing of their faces).
    expect(states[jobs[0]!.id]!.message).toMatch(/^part 1 of 3 \(from 0:00\.0\): .*face.*\npart 2 of 3 \(from \d:\d\d\.\d\): .*\npart 3 of 3 /s);
    expect(states[jobs[1]!.id]!.message).toMatch(/face/);
    // Nothing of a finished job stays in Redis without an expiry (a trial's progress key had none).
    const client = new Redis(redis!.url);
    try {
      for (const id of [jobs[0]!.id, jobs[1]!.id]) expect(await client.exists(`${QUEUE}:progress:${id}`, `${QUEUE}:notes:${id}`)).toBe(0);
    } finally {
      client.disconnect();
    }

    for (const [job, ref] of [[jobs[0]!, 'long-ref.mp4'], [jobs[1]!, 'short-ref.mp4']] as const) {
      const out = outputOf(data, job);
      const expected = join(dir, ref);
      expect(frameTimes(out)).toEqual(frameTimes(expected));
      const streams = (p: string) => execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', p], { encoding: 'utf8' });
      expect(streams(out)).toBe(streams(expected));
      const [a, b] = [lumaFrames(out, STREET_SIZE.width, STREET_SIZE.height), lumaFrames(expected, STREET_SIZE.width, STREET_SIZE.height)];
      expect(a.length).toBe(b.length);
      const worst = a.map((f, i) => worstBlockDiff(f, b[i]!, STREET_SIZE.width, STREET_SIZE.height));
      expect(Math.max(...worst), `worst block difference per frame: ${worst.map((w) => w.toFixed(1)).join(' ')}`).toBeLessThan(BLOCK_TOLERANCE);
      // The measure sees a mask: against the unblurred input, the faces' blocks differ far beyond the tolerance.
      const input = lumaFrames(join(jobDir(data, job.id), job.inputFile), STREET_SIZE.width, STREET_SIZE.height);
      expect(Math.max(...input.map((f, i) => worstBlockDiff(f, a[i]!, STREET_SIZE.width, STREET_SIZE.height)))).toBeGreaterThan(3 * BLOCK_TOLERANCE);
      // Nothing but the job's own files is left: no segments, no temp files.
      expect(readdirSync(jobDir(data, job.id)).sort()).toEqual(['input.mp4', 'job.json', 'output.mp4', 'state.json']);
    }
  }, 600_000);
});

describe.skipIf(!runnable)('cancelling a queued job', () => {
  it('keeps a cancelled job from running while the job after it runs', async () => {
    const r = testRedis()!;
    const dir = tempDir();
    const data = join(dir, 'data');
    const runner = await createBullRunner({ redis: r.url, dataDir: data });
    let worker: WorkerProcess | undefined;
    try {
      const [cancelled, kept] = [makeJob(data, shortClip(dir)), makeJob(data, shortClip(dir))];
      await runner.enqueue(cancelled);
      await runner.enqueue(kept);
      await runner.cancel(cancelled.id);
      // One worker takes jobs in order: the cancelled one first, had it stayed in the queue.
      worker = await startWorkerProcess(r.url, data);
      const states = await waitForJobs(data, [kept.id], 120_000);
      expect(states[kept.id]!.status, worker.log()).toBe('done');
      const after = await waitForJobs(data, [cancelled.id], 1000);
      expect(after[cancelled.id]!.status).toBe('cancelled');
      expect(exists(outputOf(data, cancelled))).toBe(false);
      expect(worker.log()).not.toContain(cancelled.id);
    } finally {
      worker?.child.kill('SIGKILL');
      await runner.close();
      r.stop();
    }
  }, 180_000);
});

describe.skipIf(!runnable)('a worker given another folder than serve\'s', () => {
  it('refuses a data folder that is not serve\'s, and fails (never silently drops) a job whose folder it cannot see', async () => {
    // Found in a new-user trial: a worker given an empty mount point took every job and dropped it as
    // "cancelled"; the jobs stayed queued on serve's page for ever.
    const r = testRedis()!;
    const dir = tempDir();
    const data = join(dir, 'data');
    const elsewhere = join(dir, 'empty-mount');
    mkdirSync(elsewhere);
    const runner = await createBullRunner({ redis: r.url, dataDir: data });
    let worker: WorkerProcess | undefined;
    try {
      const refused = await runCli(['worker', '--redis', r.url, '--data', elsewhere], { timeoutMs: 30_000 });
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim()).toBe(`faceblur: ${elsewhere} is not serve's data folder (it has no jobs/ folder): give each worker the folder serve's --data names, shared (NFS, SMB) and mounted on its machine`);

      // A folder with a jobs/ of its own (another serve's, or a copy) is not caught at start: the job fails, saying why.
      mkdirSync(join(elsewhere, 'jobs'));
      // The Redis password stays out of its messages, as out of its log lines.
      const unreachable = await runCli(['worker', '--redis', 'redis://:S3cret-pw@127.0.0.1:1', '--data', elsewhere], { timeoutMs: 30_000 });
      expect([unreachable.code, unreachable.stderr]).toEqual([2, 'faceblur: cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n']);
      const job = makeJob(data, shortClip(dir));
      await runner.enqueue(job);
      worker = await startWorkerProcess(r.url, elsewhere);
      const states = await waitForJobs(data, [job.id], 60_000);
      expect(states[job.id]!.status).toBe('failed');
      expect(states[job.id]!.message).toMatch(/^the worker on \S+ finds no job folder .*: its --data is not the folder serve uses/);
    } finally {
      worker?.child.kill('SIGKILL');
      await runner.close();
      r.stop();
    }
  }, 120_000);
});
