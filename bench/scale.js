// `npm run bench:scale`: a 2-minute 720p clip through the queue on Redis, on one `faceblur worker`
// (rendered whole), then on two workers that split it into 60 s segments, each worker pinned to
// its own core with taskset. Target: two workers in at most 0.55x the time of one. Rounds
// alternate the two setups (BENCH_RUNS rounds, default 1) and the medians are reported, with the
// load average, since the machine may be shared. BENCH_SECONDS and BENCH_SEGMENT shorten it for a
// trial. Writes bench/results/scale.json.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createBullRunner } from '../dist/jobs/bull-runner.js';
import { jobDir, newJobId, readJobState } from '../dist/jobs/job.js';
import { median } from './lib/timing.js';
import { SHARED } from './lib/wider.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 120);
const SEGMENT = Number(process.env.BENCH_SEGMENT ?? 60);
const root = join(import.meta.dirname, '..');
const work = join(process.env.BENCH_WORK ?? join(import.meta.dirname, 'work'), 'scale');
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');
mkdirSync(work, { recursive: true });
const env = { ...process.env, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models') };
// One detector thread per worker: each worker has one core, and onnxruntime would otherwise size its pool by the machine.
const JOB_ARGS = ['--threads', '1'];

// Real footage of people walking past a camera, scaled to 720p at 30 fps with a camera's temporal
// noise (as bench/speed.js) and a keyframe every 2 s, as a camera writes them.
const clip = join(work, `street-720p-${SECONDS}s.mp4`);
if (!existsSync(clip)) {
  // Made under a temp name: an interrupted encode must not be taken for the clip next time.
  const temp = clip.replace(/\.mp4$/, '.part.mp4');
  execFileSync('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', '-ss', '6', '-i', join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4'), '-t', String(SECONDS),
    '-vf', 'scale=-2:720,fps=30,noise=alls=3:allf=t', '-c:v', 'libx264', '-crf', '16', '-preset', 'fast', '-g', '60', '-an', temp]);
  renameSync(temp, clip);
}

const redisDir = join(work, 'redis');
rmSync(redisDir, { recursive: true, force: true });
const redis = execFileSync(join(root, 'scripts', 'redis-test.sh'), ['start', redisDir], { encoding: 'utf8' }).trim();

/** Starts `count` workers, worker k pinned to core k, and resolves once all wait for jobs. */
async function startWorkers(count, data, segment) {
  return Promise.all(Array.from({ length: count }, (_, core) => new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', String(core), process.execPath, join(root, 'bin', 'faceblur.js'), 'worker', '--redis', redis, '--data', data, '--segment', String(segment)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => {
      log += d;
      if (log.includes('waiting for jobs')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${log}`)));
  })));
}

/**
 * CPU seconds a worker and every process under it used so far (user + system, its own and its
 * reaped children's, which include theirs: /proc/PID/stat fields 14-17, in clock ticks of 1/100 s).
 * Unlike wall time, this hardly moves with the load of other users of the machine.
 */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return fields.slice(11, 15).reduce((n, v) => n + Number(v), 0) / 100;
}

/** Seconds from enqueue to state done, and each worker's CPU seconds, for the clip on `count` workers. */
async function timeJob(count, segment) {
  const data = join(work, `data-${count}`);
  rmSync(data, { recursive: true, force: true });
  const workers = await startWorkers(count, data, segment);
  const runner = await createBullRunner({ redis, dataDir: data });
  try {
    const id = newJobId();
    mkdirSync(jobDir(data, id), { recursive: true });
    copyFileSync(clip, join(jobDir(data, id), 'input.mp4'));
    const job = { id, createdAt: new Date().toISOString(), inputName: 'street.mp4', inputFile: 'input.mp4', outputFile: 'output.mp4', kind: 'video', args: JOB_ARGS };
    writeFileSync(join(jobDir(data, id), 'job.json'), JSON.stringify(job));
    const start = performance.now();
    await runner.enqueue(job);
    for (;;) {
      const s = await readJobState(data, id);
      if (s?.status === 'done') return { seconds: (performance.now() - start) / 1000, cpu: workers.map((w) => cpuSeconds(w.pid)) };
      if (s?.status === 'failed') throw new Error(`job failed: ${s.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await runner.close();
    for (const w of workers) w.kill('SIGTERM');
  }
}

const load = [loadavg()[0]];
const one = [];
const two = [];
try {
  for (let i = 0; i < RUNS; i++) {
    one.push(await timeJob(1, 86400));
    two.push(await timeJob(2, SEGMENT));
    load.push(loadavg()[0]);
    console.error(`round ${i + 1}: one worker ${one.at(-1).seconds.toFixed(1)} s, two workers ${two.at(-1).seconds.toFixed(1)} s; CPU s ${one.at(-1).cpu} / ${two.at(-1).cpu}`);
  }
} finally {
  execFileSync(join(root, 'scripts', 'redis-test.sh'), ['stop', redisDir]);
}
const ratio = median(two.map((t, i) => t.seconds / one[i].seconds));
// On a machine with a free core per worker, wall time follows the busiest worker's CPU time: this
// ratio is what the wall-time ratio would be there, estimated from runs on a loaded machine.
const cpuRatio = median(two.map((t, i) => Math.max(...t.cpu) / one[i].cpu[0]));
const result = {
  date: new Date().toISOString(),
  clip: { seconds: SECONDS, size: '1280x720', fps: 30, keyframeEvery: 2 },
  segmentSeconds: SEGMENT,
  cores: availableParallelism(),
  loadAverage1min: load,
  oneWorker: { runs: one, seconds: median(one.map((r) => r.seconds)), cpuSeconds: median(one.map((r) => r.cpu[0])) },
  twoWorkers: { runs: two, seconds: median(two.map((r) => r.seconds)), busiestWorkerCpuSeconds: median(two.map((r) => Math.max(...r.cpu))), totalCpuSeconds: median(two.map((r) => r.cpu[0] + r.cpu[1])) },
  ratio,
  cpuRatio,
  target: 0.55,
};
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'scale.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`one worker ${result.oneWorker.seconds.toFixed(1)} s, two workers ${result.twoWorkers.seconds.toFixed(1)} s: ${ratio.toFixed(3)}x (target ≤ 0.55); ` +
  `busiest worker's CPU time against one worker's: ${cpuRatio.toFixed(3)}x; load average ${load.map((l) => l.toFixed(1)).join(' → ')}`);
