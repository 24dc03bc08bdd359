import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, ROOT, tempDir } from '../helpers.js';
import { HAVE_CHROMIUM, launchBrowser, screenshots } from '../review/harness.js';
import { groupClip, magentaPixels, startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from './harness.js';

/** Drops files on the page's drop zone as a person dragging them from a file manager would. */
async function dropFiles(page: Page, files: { name: string; bytes: Buffer; type: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, data: f.bytes.toString('base64') }));
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    return dt;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('label.drop', type, { dataTransfer: transfer });
}

const row = (page: Page, name: string) => page.locator('tr', { has: page.locator('td.name', { hasText: name }) });

describe.runIf(HAVE_CHROMIUM)('faceblur serve in a browser', () => {
  let browser: Browser;
  let s: Serve | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    if (s) await stopServe(s);
    await browser?.close();
  });

  it('drag and drop uploads, live progress, download, review and delete', async () => {
    const dir = tempDir('faceblur-serve-page-');
    const data = join(dir, 'data');
    const clip = join(dir, 'group clip.mp4');
    groupClip(clip, 4);
    s = await startServe(['--data', data, '--max-upload-size', '2M']);
    const page = await browser.newPage({ viewport: { width: 1200, height: 860 }, acceptDownloads: true });
    const shot = screenshots(page, '../serve/page');
    await page.goto(`${s.base}?token=${s.token}`);
    await page.waitForSelector('label.drop');
    expect(await page.locator('.limits').innerText()).toMatch(/^up to 2.0 MiB each, videos up to [0-9.]+ (s|min|h) long; each job is deleted 24 h after its upload$/);
    await shot('empty');

    await page.click('details.settings summary');
    // A fixed list is a menu, whose first entry keeps the default.
    expect(await page.locator('select[name=replacewith] option').allInnerTexts()).toEqual(['blur (default)', 'blur', 'pixelate', 'solid', 'none']);
    // A long default fits its field: its first clause, whole in the title and the help line (a trial saw it cut mid-word).
    expect(await page.locator('input[name=thresh]').getAttribute('placeholder')).toBe('0.3 for video');
    expect(await page.locator('input[name=thresh]').getAttribute('title')).toMatch(/^0\.3 for video \(0\.5 for faces larger .*0\.65 for photos/);
    expect(await page.locator('input[name=maskMargin]').getAttribute('placeholder')).toBe('10; 16 with --thorough');
    await page.selectOption('select[name=replacewith]', 'solid');
    await page.fill('input[name=color]', 'ff00ff');
    await shot('settings');
    // Folded again (its values still apply), so that the later screenshots show the jobs, not the form.
    await page.click('details.settings summary');

    // One good photo and two bad files in one drop; the video through the file chooser.
    await dropFiles(page, [
      { name: 'group.jpg', bytes: readFileSync(join(IMAGES, 'human_group-1.jpg')), type: 'image/jpeg' },
      { name: 'notes.mp4', bytes: Buffer.from('not a video\n'.repeat(50)), type: 'video/mp4' },
      { name: 'huge.png', bytes: Buffer.alloc(3 * 2 ** 20, 1), type: 'image/png' },
    ]);
    await page.setInputFiles('#files', clip);
    await page.waitForFunction(() => document.querySelectorAll('.uploads li[data-done]').length === 3 && document.querySelectorAll('.uploads li').length === 4);
    // "running" passes between two refreshes on a fast machine: a finished row will do.
    await page.waitForSelector('tr[data-status="running"] progress, tr[data-status="done"]', { timeout: 60_000 });
    await shot('running');
    const uploads = await page.locator('.uploads li').allInnerTexts();
    expect(uploads.find((t) => t.startsWith('notes.mp4'))).toMatch(/^notes\.mp4 not a readable media file \(/);
    expect(uploads.find((t) => t.startsWith('huge.png'))).toBe('huge.png larger than the 2.0 MiB this server accepts (--max-upload-size)');
    expect(uploads.filter((t) => t.endsWith('uploaded')).sort()).toEqual(['group clip.mp4 uploaded', 'group.jpg uploaded']);
    // Only the two good files became jobs; the refused ones left nothing. The list refreshes after
    // the last upload's answer, so wait for it before counting.
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-id]').length >= 2);
    expect(await page.locator('tbody tr').count()).toBe(2);
    expect(await row(page, 'group clip.mp4').locator('td.args').innerText()).toBe('--replacewith=solid --color=ff00ff');

    await page.waitForFunction(() => document.querySelectorAll('tr[data-status="done"]').length === 2, undefined, { timeout: 200_000 });
    await shot('done');
    const [download] = await Promise.all([page.waitForEvent('download'), row(page, 'group.jpg').locator('a.download').click()]);
    expect(download.suggestedFilename()).toBe('group_anonymized.jpg');
    const photo = join(dir, 'download.jpg');
    await download.saveAs(photo);
    const { width, height } = await import('sharp').then((m) => m.default(photo).metadata());
    expect(magentaPixels(photo, width!, height!)).toBeGreaterThan(6 * 300);

    // The review editor of the finished video, behind the same token; its export replaces the job's output.
    const videoId = await row(page, 'group clip.mp4').getAttribute('data-id');
    const output = join(data, 'jobs', videoId!, 'output.mp4');
    const before = statSync(output).mtimeMs;
    const [review] = await Promise.all([page.waitForEvent('popup'), row(page, 'group clip.mp4').locator('a.review').click()]);
    await review.setViewportSize({ width: 1280, height: 800 });
    await review.waitForSelector('.clock[data-frame="0"]', { timeout: 200_000 });
    await review.screenshot({ path: join(ROOT, 'test-output', 'serve', 'page', 'review.png') });
    expect(await review.locator('header .title').innerText()).toBe('faceblur review — group clip.mp4');
    const state = await review.evaluate(async () => {
      const post = await fetch(`api/export${location.search}`, { method: 'POST' });
      if (!post.ok) return { error: await post.text() };
      for (;;) {
        const st = (await (await fetch(`api/state${location.search}`)).json()) as { job?: { kind: string; state: string; message?: string } };
        if (st.job?.kind === 'export' && st.job.state !== 'running') return st.job;
        await new Promise((r) => setTimeout(r, 300));
      }
    });
    expect(state).toMatchObject({ kind: 'export', state: 'done', message: "written to the job's output (its Download link on the jobs page)" });
    expect(statSync(output).mtimeMs).toBeGreaterThan(before);
    expect(existsSync(join(data, 'jobs', videoId!, 'project.faceblur.json'))).toBe(true);
    await review.close();

    page.on('dialog', (d) => void d.accept());
    const photoId = await row(page, 'group.jpg').getAttribute('data-id');
    await row(page, 'group.jpg').locator('button.delete').click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-id]').length === 1);
    expect(existsSync(join(data, 'jobs', photoId!))).toBe(false);
    await shot('deleted');

    // Without the token the page sends the browser to the sign-in form.
    const stranger = await browser.newPage();
    await stranger.goto(s.base);
    expect(new URL(stranger.url()).pathname).toBe('/login');
    await stranger.screenshot({ path: join(ROOT, 'test-output', 'serve', 'page', 'login.png') });
  });
  it('a job list that answers late never replaces a newer one (the poll and the post-upload refresh overlap)', async () => {
    const dir = tempDir('faceblur-serve-order-');
    const srv = await startServe(['--data', join(dir, 'data')]);
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 500 } });
      await page.goto(`${srv.base}?token=${srv.token}`);
      await page.waitForSelector('td.empty');
      // Hold the next list the poll asks for, taken while there are no jobs, until after the upload.
      let release = () => {};
      const released = new Promise<void>((r) => (release = r));
      let delivered: Promise<void> | undefined;
      await page.route(
        (url) => url.pathname === '/api/jobs',
        async (route) => {
          if (route.request().method() !== 'GET' || delivered) return route.continue();
          let done = () => {};
          delivered = new Promise<void>((r) => (done = r));
          const stale = await route.fetch();
          await released;
          await route.fulfill({ response: stale });
          done();
        },
      );
      await expect.poll(() => delivered !== undefined, { timeout: 5_000 }).toBe(true);
      await page.setInputFiles('#files', join(IMAGES, 'human_group-1.jpg'));
      await page.waitForSelector('tbody tr[data-id]');
      // Record any moment the list goes back to empty once the stale answer arrives.
      await page.evaluate(() => {
        const body = document.querySelector('tbody')!;
        new MutationObserver(() => {
          if (body.querySelector('td.empty')) document.body.dataset.flicker = 'yes';
        }).observe(body, { childList: true });
      });
      release();
      await delivered;
      await page.waitForTimeout(1_500);
      expect(await page.evaluate(() => document.body.dataset.flicker ?? 'no')).toBe('no');
      expect(await page.locator('tbody tr[data-id]').count()).toBe(1);
      await page.close();
    } finally {
      await stopServe(srv);
    }
  });
  it('a job that hid nothing (replacewith none) does not pass for a done one, and each job says what its run found', async () => {
    // A trial's list showed a plain green "done" for it, and no job said how many faces it found.
    const dir = tempDir('faceblur-serve-none-');
    const srv = await startServe(['--data', join(dir, 'data')]);
    try {
      for (const settings of [{ replacewith: 'none' }, undefined]) {
        const up = await srv.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }], settings) });
        expect((await waitForJob(srv, ((await up.json()) as { jobs: JobJson[] }).jobs[0]!.id)).job.status).toBe('done');
      }
      const page = await browser.newPage({ viewport: { width: 1000, height: 500 } });
      await page.goto(`${srv.base}?token=${srv.token}`);
      await page.waitForSelector('tbody tr[data-id]');
      // Newest first.
      const [plain, none] = await page.locator('tbody tr[data-id]').all();
      expect(await none!.locator('td.status').innerText()).toMatch(/^done: nothing anonymized \(replacewith none\)\n\d+ faces found \(none anonymized: --replacewith none\)/);
      expect(await none!.locator('td.status').getAttribute('class')).toBe('status untouched');
      expect(await plain!.locator('td.status').innerText()).toMatch(/^done\n\d+ faces anonymized\n/);
      await screenshots(page, '../serve/none')('listed');
      await page.close();
    } finally {
      await stopServe(srv);
    }
  });

  it('signs in through the form: a wrong token is refused on the page, the right one opens the jobs page', async () => {
    const dir = tempDir('faceblur-serve-login-');
    const file = join(dir, 'team.token');
    writeFileSync(file, 'a-long-team-token-0123456789\n');
    const team = await startServe(['--host', '127.0.0.1', '--auth', file, '--data', join(dir, 'data')]);
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 500 } });
      const shot = screenshots(page, '../serve/login');
      await page.goto(team.base);
      await shot('form');
      await page.fill('input[name=token]', 'a-wrong-token-0123456789');
      await page.click('button[type=submit]');
      await page.waitForSelector('form.login p.error');
      await shot('wrong');
      expect(await page.locator('p.error').innerText()).toBe('Wrong credentials; try again.');
      await page.fill('input[name=token]', 'a-long-team-token-0123456789');
      await page.click('button[type=submit]');
      await page.waitForSelector('label.drop');
      await shot('signed-in');
      // A session of its own in the address, never the team's lasting token (a trial found it in the history).
      const session = new URL(page.url()).searchParams.get('token')!;
      expect(session).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(await page.content()).not.toContain('a-long-team-token');
      // Sign out ends the session: the form says so, and the old address no longer opens the jobs.
      await page.click('form.sign-out button');
      await page.waitForSelector('form.login');
      expect(await page.locator('form.login p').innerText()).toBe('Signed out.');
      await shot('signed-out');
      await page.goto(`${team.base}?token=${session}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.close();
    } finally {
      await stopServe(team);
    }
  });
  it('a page left open across a restart (a new token) says so and links to the sign-in form', async () => {
    const dir = tempDir('faceblur-serve-restart-');
    const data = join(dir, 'data');
    const first = await startServe(['--data', data]);
    const port = new URL(first.base).port;
    const page = await browser.newPage({ viewport: { width: 900, height: 500 } });
    const shot = screenshots(page, '../serve/restart');
    await page.goto(`${first.base}?token=${first.token}`);
    await page.waitForSelector('label.drop');
    await stopServe(first);
    // While nothing answers, the page says so in words and keeps its list (a new-user trial saw a bare
    // red "Failed to fetch" in place of the jobs).
    await page.waitForSelector('.unreachable:not([hidden])', { timeout: 10_000 });
    await shot('unreachable');
    expect(await page.locator('.unreachable').innerText()).toMatch(/^The server does not answer/);
    expect(await page.locator('table.jobs').isVisible()).toBe(true);
    expect(await page.locator('body').innerText()).not.toContain('Failed to fetch');
    const second = await startServe(['--data', data, '--port', port]);
    try {
      await page.waitForSelector('.signed-out', { timeout: 10_000 });
      await shot('signed-out');
      expect(await page.locator('.signed-out').innerText()).toBe(
        'This page’s access token is no longer accepted: serve was restarted (it makes a new token at each start unless --auth gives one), or your session ended. Open the address serve printed, or sign in.',
      );
      await page.click('.signed-out a');
      await page.fill('input[name=token]', second.token);
      await page.click('button[type=submit]');
      await page.waitForSelector('label.drop');
      await page.close();
    } finally {
      await stopServe(second);
    }
  });
});
