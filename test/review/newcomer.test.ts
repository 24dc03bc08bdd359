import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { range } from './fixture.js';
import { browserForSuite, HAVE_CHROMIUM, openEditor, projectOf } from './harness.js';

// What a newcomer stumbled on when trying `faceblur review` with only the README and the page
// (issue 15), each pinned by the page as a user drives it.

const [W, H, FRAMES] = [320, 240, 30];
const sq = (x: number, y: number, s = 40) => ({ x1: x, y1: y, x2: x + s, y2: y + s });

describe.runIf(HAVE_CHROMIUM)('faceblur review: what a newcomer stumbled on', () => {
  const suite = browserForSuite();

  it('typing a suggestion\'s shown score into "suggestions with score ≥" accepts that suggestion', async () => {
    // 0.206 used to show as "0.21", and "≥ 0.21" then left it out.
    const { page, shot } = await openEditor(suite, 'newcomer-score', {
      frames: FRAMES, width: W, height: H,
      tracks: [
        { id: 1, candidate: 0.206, frames: range(0, 9), box: sq(20, 20) },
        { id: 2, candidate: 0.195, frames: range(0, 9), box: sq(120, 20) },
      ],
    });
    await page.waitForSelector('.row[data-id="1"]');
    const shown = /suggestion (\d\.\d\d)/.exec((await page.locator('.row[data-id="1"]').textContent())!)![1]!;
    await shot('suggestions');
    await page.fill('input.above', shown);
    await page.press('input.above', 'Enter');
    await page.waitForSelector('.row.redact[data-id="1"]');
    await shot('accepted-from-shown-score');
    const { tracks } = await projectOf(page);
    expect(tracks.map((t) => [t.id, t.action])).toEqual([[1, 'redact'], [2, 'candidate']]);
  });

  it('a drawn (manual) or static track\'s row shows its whole time on screen, as an automatic one does', async () => {
    const { page, shot } = await openEditor(suite, 'newcomer-rows', {
      frames: FRAMES, width: W, height: H,
      tracks: [
        { id: 0, frames: range(0, 29), box: sq(20, 20) },
        { id: 13, origin: 'manual', frames: range(0, 29), box: sq(120, 20) },
        { id: 14, origin: 'static', frames: range(5, 29), box: sq(220, 20) },
      ],
    });
    await page.waitForSelector('.row[data-id="14"]');
    await shot('rows');
    for (const id of [0, 13, 14]) {
      // Nothing cut off: the text fits its box (an ellipsis hid the end of the time range).
      const fits = await page.locator(`.row[data-id="${id}"] .text`).evaluate((e) => e.scrollWidth <= e.clientWidth);
      expect(fits, `row #${id}`).toBe(true);
    }
    expect(await page.locator('.row[data-id="13"] .when').textContent()).toBe('0:00.00–0:01.16');
    expect(await page.locator('.row[data-id="13"] .state').textContent()).toBe('redacted (manual)');
    expect(await page.locator('.row[data-id="14"] .state').textContent()).toBe('redacted (static)');
  });

  it('Export cannot be pressed again while it runs, says why, and is back once the export has finished', async () => {
    // Long enough to look at the button while the export runs. (A second press used to be refused with a 409, an error in the console.)
    const { page, shot } = await openEditor(suite, 'newcomer-export-twice', { frames: 250, width: 640, height: 480, tracks: [{ id: 0, frames: range(0, 249), box: sq(20, 20) }] }, { args: (d) => ['-o', join(d, 'out.mp4')] });
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    await page.waitForSelector('.row[data-id="0"]');
    await page.click('button[data-k="export"]');
    await page.waitForSelector('.job[data-state="running"]');
    const button = page.locator('button[data-k="export"]');
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('title')).toBe('wait for the export to finish, or cancel it');
    await shot('export-running');
    await page.waitForSelector('.job[data-kind="export"][data-state="done"]', { timeout: 120_000 });
    await page.waitForSelector('button[data-k="export"]:not([disabled])');
    await shot('exported');
    expect(await page.locator('.job span').textContent()).toContain('out.mp4');
    expect(await page.locator('.message').textContent()).toBe('');
    expect(consoleErrors).toEqual([]);
  });

  it('after a click on "show result", the arrows still step and Space still plays (it used to untick the box)', async () => {
    const { page, shot } = await openEditor(suite, 'newcomer-keys-after-checkbox', { frames: FRAMES, width: W, height: H, tracks: [{ id: 0, frames: range(0, FRAMES - 1), box: sq(20, 20) }] });
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.getByText('show result').click();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('.clock[data-frame="2"]', { timeout: 5000 });
    await shot('stepped-after-checkbox');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.clock')!.dataset.frame) > 2, undefined, { timeout: 5000 });
    await page.keyboard.press('Space');
    await shot('played-after-checkbox');
    expect(await page.getByLabel(/show result/).isChecked()).toBe(true);
  });

  it('playback shows the last frame before it stops', async () => {
    // A trial's playback stopped at "frame 33 / 34": the last frame was never shown.
    const { page, shot } = await openEditor(suite, 'newcomer-play-to-end', { frames: FRAMES, width: W, height: H, tracks: [{ id: 0, frames: range(0, FRAMES - 1), box: sq(20, 20) }] });
    await page.waitForSelector('.clock[data-frame="0"]');
    for (let i = 0; i < FRAMES - 5; i++) await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`.clock[data-frame="${FRAMES - 5}"]`, { timeout: 5000 });
    await page.keyboard.press('Space');
    await page.waitForSelector(`.clock[data-frame="${FRAMES - 1}"]`, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('[data-k="play"]')!.textContent === '▶', undefined, { timeout: 5000 });
    await shot('played-to-the-end');
    expect(await page.locator('.clock').getAttribute('data-frame')).toBe(String(FRAMES - 1));
    // Play from the last frame starts again at the first (it did nothing).
    await page.keyboard.press('Space');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.clock')!.dataset.frame) < 10, undefined, { timeout: 5000 });
    await page.keyboard.press('Space');
  });

  it('undo and redo say which track they changed, since the edit may be on a frame not shown', async () => {
    const { page, shot } = await openEditor(suite, 'newcomer-undo', {
      frames: FRAMES, width: W, height: H,
      tracks: [{ id: 0, frames: range(0, 9), box: sq(20, 20) }, { id: 1, frames: range(20, 29), box: sq(120, 20) }],
    });
    await page.waitForSelector('.clock[data-frame="0"]');
    // Track 1 is not on frame 0: keeping it visible changes nothing on this frame.
    await page.click('.row[data-id="1"] button[data-op="setAction-keep"]');
    await page.waitForSelector('.row.keep[data-id="1"]');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('.row.redact[data-id="1"]');
    await page.waitForSelector('.message:text-is("undone: #1")');
    await shot('undone');
    await page.keyboard.press('Control+Shift+z');
    await page.waitForSelector('.row.keep[data-id="1"]');
    await page.waitForSelector('.message:text-is("redone: #1")');
    await shot('redone');
    expect(await page.locator('.clock').getAttribute('data-frame')).toBe('0');
  });

  it('a second track of the kept face is listed and drawn as visible with it, as export leaves it', async () => {
    // A trial's editor listed such a track as "redacted" while the export left that face visible.
    const { page, shot } = await openEditor(suite, 'newcomer-follows', {
      frames: FRAMES, width: W, height: H,
      tracks: [{ id: 0, frames: range(0, 19), box: sq(20, 20) }, { id: 1, frames: range(0, 19), box: sq(22, 21) }, { id: 2, frames: range(0, 19), box: sq(120, 20) }],
    });
    await page.waitForSelector('.clock[data-frame="0"]');
    await page.click('.row[data-id="0"] button[data-op="setAction-keep"]');
    await page.waitForSelector('.row.keep[data-id="1"] .state:text-is("visible with kept #0")');
    expect(await page.locator('.row[data-id="2"] .state').textContent()).toBe('redacted');
    await shot('follows-kept');
    await page.click('.row[data-id="0"] button[data-op="setAction-redact"]');
    await page.waitForSelector('.row.redact[data-id="1"] .state:text-is("redacted")');
  });
});
