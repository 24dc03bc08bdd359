import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ffmpeg, SHARED } from '../helpers.js';
import { range } from './fixture.js';
import { browserForSuite, dragOn, HAVE_CHROMIUM, openEditor, projectOf, stagePoint } from './harness.js';

// Draw → follow → inspect, as a reviewer goes through it (issue 15): the box drawn stays on its
// frame, marked as being followed, for the whole follow; when the follow ends the new track takes
// its place, selected, so that the next key acts on it; undo takes the follow back.

type Box = { x1: number; y1: number; x2: number; y2: number };
type Rgb = [number, number, number];
const isCyan = ([r, g, b]: Rgb) => r < 60 && g > 180 && b > 220;
const isViolet = ([r, g, b]: Rgb) => r > 140 && r < 220 && g < 140 && b > 220;
const isWhite = ([r, g, b]: Rgb) => r > 235 && g > 235 && b > 235;

/**
 * The share of the stage canvas's columns along a box's top edge (frame pixels: the canvas has the
 * frame's size) that have a pixel of the colour within a pixel of the edge.
 */
function edgeShare(page: Page, b: Box, colour: 'cyan' | 'violet' | 'white'): Promise<number> {
  const test = { cyan: isCyan, violet: isViolet, white: isWhite }[colour].toString();
  return page.evaluate(
    ({ b, test }) => {
      const is = new Function(`return (${test})`)() as (c: [number, number, number]) => boolean;
      const c = document.querySelector<HTMLCanvasElement>('canvas.stage')!;
      const x1 = Math.round(b.x1) + 4;
      const x2 = Math.round(b.x2) - 4;
      const img = c.getContext('2d')!.getImageData(x1, Math.round(b.y1) - 2, x2 - x1, 5).data;
      let hit = 0;
      for (let x = 0; x < x2 - x1; x++) {
        let on = false;
        for (let y = 0; y < 5; y++) {
          const i = (y * (x2 - x1) + x) * 4;
          on ||= is([img[i]!, img[i + 1]!, img[i + 2]!]);
        }
        if (on) hit++;
      }
      return hit / (x2 - x1);
    },
    { b, test },
  );
}

describe.runIf(HAVE_CHROMIUM)('faceblur review: draw, follow, inspect', () => {
  const suite = browserForSuite();

  it('keeps the drawn box on its frame while it is followed, then selects the new track in its place; K acts on it, undo takes it back', async () => {
    // A still group photo as a 24 s video: the box is followed through every frame, backward from
    // the drawn frame then forward, each pass long enough to be seen between the page's polls (as
    // in trial.test.ts: at 720p backward outruns the frames held from the first read). 20 short tracks at the start fill the
    // panel, so that the new track's row (ordered by its first frame, then id) starts out of view.
    const [W, H, FRAMES, DRAWN] = [1280, 720, 600, 300];
    const still = (path: string) => ffmpeg(['-loop', '1', '-i', join(SHARED, 'data', 'images', 'human_group-1.jpg'), '-vf', `scale=${W}:${H},setsar=1`, '-r', '25', '-frames:v', String(FRAMES), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '25', path]);
    const fillers = range(0, 19).map((id) => ({ id, frames: range(0, 9), box: { x1: 8 + id * 60, y1: 660, x2: 56 + id * 60, y2: 708 } }));
    const { page, shot } = await openEditor(suite, 'follow-inspect', { frames: FRAMES, width: W, height: H, tracks: fillers }, { clip: still });
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.waitForSelector('.row[data-id="0"]');
    for (let i = 0; i < DRAWN / 25; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.waitForSelector(`.clock[data-frame="${DRAWN}"]`);
    const drawn: Box = { x1: 420, y1: 200, x2: 540, y2: 320 };
    const at = await stagePoint(page, W, H);
    await page.keyboard.press('b');
    await dragOn(page, at, drawn.x1, drawn.y1, drawn.x2, drawn.y2);
    await page.waitForSelector('.drawbar:not([hidden])');
    expect(await edgeShare(page, drawn, 'white'), 'the drawn box, dashed white').toBeGreaterThan(0.3);
    expect(await edgeShare(page, drawn, 'violet'), 'no violet in the picture itself').toBe(0);
    await shot('drawn');

    await page.keyboard.press('f');
    // At once, before the server has said anything: the box is marked as followed.
    expect(await edgeShare(page, drawn, 'violet'), 'following, at once').toBeGreaterThan(0.9);
    expect(await edgeShare(page, drawn, 'white'), 'not the drawn style any more').toBe(0);
    await page.waitForSelector('.job[data-kind="follow"][data-state="running"]');
    // The tool row says what is going on, where the drawn box's choices were.
    expect(await page.locator('.drawbar').isHidden()).toBe(true);
    expect(await page.locator('.toolrow .hint').textContent()).toBe(`following the box drawn on frame ${DRAWN} (violet) — Esc cancels`);
    await page.waitForSelector('.job span:has-text("backward")', { timeout: 100_000 });
    expect(await edgeShare(page, drawn, 'violet'), 'following backward').toBeGreaterThan(0.9);
    await shot('following-backward');
    await page.waitForSelector('.job span:has-text("forward")', { timeout: 100_000 });
    expect(await edgeShare(page, drawn, 'violet'), 'following forward').toBeGreaterThan(0.9);
    await shot('following-forward');
    // It belongs to its frame: one frame on it is not drawn, one frame back it is again.
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`.clock[data-frame="${DRAWN + 1}"]`);
    expect(await edgeShare(page, drawn, 'violet'), 'not on another frame').toBe(0);
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector(`.clock[data-frame="${DRAWN}"]`);
    const still$ = await page.locator('.job').getAttribute('data-state');
    if (still$ === 'running') expect(await edgeShare(page, drawn, 'violet'), 'back on its frame').toBeGreaterThan(0.9);

    await page.waitForSelector('.job[data-kind="follow"][data-state="done"]', { state: 'attached', timeout: 100_000 });
    const made = (await projectOf(page)).tracks.find((t) => t.origin === 'manual')!;
    expect(made.id).toBe(20);
    const i = made.boxes.frame.indexOf(DRAWN);
    const box: Box = { x1: made.boxes.x1[i]!, y1: made.boxes.y1[i]!, x2: made.boxes.x2[i]!, y2: made.boxes.y2[i]! };
    // The new track is selected: its row highlighted and in view, its box drawn in the selection's colour.
    await page.waitForSelector('.row.selected[data-id="20"]');
    const list = (await page.locator('.tracklist').boundingBox())!;
    const row = (await page.locator('.row[data-id="20"]').boundingBox())!;
    expect(row.y, 'row in view').toBeGreaterThanOrEqual(list.y);
    // (Within a pixel: the last row ends where the list ends, which layout puts at fractions of a pixel.)
    expect(row.y + row.height, 'row in view').toBeLessThanOrEqual(list.y + list.height + 1);
    expect(await page.locator('.lanelabel.selected[data-id="20"]').isVisible(), 'its lane selected and in view').toBe(true);
    expect(await edgeShare(page, box, 'cyan'), 'its box, selected').toBeGreaterThan(0.9);
    expect(await edgeShare(page, drawn, 'violet'), 'the followed box gone').toBe(0);
    expect(await page.locator('.toolrow .hint').textContent()).toContain('Press B');
    const first = made.boxes.frame[0]!;
    const last = made.boxes.frame[made.boxes.frame.length - 1]!;
    expect(await page.locator('.job span').textContent()).toBe(`done: followed over ${made.boxes.frame.length} frames (${first}–${last}) into track #20`);
    await shot('followed-selected');

    // The next key acts on it; undo undoes that, and then the follow.
    await page.keyboard.press('k');
    await page.waitForSelector('.row.keep.selected[data-id="20"]');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.row.redact.selected[data-id="20"]');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.row[data-id="20"]', { state: 'detached' });
    await page.waitForSelector('.message:text-is("undone: #20")');
    await shot('follow-undone');
  }, 300_000);
});
