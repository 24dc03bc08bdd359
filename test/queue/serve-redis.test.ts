import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameTimes, IMAGES, runCli, tempDir } from '../helpers.js';
import { startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from '../serve/harness.js';
import { longVfrClip, shortClip, STREET_SIZE } from './clips.js';
import { redisTestsRun, lumaFrames, startWorkerProcess, testRedis, worstBlockDiff, type TestRedis, type WorkerProcess } from './helpers.js';

/**
 * The whole team set-up as a user deploys it: `faceblur serve --redis` and two `faceblur worker`
 * processes sharing one data folder. Three files are uploaded over HTTP (a long clip that the
 * workers split into segments, a short clip and a photo); each download must equal the
 * single-process CLI's output (frame times and pixels within encoding noise, seams included).
 */

/** As in worker.test.ts: two x264 encodes of the same frames differ by 1-3 per 16x16 block; a face left unblurred by 10 or more. */
const BLOCK_TOLERANCE = 6;

const runnable = redisTestsRun();

describe.skipIf(!runnable)('faceblur serve --redis with two workers', () => {
  let redis: TestRedis | undefined;
  let dir: string;
  let data: string;
  let serve: Serve | undefined;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = testRedis();
    dir = tempDir();
    data = join(dir, 'data');
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    if (serve) serve.run.child.kill('SIGKILL');
    redis?.stop();
  });

  it('uploads three files over HTTP, the workers split the long one, and every download equals a single-process run', async () => {
    const long = longVfrClip(dir);
    const short = shortClip(dir);
    const photo = join(dir, 'group.jpg');
    copyFileSync(join(IMAGES, 'human_group-1.jpg'), photo);
    const refs = { long: join(dir, 'long-ref.mp4'), short: join(dir, 'short-ref.mp4'), photo: join(dir, 'photo-ref.jpg') };
    for (const [input, out] of [[long, refs.long], [short, refs.short], [photo, refs.photo]] as const) {
      const r = await runCli([input, '-o', out, '-q']);
      expect(r.code, r.stderr).toBe(0);
    }

    serve = await startServe(['--data', data, '--redis', redis!.url]);
    expect((await fetch(new URL('/api/jobs', serve.base))).status, 'the API without credentials').toBe(401);
    for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess(redis!.url, data, ['--segment', '4']));

    const res = await serve.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: long }, { path: short }, { path: photo }]) });
    expect(res.status).toBe(201);
    const { jobs } = (await res.json()) as { jobs: JobJson[] };
    expect(jobs.map((j) => j.name)).toEqual(['street-vfr.mp4', 'street-short.mp4', 'group.jpg']);

    const done = await Promise.all(jobs.map((j) => waitForJob(serve!, j.id, 400_000)));
    for (const d of done) expect(d.job.status, `${d.job.name}: ${d.job.message ?? ''} ${workers.map((w) => w.log()).join('\n')}`).toBe('done');
    // The segmented job reports progress between 0 and 1 while its segments run.
    expect(done[0]!.progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(workers.map((w) => w.log()).join('\n')).toMatch(new RegExp(`${jobs[0]!.id}: done \\(3 segments joined\\)`));

    for (const [job, ref] of [[jobs[0]!, refs.long], [jobs[1]!, refs.short]] as const) {
      const dl = await serve.api(`/api/jobs/${job.id}/output`);
      expect(dl.status).toBe(200);
      const out = join(dir, `${job.id}.mp4`);
      writeFileSync(out, Buffer.from(await dl.arrayBuffer()));
      expect(frameTimes(out)).toEqual(frameTimes(ref));
      const [a, b] = [lumaFrames(out, STREET_SIZE.width, STREET_SIZE.height), lumaFrames(ref, STREET_SIZE.width, STREET_SIZE.height)];
      expect(a.length).toBe(b.length);
      const worst = a.map((f, i) => worstBlockDiff(f, b[i]!, STREET_SIZE.width, STREET_SIZE.height));
      expect(Math.max(...worst), worst.map((w) => w.toFixed(1)).join(' ')).toBeLessThan(BLOCK_TOLERANCE);
    }
    const photoOut = Buffer.from(await (await serve.api(`/api/jobs/${jobs[2]!.id}/output`)).arrayBuffer());
    const photoPath = join(dir, 'photo-out.jpg');
    writeFileSync(photoPath, photoOut);
    const [w, h] = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', refs.photo], { encoding: 'utf8' }).trim().split(',').map(Number);
    expect(worstBlockDiff(lumaFrames(photoPath, w!, h!)[0]!, lumaFrames(refs.photo, w!, h!)[0]!, w!, h!)).toBeLessThan(BLOCK_TOLERANCE);

    await serve.api(`/api/jobs/${jobs[0]!.id}`, { method: 'DELETE' });
    expect((await serve.api(`/api/jobs/${jobs[0]!.id}`)).status).toBe(404);

    // Deleted while its segments run: the workers stop it as cancelled, not "failed" with a raw command line (a trial's log).
    const again = ((await (await serve.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: long }]) })).json()) as { jobs: JobJson[] }).jobs[0]!;
    for (let t = Date.now(); Date.now() - t < 120_000; await new Promise((r) => setTimeout(r, 100))) {
      const j = (await (await serve.api(`/api/jobs/${again.id}`)).json()) as JobJson;
      if (j.status === 'running' && j.progress > 0) break;
    }
    await serve.api(`/api/jobs/${again.id}`, { method: 'DELETE' });
    await new Promise((r) => setTimeout(r, 5_000));
    const logs = workers.map((w) => w.log()).join('\n');
    expect(logs.split('\n').filter((l) => l.includes(again.id) && /failed/.test(l))).toEqual([]);
    await stopServe(serve);
    serve = undefined;
  }, 900_000);
});
