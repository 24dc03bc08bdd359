import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { browserForSuite, HAVE_CHROMIUM, numberedClip, readNumber, screenshots, startReview, statusOf } from './harness.js';

const FRAMES = 60;
/** A static box over frames 0..59 whose last keyframe is moved: its left edge is at X0 + (X1 - X0) × f / 59 on frame f. */
const X0 = 40;
const X1 = 240;
const edgeAt = (f: number) => X0 + ((X1 - X0) * f) / (FRAMES - 1);

/** The frame the page says it shows, the number drawn in the frame's pixels, and whether the overlay's left edge is where frame n's box is. */
async function shown(page: Page): Promise<{ label: number; pixels: number; edge: (x: number) => boolean }> {
  const { label, rgba } = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('canvas.stage')!;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return { label: Number(document.querySelector<HTMLElement>('.clock')!.dataset.frame), rgba: Array.from(data) };
  });
  // The 2-pixel line of a box edge at x covers pixel floor(x) whole.
  const red = (x: number) => {
    const i = (60 * 320 + Math.floor(x)) * 4;
    return rgba[i]! > 200 && rgba[i + 1]! < 120 && rgba[i + 2]! < 120;
  };
  return { label, pixels: readNumber(rgba, 320), edge: red };
}

describe.runIf(HAVE_CHROMIUM)('faceblur review: server rules and frame-accurate display', () => {
  const suite = browserForSuite();

  it('answers 403 without the token, always draws the overlay of the exact frame it shows, and comes back to it after a reload', async () => {
    const dir = tempDir('faceblur-review-frames-');
    const clip = join(dir, 'numbers.mp4');
    await numberedClip(clip, FRAMES);
    const started = await startReview([clip]);
    suite.started(started.run);
    const { url } = started;
    expect(url.hostname).toBe('127.0.0.1');
    const token = url.searchParams.get('token')!;
    for (const path of ['/', '/app.js', '/api/state', '/api/project', '/api/frame?n=0']) {
      expect(await statusOf(`${url.origin}${path}`), path).toBe(403);
      expect(await statusOf(`${url.origin}${path}${path.includes('?') ? '&' : '?'}token=${token.slice(1)}x`), path).toBe(403);
    }
    expect(await statusOf(url.href, 'attacker.example:80')).toBe(403);
    expect(await statusOf(url.href)).toBe(200);
    // Browsers ask for the icon without the token: it tells nothing, so it is answered (a 403 was an error in the console).
    expect(await statusOf(`${url.origin}/favicon.ico`)).toBe(200);
    expect(await statusOf(`${url.origin}/favicon.ico`, 'attacker.example:80')).toBe(403);

    const page = await suite.browser().newPage({ viewport: { width: 1280, height: 800 } });
    const shot = screenshots(page, 'frames');
    const denied = await page.goto(`${url.origin}/`);
    expect(denied?.status()).toBe(403);
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    const res = await page.goto(url.href);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(res?.headers()['cache-control']).toBe('no-store');
    await page.waitForSelector('.clock[data-frame="0"]', { timeout: 120_000 });
    expect(await page.evaluate(async () => (await fetch('/favicon.ico')).status)).toBe(200);
    expect(consoleErrors).toEqual([]);
    // A box that moves with the frame number: a static region, then its last keyframe moved.
    await page.evaluate(async ({ X0, X1, last }) => {
      const q = location.search;
      const post = (body: unknown) => fetch(`api/action${q}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
      await post({ op: 'static', box: { x1: X0, y1: 40, x2: X0 + 40, y2: 80 }, first: 0, last });
      const p = await (await fetch(`api/project${q}`)).json();
      const id = p.tracks[p.tracks.length - 1].id;
      await post({ op: 'keyframe', id, frame: last, box: { x1: X1, y1: 40, x2: X1 + 40, y2: 80 } });
    }, { X0, X1, last: FRAMES - 1 });
    await page.waitForFunction(() => document.querySelector('.count')?.textContent?.startsWith('Tracks (1)'));

    const check = async (expected: number) => {
      await page.waitForSelector(`.clock[data-frame="${expected}"]`);
      const s = await shown(page);
      expect(s.label).toBe(expected);
      expect(s.pixels, `pixels of frame ${expected}`).toBe(expected);
      expect(s.edge(edgeAt(expected)), `box edge on frame ${expected}`).toBe(true);
      // Where the neighbouring frames' edges would be (3.4 px away), there is none: the overlay is this frame's.
      if (expected > 0) expect(s.edge(edgeAt(expected - 1))).toBe(false);
      if (expected < FRAMES - 1) expect(s.edge(edgeAt(expected + 1))).toBe(false);
    };
    await check(0);
    const canvas = page.locator('canvas.stage');
    await canvas.click({ position: { x: 5, y: 5 } });
    for (const [key, expected] of [['ArrowRight', 1], ['ArrowRight', 2], ['Shift+ArrowRight', 27], ['ArrowLeft', 26], ['Shift+ArrowLeft', 1]] as const) {
      await page.keyboard.press(key);
      await check(expected);
    }
    // Seeks on the timeline, far apart and between keyframes (every 12 frames).
    const lanes = page.locator('canvas.lanes');
    const box = (await lanes.boundingBox())!;
    for (const f of [41, 7, 59, 30]) {
      await page.mouse.click(box.x + (f / (FRAMES - 1)) * (box.width - 1) + 0.5, box.y + 5);
      await check(f);
    }
    await shot('frame-30-with-moving-box');
    // Fast stepping: each key press asks for the next frame before the last arrived; what is shown still matches.
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    await check(38);
    await page.keyboard.press('v');
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-k="result"]')!.checked);
    await check(38);
    await shot('frame-38-result');
    // A reload (F5) comes back to the frame it left, not to frame 0.
    await page.reload();
    await check(38);
    expect(consoleErrors).toEqual([]);
  }, 280_000);
});
