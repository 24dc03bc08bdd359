import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, ROOT, tempDir } from '../helpers.js';
import { HAVE_CHROMIUM, launchBrowser } from '../review/harness.js';
import { streetClip } from '../queue/clips.js';
import { startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from './harness.js';

const LONG = 'Protest march on the main square, second camera, interviews with organisers and bystanders before the police arrived - uncut original from the phone of a witness (1).jpg';
const SHOTS = join(ROOT, 'test-output', 'serve', 'layout');

/** The jobs page on a desktop and on a phone: long names, the columns, and the settings' help without a mouse. */
describe.runIf(HAVE_CHROMIUM)('faceblur serve page layout', () => {
  let browser: Browser;
  let s: Serve;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchBrowser();
    const dir = tempDir('faceblur-serve-layout-');
    s = await startServe(['--data', join(dir, 'data')]);
    // A video that runs all through these tests (photos go first), for its progress bar: 10 minutes,
    // so that it still runs at the last width on a fast machine.
    await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: streetClip(dir, 600) }]) });
    const photo = join(IMAGES, 'deface_city.jpg');
    for (const [name, settings] of [[LONG, { replacewith: 'pixelate', thresh: 0.3, boxes: true }], ['short.jpg', {}]] as const) {
      const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: photo, name }], settings) });
      const { job } = await waitForJob(s, ((await res.json()) as { jobs: JobJson[] }).jobs[0]!.id);
      expect(job.status, job.message).toBe('done');
    }
  }, 120_000);
  afterAll(async () => {
    if (s) await stopServe(s);
    await browser?.close();
  });

  // 800x600: a new-user trial found the five columns overflowing it (the Download link cut off, sideways scrolling).
  it.each([[1280, 800], [800, 600], [390, 844]])('at %i px wide a long name is cut with an ellipsis, its full name in the title, every column readable', async (width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${s.base}?token=${s.token}`);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-status="done"]').length === 2 && document.querySelector('tr[data-status="running"] progress'));
    await page.locator('table.jobs').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `jobs-${width}.png`), fullPage: true });
    const m = await page.evaluate(() => {
      const row = document.querySelector('td.name[title^="Protest"]')!.closest('tr')!;
      const box = (e: Element) => e.getBoundingClientRect();
      const name = row.querySelector<HTMLElement>('td.name')!;
      const text = document.createRange();
      text.selectNodeContents(name);
      return {
        title: name.title,
        cut: name.scrollWidth > name.clientWidth && getComputedStyle(name).textOverflow === 'ellipsis',
        nameHeight: text.getBoundingClientRect().height,
        lineHeight: parseFloat(getComputedStyle(name).lineHeight),
        nameShare: box(name).width / box(row).width,
        pageWidth: document.documentElement.scrollWidth,
        cells: ['status', 'args', 'expires'].map((c) => {
          const cell = row.querySelector<HTMLElement>(`td.${c}`)!;
          return { c, width: box(cell).width, text: cell.innerText, label: getComputedStyle(cell, '::before').content };
        }),
        // The running video's bar and percentage: one line.
        progress: (() => {
          const p = document.querySelector('tr[data-status="running"] .progress')!;
          const text = document.createRange();
          text.selectNodeContents(p);
          return { lines: text.getClientRects().length, height: text.getBoundingClientRect().height, right: box(p).right, cell: box(p.closest('td')!).right };
        })(),
        buttons: [...row.querySelectorAll('.buttons > *')].map((b) => ({ text: (b as HTMLElement).innerText, left: box(b).left, right: box(b).right })),
      };
    });
    expect(m.title).toBe(LONG);
    expect(m.cut, 'the name is cut with an ellipsis').toBe(true);
    // One line of name, however long.
    expect(m.nameHeight).toBeLessThan(m.lineHeight * 1.5);
    expect(m.pageWidth, 'no sideways scrolling').toBeLessThanOrEqual(width);
    expect(m.progress.height, 'the progress bar and its percentage on one line').toBeLessThan(m.lineHeight * 1.5);
    expect(m.progress.right, 'the progress inside its cell').toBeLessThanOrEqual(m.progress.cell);
    if (width >= 1000) {
      expect(m.nameShare).toBeLessThan(0.3);
      for (const c of m.cells) expect(c.width, c.c).toBeGreaterThan(140);
    }
    expect(m.cells[1]!.text).toBe('--thresh=0.3 --replacewith=pixelate --boxes');
    expect(m.buttons.map((b) => b.text)).toEqual([expect.stringMatching(/^Download \(\d+ KiB\)$/), 'Review', 'Delete']);
    for (const b of m.buttons) expect(b.right, b.text).toBeLessThanOrEqual(width);
    if (width <= 900) {
      // On a phone or a small window the header row is gone: each cell says what it is.
      expect(m.cells.map((c) => c.label)).toEqual(['"Status: "', '"Settings: "', '"Deleted after: "']);
    }
    await page.close();
  });

  it('shows each setting\'s help under it, tied to its control for keyboard and screen-reader users', async () => {
    const options = ((await (await s.api('/api/options')).json()) as { options: { name: string; help: string }[] }).options;
    for (const [width, height] of [[1280, 900], [390, 844]] as const) {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.goto(`${s.base}?token=${s.token}`);
      await page.waitForSelector('details.settings summary');
      // By keyboard alone: focus the summary, open it with Enter, Tab into the first setting.
      await page.focus('details.settings summary');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const e = document.activeElement as HTMLInputElement;
        const help = document.getElementById(e.getAttribute('aria-describedby') ?? '');
        const r = help?.getBoundingClientRect();
        return { name: e.name, help: help?.textContent, shown: Boolean(r && r.height > 0 && r.top < innerHeight && r.bottom > 0) };
      });
      expect(focused.name).toBe(options[0]!.name);
      expect(focused.help).toContain(options[0]!.help);
      expect(focused.shown, 'the focused setting\'s help is on screen').toBe(true);
      await page.screenshot({ path: join(SHOTS, `settings-${width}.png`), fullPage: true });
      const all = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('details.settings [name]')].map((c) => {
          const help = document.getElementById(c.getAttribute('aria-describedby') ?? '');
          return { name: c.name, help: help?.textContent ?? '', visible: Boolean(help && help.offsetHeight > 0 && getComputedStyle(help).visibility === 'visible') };
        }),
      );
      expect(all.map((a) => a.name)).toEqual(options.map((o) => o.name));
      for (const [i, a] of all.entries()) {
        expect(a.help, a.name).toContain(options[i]!.help);
        expect(a.visible, a.name).toBe(true);
      }
      // Switches drawn ticked (--no-audio as "audio") say what unticking them does, not what ticking would.
      expect(all.find((a) => a.name === 'audio')!.help).toMatch(/^Unticked: drop the audio/);
      expect(all.find((a) => a.name === 'tracking')!.help).toMatch(/^Unticked: anonymize each frame's own detections only/);
      expect(all.find((a) => a.name === 'boxes')!.help).toMatch(/^use rectangular masks/);
      await page.close();
    }
  });

  it('after a drop with the settings open, the upload\'s line shows right under the drop zone, not below the settings', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${s.base}?token=${s.token}`);
    await page.click('details.settings summary');
    await page.setInputFiles('#files', join(IMAGES, 'human_group-1.jpg'));
    await page.waitForSelector('.uploads li[data-done="ok"]');
    await page.locator('.uploads').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'dropped-with-settings-open.png') });
    const gap = await page.evaluate(() => document.querySelector('.uploads li')!.getBoundingClientRect().top - document.querySelector('label.drop')!.getBoundingClientRect().bottom);
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(40);
    expect(await page.locator('.uploads li').innerText()).toBe('human_group-1.jpg uploaded');
    await page.close();
  });
});
