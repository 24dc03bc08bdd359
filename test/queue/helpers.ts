import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { jobDir, newJobId, readJobState, type JobRecord, type JobState } from '../../src/jobs/job.js';
import { CLI, MODEL_DIR, ROOT, tempDir } from '../helpers.js';

/**
 * Helpers for the tests of the queue on Redis (`faceblur worker`, `serve --redis`): a Redis, job
 * folders made as serve makes them, worker processes of the built CLI, and waiting for states.
 */

const SCRIPT = join(ROOT, 'scripts', 'redis-test.sh');

export interface TestRedis {
  url: string;
  /** Its data folder: set for a Redis started here, undefined for CI's (FACEBLUR_TEST_REDIS). */
  dir: string | undefined;
  stop(): void;
}

/** Starts a private Redis (scripts/redis-test.sh) with its own data folder; `port` reuses one (a restart). */
export function startRedis(dir = tempDir('faceblur-redis-'), port?: number): TestRedis {
  const url = execFileSync(SCRIPT, ['start', dir, ...(port ? [String(port)] : [])], { encoding: 'utf8' }).trim();
  return { url, dir, stop: () => execFileSync(SCRIPT, ['stop', dir]) };
}

/**
 * The Redis for a test file: CI's (FACEBLUR_TEST_REDIS, started by .ci/run), else a private one.
 * Undefined when redis-server is not installed and CI is not set: the caller skips, saying why. In
 * CI a missing Redis throws, so that the tests fail instead of passing unrun.
 */
export function testRedis(): TestRedis | undefined {
  const url = process.env.FACEBLUR_TEST_REDIS;
  if (url) return { url, dir: undefined, stop: () => undefined };
  if (!hasRedisServer()) {
    if (process.env.CI) throw new Error('CI is set but neither FACEBLUR_TEST_REDIS nor redis-server is available: .ci/run installs and starts it');
    return undefined;
  }
  return startRedis();
}

/** Whether the tests on a Redis run here: always in CI (where a missing Redis fails them, see testRedis), else with FACEBLUR_TEST_REDIS or redis-server. */
export const redisTestsRun = (): boolean => Boolean(process.env.FACEBLUR_TEST_REDIS) || hasRedisServer() || Boolean(process.env.CI);

/** The same for tests that start, crash and restart a Redis of their own (startRedis), which needs redis-server itself. */
export const ownRedisTestsRun = (): boolean => hasRedisServer() || Boolean(process.env.CI);

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Kills redis-server at once, as a crash or power cut would (no shutdown, no final fsync). */
export function crashRedis(r: TestRedis): void {
  const pid = Number(execFileSync('cat', [join(r.dir!, 'redis.pid')], { encoding: 'utf8' }));
  process.kill(pid, 'SIGKILL');
}

/** A job folder as serve makes it: `job.json` and `input.<ext>` (a copy of `source`). */
export function makeJob(dataDir: string, source: string, args: string[] = [], outputExt = extname(source)): JobRecord {
  const id = newJobId();
  const dir = jobDir(dataDir, id);
  mkdirSync(dir, { recursive: true });
  const ext = extname(source).slice(1).toLowerCase();
  const job: JobRecord = {
    id, createdAt: new Date().toISOString(), inputName: source.split('/').pop()!, inputFile: `input.${ext}`, outputFile: `output${outputExt}`,
    kind: /^(jpe?g|png|webp)$/.test(ext) ? 'photo' : 'video', args,
  };
  copyFileSync(source, join(dir, job.inputFile));
  writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
  return job;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote on stderr so far. */
  log(): string;
}

/** Starts `faceblur worker` (the built CLI) on `redis` and `dataDir`, resolving once it waits for jobs. */
export function startWorkerProcess(redis: string, dataDir: string, extra: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', redis, '--data', dataDir, ...extra], {
    env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  child.stderr!.on('data', (d) => (text += d));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (text.includes('waiting for jobs')) {
        clearInterval(timer);
        resolve({ child, log: () => text });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`worker exited ${child.exitCode}: ${text}`));
      }
    }, 100);
  });
}

/**
 * Polls each job's state.json until every one is done, failed or cancelled; `check` runs on every
 * poll (to assert what must hold meanwhile, such as "no output before done").
 * @throws Error naming the jobs still unfinished after `timeoutMs`.
 */
export async function waitForJobs(dataDir: string, ids: string[], timeoutMs: number, check: (id: string, s: JobState | undefined) => void = () => undefined): Promise<Record<string, JobState>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ids.map((id) => readJobState(dataDir, id)));
    ids.forEach((id, i) => check(id, states[i]));
    if (states.every((s) => s && ['done', 'failed', 'cancelled'].includes(s.status))) return Object.fromEntries(ids.map((id, i) => [id, states[i]!]));
    if (Date.now() > end) throw new Error(`unfinished after ${timeoutMs} ms: ${ids.map((id, i) => `${id} ${JSON.stringify(states[i])}`).join('; ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const outputOf = (dataDir: string, job: JobRecord): string => join(jobDir(dataDir, job.id), job.outputFile);
export const exists = existsSync;

/** Every frame of a video as 8-bit luma, `width` x `height`. */
export function lumaFrames(path: string, width: number, height: number): Uint8Array[] {
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 1024 * 1024 * 1024 });
  const size = width * height;
  return Array.from({ length: buf.length / size }, (_, i) => new Uint8Array(buf.buffer, buf.byteOffset + i * size, size));
}

/**
 * The largest mean absolute difference of luma over any 16x16 block of two frames: encoding
 * noise stays at a few levels, while a face blurred in one frame and sharp (or blurred elsewhere)
 * in the other differs by tens over the face's blocks.
 */
export function worstBlockDiff(a: Uint8Array, b: Uint8Array, width: number, height: number, block = 16): number {
  let worst = 0;
  for (let by = 0; by + block <= height; by += block) {
    for (let bx = 0; bx + block <= width; bx += block) {
      let sum = 0;
      for (let y = by; y < by + block; y++) for (let x = bx; x < bx + block; x++) sum += Math.abs(a[y * width + x]! - b[y * width + x]!);
      worst = Math.max(worst, sum / (block * block));
    }
  }
  return worst;
}
