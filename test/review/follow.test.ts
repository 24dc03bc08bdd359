import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ffmpeg, SHARED, tempDir } from '../helpers.js';
import { range } from './fixture.js';
import { browserForSuite, dragOn, HAVE_CHROMIUM, openEditor, projectOf, stagePoint } from './harness.js';

// Draw → follow → inspect, as a reviewer goes through it (issue 15): the box drawn stays on its
// frame, marked as being followed, for the whole follow; when the follow ends the new track takes
// its place, selected, so that the next key acts on it; undo during a follow cancels it.

type Box = { x1: number; y1: number; x2: number; y2: number };
type Rgb = [number, number, number];
/** The stage's colours (web/review/stage.ts COLORS): selected, following, drawn. */
const COLOUR = {
  cyan: ([r, g, b]: Rgb) => r < 60 && g > 180 && b > 220,
  violet: ([r, g, b]: Rgb) => r > 140 && r < 220 && g < 140 && b > 220,
  white: ([r, g, b]: Rgb) => r > 235 && g > 235 && b > 235,
};

/**
 * The share of the stage canvas's columns along a box's top edge (frame pixels: the canvas has the
 * frame's size; 4 px in from each corner) that have a pixel of the colour within 2 px of the edge.
 */
async function edgeShare(page: Page, b: Box, colour: keyof typeof COLOUR): Promise<number> {
  const [x1, x2, y] = [Math.round(b.x1) + 4, Math.round(b.x2) - 4, Math.round(b.y1) - 2];
  const band = await page.evaluate(
    ({ x1, x2, y }) => Array.from(document.querySelector<HTMLCanvasElement>('canvas.stage')!.getContext('2d')!.getImageData(x1, y, x2 - x1, 5).data),
    { x1, x2, y },
  );
  const w = x2 - x1;
  const at = (x: number, row: number): Rgb => [band[(row * w + x) * 4]!, band[(row * w + x) * 4 + 1]!, band[(row * w + x) * 4 + 2]!];
  return range(0, w - 1).filter((x) => range(0, 4).some((row) => COLOUR[colour](at(x, row)))).length / w;
}

/**
 * Writes a still group photo as a video of `frames` frames at 25 fps (a box on a face is followed
 * through every frame), encoded once per size for the tests that share it: about 30 s at 720p
 * on this machine.
 */
function stillClip(): (w: number, h: number, frames: number) => (path: string) => void {
  const made = new Map<string, string>();
  return (w, h, frames) => (path) => {
    const key = `${w}x${h}x${frames}`;
    if (!made.has(key)) {
      const clip = join(tempDir('faceblur-review-still-'), 'still.mp4');
      ffmpeg(['-loop', '1', '-i', join(SHARED, 'data', 'images', 'human_group-1.jpg'), '-vf', `scale=${w}:${h},setsar=1`, '-r', '25', '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '25', clip]);
      made.set(key, clip);
    }
    copyFileSync(made.get(key)!, path);
  };
}

/** Goes to frame `frame` (a multiple of 25) and draws `box` there with B and a drag; its choices then show. */
async function drawOn(page: Page, w: number, h: number, frame: number, box: Box): Promise<void> {
  for (let i = 0; i < frame / 25; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.waitForSelector(`.clock[data-frame="${frame}"]`);
  await page.keyboard.press('b');
  await dragOn(page, await stagePoint(page, w, h), box.x1, box.y1, box.x2, box.y2);
  await page.waitForSelector('.drawbar:not([hidden])');
}

describe.runIf(HAVE_CHROMIUM)('faceblur review: draw, follow, inspect', () => {
  const suite = browserForSuite();
  const still = stillClip();

  it('keeps the drawn box on its frame, marked as followed, for the whole follow, and until it ends only', async () => {
    // 720p, drawn on frame 300 of 600: each pass is long enough to be seen between the page's polls
    // (as in trial.test.ts: backward outruns the frames held from the first read).
    const [W, H, FRAMES, DRAWN] = [1280, 720, 600, 300];
    const { page, shot } = await openEditor(suite, 'follow-box-shown', { frames: FRAMES, width: W, height: H, tracks: [] }, { clip: still(W, H, FRAMES) });
    await page.waitForSelector('.clock[data-frame="0"]');
    const drawn: Box = { x1: 420, y1: 200, x2: 540, y2: 320 };
    await drawOn(page, W, H, DRAWN, drawn);
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
    // It belongs to its frame: one frame on it is not drawn.
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`.clock[data-frame="${DRAWN + 1}"]`);
    expect(await edgeShare(page, drawn, 'violet'), 'not on another frame').toBe(0);
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector(`.clock[data-frame="${DRAWN}"]`);

    // Once done, the new track's box is there instead, and the tool row offers drawing again.
    await page.waitForSelector('.job[data-kind="follow"][data-state="done"]', { state: 'attached', timeout: 100_000 });
    await page.waitForFunction(() => document.querySelector('.count')?.textContent?.startsWith('Tracks (1)'));
    expect(await edgeShare(page, drawn, 'violet'), 'the followed box gone').toBe(0);
    expect(await page.locator('.toolrow .hint').textContent()).toContain('Press B');
    await shot('followed');
  }, 300_000);

  it('selects the new track when the follow ends: row in view, box in the selection\'s colour; K acts on it, undo undoes that, then the follow', async () => {
    // 20 short tracks at the start fill the panel, so that the new track's row (ordered by its first
    // frame, then id) starts out of view.
    const [W, H, FRAMES, DRAWN] = [640, 360, 300, 150];
    const fillers = range(0, 19).map((id) => ({ id, frames: range(0, 9), box: { x1: 4 + id * 30, y1: 330, x2: 28 + id * 30, y2: 354 } }));
    const { page, shot } = await openEditor(suite, 'follow-selected', { frames: FRAMES, width: W, height: H, tracks: fillers }, { clip: still(W, H, FRAMES) });
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.waitForSelector('.row[data-id="0"]');
    await drawOn(page, W, H, DRAWN, { x1: 210, y1: 100, x2: 270, y2: 160 });
    await page.keyboard.press('f');
    await page.waitForSelector('.job[data-kind="follow"][data-state="done"]', { state: 'attached', timeout: 100_000 });
    const made = (await projectOf(page)).tracks.find((t) => t.origin === 'manual')!;
    expect(made.id).toBe(20);
    const i = made.boxes.frame.indexOf(DRAWN);
    const box: Box = { x1: made.boxes.x1[i]!, y1: made.boxes.y1[i]!, x2: made.boxes.x2[i]!, y2: made.boxes.y2[i]! };
    await page.waitForSelector('.row.selected[data-id="20"]');
    const list = (await page.locator('.tracklist').boundingBox())!;
    const row = (await page.locator('.row[data-id="20"]').boundingBox())!;
    expect(row.y, 'row in view').toBeGreaterThanOrEqual(list.y);
    // (Within a pixel: the last row ends where the list ends, which layout puts at fractions of a pixel.)
    expect(row.y + row.height, 'row in view').toBeLessThanOrEqual(list.y + list.height + 1);
    expect(await page.locator('.lanelabel.selected[data-id="20"]').isVisible(), 'its lane selected and in view').toBe(true);
    expect(await edgeShare(page, box, 'cyan'), 'its box, selected').toBeGreaterThan(0.9);
    const first = made.boxes.frame[0]!;
    const last = made.boxes.frame[made.boxes.frame.length - 1]!;
    expect(await page.locator('.job span').textContent()).toBe(`done: followed over ${made.boxes.frame.length} frames (${first}–${last}) into track #20`);
    await shot('followed-selected');

    // The next key acts on it; undo undoes that (it stays selected), then the follow.
    await page.keyboard.press('k');
    await page.waitForSelector('.row.keep.selected[data-id="20"]');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.row.redact.selected[data-id="20"]');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.row[data-id="20"]', { state: 'detached' });
    await page.waitForSelector('.message:text-is("undone: #20")');
    await shot('follow-undone');
  }, 200_000);

  it('undo during a follow cancels the follow and gives the box back, not undo the accept made before it; another box drawn meanwhile waits, and Esc drops it, not the follow', async () => {
    const [W, H, FRAMES, DRAWN] = [1280, 720, 600, 300];
    const { page, shot } = await openEditor(suite, 'follow-undo', {
      frames: FRAMES, width: W, height: H, tracks: [{ id: 0, candidate: 0.4, frames: range(0, FRAMES - 1), box: { x1: 8, y1: 660, x2: 56, y2: 708 } }],
    }, { clip: still(W, H, FRAMES) });
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.click('.row[data-id="0"] button[data-op="accept"]');
    await page.waitForSelector('.row.redact[data-id="0"]');
    const drawn: Box = { x1: 420, y1: 200, x2: 540, y2: 320 };
    await drawOn(page, W, H, DRAWN, drawn);
    // With the mouse this time.
    await page.click('.drawbar [data-k="follow"]');
    await page.waitForSelector('.job[data-kind="follow"][data-state="running"]');
    // Another box, drawn meanwhile, waits: F says so, and both boxes stay as they were.
    const other: Box = { x1: 700, y1: 200, x2: 800, y2: 320 };
    await page.keyboard.press('b');
    await dragOn(page, await stagePoint(page, W, H), other.x1, other.y1, other.x2, other.y2);
    await page.keyboard.press('f');
    await page.waitForSelector('.message.error:text-is("wait for the follow to finish, or cancel it (Esc)")');
    expect(await edgeShare(page, drawn, 'violet'), 'the first box, still followed').toBeGreaterThan(0.9);
    expect(await edgeShare(page, other, 'white'), 'the other box, still drawn').toBeGreaterThan(0.3);
    expect(await page.locator('.job').getAttribute('data-state')).toBe('running');
    await shot('second-box-waits');
    // Esc drops that box ("drop (Esc)", its bar says), not the follow.
    await page.keyboard.press('Escape');
    await page.waitForSelector('.drawbar', { state: 'hidden' });
    expect(await edgeShare(page, other, 'white'), 'the other box dropped').toBe(0);
    expect(await edgeShare(page, drawn, 'violet'), 'the first box, still followed').toBeGreaterThan(0.9);
    expect(await page.locator('.job').getAttribute('data-state')).toBe('running');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.job[data-kind="follow"][data-state="cancelled"]');
    await page.waitForSelector('.drawbar:not([hidden])');
    await page.waitForSelector('.message:has-text("drawn box is still here")');
    expect(await edgeShare(page, drawn, 'white'), 'the drawn box back').toBeGreaterThan(0.3);
    expect(await page.locator('.row[data-id="0"]').getAttribute('class'), 'the accepted face still redacted').toContain('redact');
    expect((await projectOf(page)).tracks.find((t) => t.id === 0)?.action).toBe('redact');
    await shot('undo-cancelled-follow');
    // No follow running: undo undoes the accept.
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.row.candidate[data-id="0"]');
    await page.waitForSelector('.message:text-is("undone: #0")');
  }, 200_000);

  it('on a photo, F makes the drawn box a track at once, selected', async () => {
    const [W, H] = [320, 240];
    const { page, shot } = await openEditor(suite, 'follow-photo', { kind: 'image', frames: 1, width: W, height: H, tracks: [{ id: 0, frames: [0], box: { x1: 20, y1: 20, x2: 60, y2: 60 } }] });
    await page.waitForSelector('.clock[data-frame="0"]', { state: 'attached' });
    await page.waitForSelector('.row[data-id="0"]');
    await page.keyboard.press('b');
    await dragOn(page, await stagePoint(page, W, H), 150, 60, 210, 130);
    await page.keyboard.press('f');
    await page.waitForSelector('.row.selected[data-id="1"]');
    expect(await page.locator('.job span').textContent()).toBe('done: the drawn box is now track #1');
    expect(await edgeShare(page, { x1: 150, y1: 60, x2: 210, y2: 130 }, 'cyan'), 'its box, selected').toBeGreaterThan(0.9);
    await shot('photo-box-selected');
  }, 120_000);
});
