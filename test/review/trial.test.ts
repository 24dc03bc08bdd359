import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffmpeg, SHARED } from '../helpers.js';
import { range } from './fixture.js';
import { browserForSuite, dragOn, HAVE_CHROMIUM, openEditor, projectOf, stagePoint } from './harness.js';

// What the second new-user trial of the editor found (issue 15), each pinned as a user meets it.

const sq = (x: number, y: number, s = 40) => ({ x1: x, y1: y, x2: x + s, y2: y + s });

describe.runIf(HAVE_CHROMIUM)('faceblur review: what the second trial found', () => {
  const suite = browserForSuite();

  it('a follow cancelled gives the drawn box back, on its frame, ready to follow again or make static', async () => {
    const [W, H, FRAMES] = [640, 480, 400];
    const { page, shot } = await openEditor(suite, 'trial-follow-cancelled', { frames: FRAMES, width: W, height: H, tracks: [{ id: 0, frames: range(0, 9), box: sq(20, 20) }] });
    await page.waitForSelector('.clock[data-frame="0"]');
    // Far into the video, so that the follow still reads its way there when Esc cancels it.
    for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.waitForSelector('.clock[data-frame="300"]');
    const at = await stagePoint(page, W, H);
    await page.keyboard.press('b');
    await dragOn(page, at, 200, 100, 300, 220);
    await page.keyboard.press('f');
    await page.waitForSelector('.job[data-kind="follow"][data-state="running"]');
    expect(await page.locator('.drawbar').isHidden()).toBe(true);
    await shot('following');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.job[data-kind="follow"][data-state="cancelled"]');
    await page.waitForSelector('.drawbar:not([hidden])');
    await page.waitForSelector('.message:has-text("drawn box is still here")');
    await shot('cancelled-box-kept');
    expect(await page.locator('.clock').getAttribute('data-frame')).toBe('300');
    // S makes it static from here to the end: the same box.
    await page.keyboard.press('s');
    await page.waitForSelector('.row[data-id="1"]');
    const made = (await projectOf(page)).tracks.find((t) => t.id === 1)!;
    expect(made.origin).toBe('static');
    expect(made.boxes.frame).toEqual(range(300, FRAMES - 1));
    for (const [k, v] of [['x1', 200], ['y1', 100], ['x2', 300], ['y2', 220]] as const) expect(made.boxes[k][0]!, k).toBeCloseTo(v, -0.5);
    await shot('made-static');
  }, 120_000);

  it('a job\'s progress bar goes once it ends: an export leaves a "done: written to …" line that stays, never a bar that looks busy', async () => {
    const { page, shot, dir } = await openEditor(suite, 'trial-job-ends', { frames: 50, width: 320, height: 240, tracks: [{ id: 0, frames: range(0, 49), box: sq(20, 20) }] }, { args: (d) => ['-o', `${d}/out.mp4`] });
    await page.waitForSelector('.clock[data-frame="0"]');
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    await page.click('[data-k="export"]');
    // While it runs, Export cannot be pressed again (a second press was refused with a 409 in the console).
    await page.waitForSelector('.job[data-kind="export"][data-state="running"]');
    expect(await page.locator('[data-k="export"]').isDisabled()).toBe(true);
    await page.waitForSelector('.job[data-kind="export"][data-state="done"]', { timeout: 60_000 });
    await page.waitForSelector('[data-k="export"]:not([disabled])');
    expect(consoleErrors).toEqual([]);
    await shot('export-done');
    expect(await page.locator('.job span').textContent()).toBe(`done: written to ${dir}/out.mp4`);
    expect(await page.locator('.job progress').isVisible(), 'no progress bar once done').toBe(false);
    expect(await page.locator('.job button').isVisible(), 'no cancel once done').toBe(false);
    // The path stays on screen past the 10 s in which other jobs' lines fade: a user who looked away still finds the output.
    await page.waitForTimeout(12_000);
    expect(await page.locator('.job span').isVisible()).toBe(true);
    expect(await page.locator('.job').evaluate((e) => getComputedStyle(e).opacity)).toBe('1');
    await shot('export-line-stays');
  }, 120_000);

  it('a follow shows which frame it is on, of how many, backward and forward', async () => {
    // A still group photo as a 20 s video: a box on it is followed through every frame, both ways.
    // 720p, drawn on frame 300 of 600: backward is longer than the frames held from the first read
    // (254 at 720p, src/track/follow-frames.ts), so windows are decoded again, and forward runs 300
    // frames: a few seconds each even at the follower's 80+ fps, where the page polls every 400 ms
    // (drawn at 450 of 500, the 50 frames forward once finished between two polls).
    const [W, H, FRAMES, DRAWN] = [1280, 720, 600, 300];
    const still = (path: string) => ffmpeg(['-loop', '1', '-i', join(SHARED, 'data', 'images', 'human_group-1.jpg'), '-vf', `scale=${W}:${H},setsar=1`, '-r', '25', '-frames:v', String(FRAMES), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '25', path]);
    const { page, shot } = await openEditor(suite, 'trial-follow-frames', { frames: FRAMES, width: W, height: H, tracks: [] }, { clip: still });
    await page.waitForSelector('.clock[data-frame="0"]');
    for (let i = 0; i < DRAWN / 25; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.waitForSelector(`.clock[data-frame="${DRAWN}"]`);
    // Every line the job shows, as the page shows it.
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      const span = document.querySelector('.job span')!;
      new MutationObserver(() => seen.push(span.textContent ?? '')).observe(span, { childList: true, characterData: true, subtree: true });
    });
    const at = await stagePoint(page, W, H);
    await page.keyboard.press('b');
    await dragOn(page, at, 420, 200, 540, 320);
    await page.keyboard.press('f');
    await page.waitForSelector('.job span:has-text("backward")', { timeout: 100_000 });
    await shot('following-backward');
    await page.waitForSelector('.job span:has-text("forward")', { timeout: 100_000 });
    await shot('following-forward');
    // Attached, not visible: the ended line fades out 10 s after the follow ends.
    await page.waitForSelector('.job[data-kind="follow"][data-state="done"]', { state: 'attached', timeout: 100_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const frames = (pass: string) => seen.flatMap((t) => new RegExp(`^following the box${pass}… frame (\\d+) / ${FRAMES - 1}$`).exec(t)?.[1] ?? []).map(Number);
    const [reading, back, fwd] = [frames(': reading the video'), frames(' backward'), frames(' forward')];
    expect(back.length, seen.join('\n')).toBeGreaterThan(0);
    expect(fwd.length, seen.join('\n')).toBeGreaterThan(0);
    // Reading goes up to the drawn frame, backward goes down from it, forward up from it.
    expect(Math.max(...reading, 0)).toBeLessThan(DRAWN);
    expect(Math.max(...back)).toBeLessThan(DRAWN);
    expect(back).toEqual([...back].sort((a, b) => b - a));
    expect(Math.min(...fwd)).toBeGreaterThan(DRAWN);
    expect(fwd).toEqual([...fwd].sort((a, b) => a - b));
  }, 300_000);
  it('a drag too small to be a box says so; a plain click still keeps the box drawn before', async () => {
    const [W, H] = [320, 240];
    const { page, shot } = await openEditor(suite, 'trial-small-drag', { frames: 30, width: W, height: H, tracks: [] });
    await page.waitForSelector('.clock[data-frame="0"]');
    const at = await stagePoint(page, W, H);
    await page.keyboard.press('b');
    // 2 screen pixels: about one pixel of this frame.
    await page.mouse.move(at(100, 100).x, at(100, 100).y);
    await page.mouse.down();
    await page.mouse.move(at(100, 100).x + 2, at(100, 100).y + 2, { steps: 2 });
    await page.mouse.up();
    await page.waitForSelector('.message.error:has-text("drag a larger box: at least 4×4 pixels")');
    expect(await page.locator('.drawbar').isHidden()).toBe(true);
    await shot('too-small');
    await dragOn(page, at, 150, 60, 210, 130);
    await page.waitForSelector('.drawbar:not([hidden])');
    expect(await page.locator('.message').textContent()).toBe('');
    // A click (no move) keeps the box; another tiny drag says so again and keeps it too.
    await page.mouse.click(at(40, 40).x, at(40, 40).y);
    expect(await page.locator('.message').textContent()).toBe('');
    await dragOn(page, at, 40, 40, 41, 42);
    await page.waitForSelector('.message.error:has-text("drag a larger box")');
    expect(await page.locator('.drawbar').isVisible()).toBe(true);
    await shot('box-kept');
    await page.keyboard.press('s');
    await page.waitForSelector('.row[data-id="0"]');
    const made = (await projectOf(page)).tracks[0]!;
    for (const [k, v] of [['x1', 150], ['y1', 60], ['x2', 210], ['y2', 130]] as const) expect(made.boxes[k][0]!, k).toBeCloseTo(v, -0.5);
  }, 120_000);

  it('on a photo, N steps through the suggestions by score, selecting and outlining each, round again, and says when there are none', async () => {
    const [W, H] = [320, 240];
    const scores = [0.2, 0.45, 0.3, 0.12];
    const boxes = scores.map((_, i) => sq(20 + i * 75, 60, 50));
    const { page, shot } = await openEditor(suite, 'trial-photo-next', {
      kind: 'image', frames: 1, width: W, height: H,
      tracks: [{ id: 0, frames: [0], box: sq(20, 150, 50) }, ...scores.map((candidate, i) => ({ id: i + 1, candidate, frames: [0], box: boxes[i]! }))],
    });
    // The photo shown (the clock is hidden on a photo, but says which frame is drawn).
    await page.waitForSelector('.clock[data-frame="0"]', { state: 'attached' });
    await page.waitForSelector('.row[data-id="4"]');
    /** Ids of the suggestions outlined in the selection's colour on the stage. */
    const outlinedSelected = () =>
      page.evaluate((bs) => {
        const c = document.querySelector<HTMLCanvasElement>('canvas.stage')!;
        const img = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const cyan = (x: number, y: number) => img[(y * c.width + x) * 4]! < 60 && img[(y * c.width + x) * 4 + 1]! > 180 && img[(y * c.width + x) * 4 + 2]! > 220;
        return bs.flatMap((b, i) => (Array.from({ length: b.x2 - b.x1 }, (_, k) => b.x1 + k).some((x) => cyan(x, b.y1)) ? [i + 1] : []));
      }, boxes);
    const order = [2, 3, 1, 4]; // by score
    for (const [k, id] of [...order, order[0]!].entries()) {
      await page.keyboard.press('n');
      await page.waitForSelector(`.row.selected[data-id="${id}"]`);
      const said = `suggestion ${(k % 4) + 1} of 4: #${id}, score ${scores[id - 1]!.toFixed(2)}${k === 4 ? ' (back to the first)' : ''}`;
      await page.waitForSelector(`.message:text-is("${said}")`);
      expect(await outlinedSelected(), said).toEqual([id]);
      if (k === 0 || k === 4) await shot(`next-${k}`);
    }
    await page.fill('input.above', '0');
    await page.press('input.above', 'Enter');
    await page.waitForSelector('.row.redact[data-id="4"]');
    await page.locator('canvas.stage').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('n');
    await page.waitForSelector('.message:text-is("no suggestions on this photo")');
    await shot('none-left');
  }, 120_000);

  it('a group photo\'s 95 suggestions: the 12 best outlined, a count and "show all"; the panel lists all and N reaches each', async () => {
    const [W, H, N] = [640, 480, 95];
    // A 12 x 8 grid of 40 px boxes; scores all different, the best last.
    const boxes = Array.from({ length: N }, (_, i) => sq(8 + (i % 12) * 52, 8 + Math.floor(i / 12) * 52, 40));
    const score = (i: number) => Math.round((0.1 + i * 0.004) * 1000) / 1000;
    const { page, shot } = await openEditor(suite, 'trial-crowd', {
      kind: 'image', frames: 1, width: W, height: H,
      tracks: boxes.map((box, i) => ({ id: i + 1, candidate: score(i), frames: [0], box })),
    });
    await page.waitForSelector('.clock[data-frame="0"]', { state: 'attached' });
    await page.waitForSelector('.row[data-id="95"]');
    /** Ids of the suggestions outlined on the stage, in amber or (selected) in cyan. */
    const outlined = (colour: 'amber' | 'cyan') =>
      page.evaluate(({ bs, colour }) => {
        const c = document.querySelector<HTMLCanvasElement>('canvas.stage')!;
        const img = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const is = (x: number, y: number) => {
          const [r, g, b] = [img[(y * c.width + x) * 4]!, img[(y * c.width + x) * 4 + 1]!, img[(y * c.width + x) * 4 + 2]!];
          return colour === 'amber' ? r > 220 && g > 140 && g < 200 && b < 60 : r < 60 && g > 180 && b > 220;
        };
        return bs.flatMap((b, i) => (Array.from({ length: b.x2 - b.x1 }, (_, k) => b.x1 + k).some((x) => is(x, b.y1)) ? [i + 1] : []));
      }, { bs: boxes, colour });
    const best = range(N - 11, N);
    const count = async () => [await page.locator('.suggestcount span').textContent(), await page.locator('.suggestcount button').textContent()];
    await page.waitForSelector('.suggestcount:visible', { timeout: 10_000 }).catch(() => shot('no-count'));
    expect(await count()).toEqual(['95 suggestions on this frame, 12 shown', 'show all']);
    expect(await outlined('amber')).toEqual(best);
    expect(await page.locator('.count').textContent()).toBe('Tracks (0) · Suggestions (95)');
    await shot('best-12');
    await page.click('.suggestcount button');
    expect(await count()).toEqual(['95 suggestions on this frame, all shown', 'show the 12 best']);
    expect(await outlined('amber')).toEqual(range(1, N));
    await shot('all');
    await page.click('.suggestcount button');
    expect(await count()).toEqual(['95 suggestions on this frame, 12 shown', 'show all']);
    expect(await outlined('amber')).toEqual(best);
    // N goes through all 95, by score: the last is the worst, outlined (selected) though not among the best.
    for (let k = 0; k < N; k++) await page.keyboard.press('n');
    await page.waitForSelector(`.message:text-is("suggestion 95 of 95: #1, score ${score(0).toFixed(2)}")`);
    await page.waitForSelector('.row.selected[data-id="1"]');
    expect(await outlined('cyan')).toEqual([1]);
    expect(await outlined('amber')).toEqual(best);
    await shot('worst-selected');
  }, 120_000);
});
