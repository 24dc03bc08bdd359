import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGES, tempDir } from '../helpers.js';
import { HAVE_CHROMIUM, launchBrowser, screenshots } from '../review/harness.js';
import { groupClip, startServe, stopServe, type Serve } from '../serve/harness.js';
import { redisTestsRun, startWorkerProcess, testRedis, type TestRedis, type WorkerProcess } from './helpers.js';

const runnable = redisTestsRun();

/**
 * `serve --redis` before any `faceblur worker` runs. Found in a new-user trial: the page showed the
 * upload as "queued" for ever, with nothing to say that serve itself runs no jobs in this mode.
 */
describe.skipIf(!runnable || !HAVE_CHROMIUM)('faceblur serve --redis without a worker', () => {
  let redis: TestRedis | undefined;
  let serve: Serve | undefined;
  let worker: WorkerProcess | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    if (serve) await stopServe(serve);
    await browser?.close();
    redis?.stop();
  });

  it('says that no worker is connected while a job waits, and stops saying it once one runs the job', async () => {
    redis = testRedis();
    const dir = tempDir('faceblur-no-worker-');
    const data = join(dir, 'data');
    serve = await startServe(['--data', data, '--redis', redis!.url]);
    const workers = async () => ((await (await serve!.api('/api/jobs')).json()) as { workers?: number }).workers;
    expect(await workers()).toBe(0);

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1000, height: 560 } });
    const shot = screenshots(page, '../serve/no-worker');
    await page.goto(`${serve.base}?token=${serve.token}`);
    await page.waitForSelector('td.empty');
    // Nothing waits yet: no notice.
    expect(await page.locator('.no-worker').isHidden()).toBe(true);
    await page.setInputFiles('#files', join(IMAGES, 'deface_city.jpg'));
    await page.waitForSelector('.no-worker:not([hidden])');
    await shot('waiting');
    expect(await page.locator('.no-worker').innerText()).toBe(
      'No faceblur worker is connected to this server’s queue, so queued and unfinished jobs wait. Start one (faceblur worker --redis URL --data DIR, with the same Redis and data folder as serve); the jobs go on as soon as it does.',
    );
    expect(await page.locator('tr[data-status="queued"]').count()).toBe(1);

    worker = await startWorkerProcess(redis!.url, data);
    await page.waitForSelector('tr[data-status="done"]', { timeout: 120_000 });
    await page.waitForSelector('.no-worker[hidden]', { state: 'attached' });
    await shot('done');
    expect(await workers()).toBe(1);

    // The worker stops in the middle of a job: the row still reads "running", and the notice says why it does not move
    // (a trial's job read "running 17 %" for good, with no word).
    const clip = join(dir, 'group.mp4');
    groupClip(clip, 6);
    await page.setInputFiles('#files', clip);
    await page.waitForSelector('tr[data-status="running"]', { timeout: 60_000 });
    worker.child.kill('SIGKILL');
    await page.waitForSelector('.no-worker:not([hidden])', { timeout: 30_000 });
    expect(await page.locator('tr[data-status="running"]').count()).toBe(1);
    await shot('worker-gone-mid-job');
  });
});
