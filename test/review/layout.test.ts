import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { range } from './fixture.js';
import { browserForSuite, dragOn, HAVE_CHROMIUM, openEditor, stagePoint } from './harness.js';

// What a new user's trial of the editor found (issue 15): the picture jumped when status lines
// appeared, a photo showed a video's controls, timeline lanes had no labels and overflowed, and the
// selection's handles were 25 px squares on small faces.

const [W, H, FRAMES] = [320, 240, 60];
/** 30 tracks and 10 suggestions: more lanes than the timeline's box holds. */
const TRACKS = Array.from({ length: 40 }, (_, i) => ({
  id: i,
  frames: range(i, Math.min(FRAMES - 1, i + 20)),
  box: { x1: 10 + (i % 8) * 38, y1: 10 + Math.floor(i / 8) * 36, x2: 40 + (i % 8) * 38, y2: 40 + Math.floor(i / 8) * 36 },
  ...(i % 4 === 3 ? { candidate: 0.3 } : {}),
}));

type Rect = { x: number; y: number; width: number; height: number };
const rectOf = (page: Page, selector: string): Promise<Rect> => page.locator(selector).first().evaluate((e) => e.getBoundingClientRect().toJSON() as Rect);

/** The selected box's handle on its top-left corner, in screen pixels: how far the selection colour reaches left of the box's edge, twice. */
async function handleSide(page: Page, box: { x1: number; y1: number }): Promise<number> {
  return page.evaluate(({ x1, y1 }) => {
    const c = document.querySelector<HTMLCanvasElement>('canvas.stage')!;
    const r = c.getBoundingClientRect();
    const scale = Math.min(r.width / c.width, r.height / c.height);
    const row = c.getContext('2d')!.getImageData(0, Math.round(y1), c.width, 1).data;
    const cyan = (x: number) => row[x * 4]! < 60 && row[x * 4 + 1]! > 180 && row[x * 4 + 2]! > 220;
    let x = Math.round(x1);
    while (x > 0 && cyan(x - 1)) x--;
    return 2 * (x1 - x) * scale;
  }, box);
}

describe.runIf(HAVE_CHROMIUM)('faceblur review: a steady, labelled layout', () => {
  const suite = browserForSuite();

  it('keeps the picture still when messages, jobs and the draw bar appear; labels the lanes and scrolls them inside their box; draws small handles that scale', async () => {
    const { page, shot } = await openEditor(suite, 'layout', { frames: FRAMES, width: W, height: H, tracks: TRACKS });
    await page.waitForSelector('.clock[data-frame="0"]');
    // The rows' thumbnails arrive (a few at a time).
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.row img')].slice(0, 6).every((i) => i.naturalWidth === 64));
    await shot('opened');

    const stage = await rectOf(page, 'canvas.stage');
    await page.keyboard.press('b');
    await page.waitForSelector('.message:text("drag a box")');
    expect(await rectOf(page, 'canvas.stage')).toEqual(stage);
    const at = await stagePoint(page, W, H);
    await dragOn(page, at, 100, 150, 160, 200);
    await page.waitForSelector('.drawbar:not([hidden])');
    expect(await rectOf(page, 'canvas.stage')).toEqual(stage);
    const bar = await rectOf(page, '.drawbar');
    expect(bar.y, 'the draw bar is below the picture, not over it').toBeGreaterThanOrEqual(stage.y + stage.height);
    await page.keyboard.press('Escape');
    await page.click('[data-k="export"]');
    await page.waitForSelector('.job[data-kind="export"]');
    expect(await rectOf(page, 'canvas.stage')).toEqual(stage);
    await page.waitForSelector('.job[data-state="done"]', { timeout: 60_000 });
    await shot('after-export');
    expect(await rectOf(page, 'canvas.stage')).toEqual(stage);

    // Lanes: labelled in the panel's order, scrolling inside the timeline, which stays on screen.
    const timeline = await rectOf(page, '.timeline');
    expect(timeline.y + timeline.height).toBeLessThanOrEqual(800);
    const labels = () => page.locator('.lanelabel').allTextContents();
    expect((await labels())[0]).toBe('#0 · redacted');
    const scroll = page.locator('.lanescroll');
    expect(await scroll.evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    await scroll.evaluate((e) => (e.scrollTop = e.scrollHeight));
    await page.waitForFunction(() => [...document.querySelectorAll('.lanelabel')].some((l) => l.textContent === '#39 · suggestion 0.30'));
    const last = await rectOf(page, '.lanelabel[data-id="39"]');
    expect(last.y + last.height).toBeLessThanOrEqual(timeline.y + timeline.height + 0.5);
    expect(await page.locator('.lanelabel').count()).toBeLessThan(TRACKS.length);
    await shot('lanes-scrolled');
    // A click on a lane's label selects its track and goes to its first frame.
    await scroll.evaluate((e) => (e.scrollTop = 0));
    await page.click('.lanelabel[data-id="4"]');
    await page.waitForSelector('.clock[data-frame="4"]');
    expect(await page.locator('.row.selected').getAttribute('data-id')).toBe('4');

    // Handles: a few pixels, smaller on a smaller picture.
    const box = TRACKS[4]!.box;
    const big = await handleSide(page, box);
    expect(big).toBeGreaterThanOrEqual(6);
    expect(big).toBeLessThanOrEqual(13);
    await shot('selected');
    await page.setViewportSize({ width: 900, height: 600 });
    await page.waitForTimeout(300);
    await page.locator('canvas.stage').click({ position: { x: 2, y: 2 } });
    await page.click('.lanelabel[data-id="4"]');
    await page.waitForFunction(() => document.querySelector('.row.selected'));
    const small = await handleSide(page, box);
    expect(small).toBeGreaterThanOrEqual(4);
    expect(small).toBeLessThan(big);
    await shot('selected-small-window');
    // Smaller than that, the page scrolls instead of cutting controls off: no button or box lies
    // past the edge of its row (a trial's 800x400 window hid "show result" and "draw box").
    const clipped = () =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.controls > *, .toolrow > *, header > *')]
          .filter((e) => {
            const row = e.parentElement!.getBoundingClientRect();
            const r = e.getBoundingClientRect();
            return r.width > 0 && (r.right > row.right + 0.5 || r.bottom > row.bottom + 0.5);
          })
          .map((e) => e.textContent),
      );
    for (const [width, height] of [[900, 600], [800, 400], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(200);
      expect(await clipped(), `${width}x${height}`).toEqual([]);
    }
    await page.setViewportSize({ width: 800, height: 400 });
    await shot('tiny-window');
  }, 200_000);

  it('shows a photo without a video\'s controls, and hides a box drawn on it', async () => {
    const { page, shot } = await openEditor(suite, 'photo', { kind: 'image', frames: 1, width: W, height: H, tracks: [{ id: 0, frames: [0], box: TRACKS[0]!.box }] });
    await page.waitForSelector('.clock[data-frame="0"]', { state: 'attached' });
    await page.waitForSelector('.row[data-id="0"]');
    for (const k of ['play', 'back1', 'fwd1', 'back1s', 'fwd1s', 'static', 'in', 'out']) expect(await page.locator(`[data-k="${k}"]`).count(), k).toBe(0);
    expect(await page.locator('.timeline').count()).toBe(0);
    expect(await page.locator('.clock').isVisible()).toBe(false);
    await page.click('[data-k="help"]');
    const keys = await page.locator('.help dt').allTextContents();
    expect(keys).not.toContain('Space');
    expect(keys).toContain('B');
    await shot('photo');
    await page.click('[data-k="help"]');
    const at = await stagePoint(page, W, H);
    await page.keyboard.press('b');
    await dragOn(page, at, 200, 100, 260, 160);
    await page.waitForSelector('.drawbar:not([hidden])');
    await page.keyboard.press('f');
    await page.waitForFunction(() => document.querySelector('.count')?.textContent?.startsWith('Tracks (2)'));
    await shot('box-hidden');
  }, 120_000);
});
