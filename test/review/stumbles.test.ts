import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { range } from './fixture.js';
import { browserForSuite, dragOn, HAVE_CHROMIUM, numberedClip, openEditor, projectOf, screenshots, stagePoint, startReview } from './harness.js';

// More of what a newcomer stumbled on, trying `faceblur review` end to end on real clips with only
// the README and the page (issue 15), each pinned by the page as a user drives it.

const [W, H, FRAMES] = [320, 240, 40];
const sq = (x: number, y: number, s = 40) => ({ x1: x, y1: y, x2: x + s, y2: y + s });
const one = { frames: FRAMES, width: W, height: H, tracks: [{ id: 0, frames: range(0, FRAMES - 1), box: sq(20, 20) }] };

describe.runIf(HAVE_CHROMIUM)('faceblur review: more of what a newcomer stumbled on', () => {
  const suite = browserForSuite();

  it('while the first analysis runs, the page names the file and says what comes next (it was a bar on an empty page)', async () => {
    const dir = tempDir('faceblur-review-stumble-');
    const clip = join(dir, 'my clip.mp4');
    await numberedClip(clip, 250, 640, 480);
    const { run, url } = await startReview([clip]);
    suite.started(run);
    const page = await suite.browser().newPage({ viewport: { width: 1280, height: 800 } });
    const shot = screenshots(page, 'stumble-analyzing');
    await page.goto(url.href);
    await page.waitForSelector('.job[data-kind="analyze"][data-state="running"]');
    await shot('analyzing');
    expect(await page.locator('header .title').textContent()).toBe(`faceblur review — ${clip}`);
    expect(await page.locator('.message').textContent()).toBe('finding the faces in every frame: the editor opens here once that is done');
    await page.waitForSelector('.clock[data-frame="0"]', { timeout: 120_000 });
    await shot('ready');
    expect(await page.locator('.message').textContent()).toBe('');
  });

  it('Esc closes the key list, which covers the picture', async () => {
    const { page, shot } = await openEditor(suite, 'stumble-help-esc', one);
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.keyboard.press('?');
    await page.waitForSelector('.help:visible');
    await shot('keys-listed');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.help', { state: 'hidden', timeout: 2000 });
    await shot('keys-closed');
  });

  it('I and O mark the frame stepped to, even when pressed before that frame has loaded', async () => {
    const { page, shot } = await openEditor(suite, 'stumble-in-out', one);
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.keyboard.press('b');
    await dragOn(page, await stagePoint(page, W, H), 150, 30, 250, 90);
    await page.keyboard.press('i');
    // Key repeat, then O at once: the playhead and (a moment later) the clock say frame 25.
    for (let i = 0; i < 25; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('o');
    await page.waitForSelector('.clock[data-frame="25"]');
    await shot('in-out-set');
    expect(await page.locator('.drawbar .range').textContent()).toBe('frames 0–25');
    await page.keyboard.press('s');
    await page.waitForSelector('.row[data-id="1"]');
    await shot('static-made');
    const t = (await projectOf(page)).tracks.find((x) => x.origin === 'static')!;
    expect([t.boxes.frame[0], t.boxes.frame.at(-1)]).toEqual([0, 25]);
  });

  it('F pressed again while a follow runs says to wait for it, not to draw a box', async () => {
    // Long enough that the second F lands while the follow runs.
    const { page, shot } = await openEditor(suite, 'stumble-follow-twice', { frames: 250, width: 640, height: 480, tracks: [] });
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.keyboard.press('b');
    await dragOn(page, await stagePoint(page, 640, 480), 300, 60, 500, 180);
    await page.keyboard.press('f');
    await page.waitForSelector('.job[data-state="running"]');
    await page.keyboard.press('f');
    await page.waitForSelector('.message.error');
    await shot('second-follow');
    expect(await page.locator('.message').textContent()).toBe('wait for the follow to finish, or cancel it (Esc)');
  });

  it('K on a track already kept is no edit: the next Ctrl+Z undoes the keep itself', async () => {
    const { page, shot } = await openEditor(suite, 'stumble-keep-twice', one);
    await page.click('.row[data-id="0"]');
    await page.keyboard.press('k');
    await page.waitForSelector('.row.keep[data-id="0"]');
    // The second K is sent too (the server finds it changes nothing): undo after its answer.
    await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/api/action')), page.keyboard.press('k')]);
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.row.redact[data-id="0"]', { timeout: 3000 });
    await page.waitForSelector('.message:text-is("undone: #0")');
    await shot('keep-undone');
    expect(await page.locator('button[data-k="undo"]').isDisabled()).toBe(true);
  });

  it('"accept all" says how many suggestions it accepted, or that none has that score', async () => {
    const { page, shot } = await openEditor(suite, 'stumble-accept-all', {
      frames: FRAMES, width: W, height: H,
      tracks: [
        { id: 1, candidate: 0.5, frames: range(20, 29), box: sq(20, 20) },
        { id: 2, candidate: 0.4, frames: range(30, 39), box: sq(120, 20) },
        { id: 3, candidate: 0.2, frames: range(0, 9), box: sq(220, 20) },
      ],
    });
    await page.waitForSelector('.row[data-id="3"]');
    await page.fill('input.above', '0.35');
    await page.click('button[data-k="above"]');
    await page.waitForSelector('.row.redact[data-id="2"]');
    await page.waitForSelector('.message:text-is("accepted 2 suggestions with score ≥ 0.35: now redacted")', { timeout: 3000 });
    await shot('accepted-two');
    await page.fill('input.above', '0.9');
    await page.press('input.above', 'Enter');
    await page.waitForSelector('.message:text-is("no suggestion has a score ≥ 0.9")', { timeout: 3000 });
    await shot('accepted-none');
    expect((await projectOf(page)).tracks.map((t) => [t.id, t.action])).toEqual([[1, 'redact'], [2, 'redact'], [3, 'candidate']]);
  });

  it('once faceblur review has stopped (Ctrl+C in its terminal), the page says so in words, not in green', async () => {
    const { page, shot, run } = await openEditor(suite, 'stumble-stopped', one);
    await page.waitForSelector('.status:text-is("saved ✓")');
    run.child.kill('SIGINT');
    await page.waitForSelector('.status:has-text("faceblur review has stopped")', { timeout: 10_000 });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('b');
    await page.click('.row[data-id="0"] button[data-op="setAction-keep"]');
    await page.waitForSelector('.message.error:has-text("faceblur review has stopped")');
    await shot('stopped');
    const colour = await page.locator('header .status').evaluate((e) => getComputedStyle(e).color);
    expect(colour).not.toBe('rgb(153, 204, 153)'); // #9c9, the colour of "saved ✓"
  });
});
