import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindCode } from '../../src/project/box-kinds.js';
import { range } from './fixture.js';
import { browserForSuite, dragOn, HAVE_CHROMIUM, openEditor, projectOf, rgbFrames, stagePoint, type TrackJson } from './harness.js';

// The edits a reviewer makes with the mouse and the keyboard (issue 15), each checked in the project
// the page sends and in the exported pixels: accepting a suggestion that has gaps, accepting all
// suggestions above a score, a static box over an in..out range, and a keyframe dragged on a corner.

const [W, H, FRAMES] = [320, 240, 60];
type Box = { x1: number; y1: number; x2: number; y2: number };
const sq = (x: number, y: number, s = 40): Box => ({ x1: x, y1: y, x2: x + s, y2: y + s });
const BOXES = { track: sq(20, 20), gappy: sq(100, 20), above: sq(180, 20), below: sq(260, 20), drawn: sq(100, 110, 50) };
const GAPPY = range(10, 50).filter((f) => f % 4 === 2);

describe.runIf(HAVE_CHROMIUM)('faceblur review: edits made as a user makes them', () => {
  const suite = browserForSuite();

  it('accepts a suggestion with gaps as a whole track, accepts all above a score, hides a static box from in to out, drags a corner into a keyframe; the export shows each', async () => {
    const { page, shot, dir } = await openEditor(suite, 'edits', {
      frames: FRAMES, width: W, height: H,
      tracks: [
        { id: 0, frames: range(0, FRAMES - 1), box: BOXES.track },
        { id: 1, candidate: 0.45, frames: GAPPY, box: BOXES.gappy },
        { id: 2, candidate: 0.35, frames: range(0, 20), box: BOXES.above },
        { id: 3, candidate: 0.2, frames: range(0, FRAMES - 1), box: BOXES.below },
      ],
    }, { args: (d) => ['--replacewith', 'solid', '--color', 'ff00ff', '--boxes', '--mask-scale', '1', '--mask-margin', '0', '-o', join(d, 'out.mp4')] });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await page.waitForSelector('.clock[data-frame="0"]');
    const at = await stagePoint(page, W, H);
    const seek = async (frame: number) => {
      await page.locator('canvas.stage').click({ position: { x: 2, y: 2 } });
      const now = Number(await page.locator('.clock').getAttribute('data-frame'));
      for (let n = now; n < frame; n++) await page.keyboard.press('ArrowRight');
      for (let n = now; n > frame; n--) await page.keyboard.press('ArrowLeft');
      await page.waitForSelector(`.clock[data-frame="${frame}"]`);
    };

    // 1. Accept the suggestion with gaps (✓ on its row): one redacted track from its first to its last frame.
    requests.length = 0;
    const answer = page.waitForResponse((r) => r.url().includes('api/action'));
    await page.click('.row[data-id="1"] button[data-op="accept"]');
    const changes = (await (await answer).json()).changes as { changed: TrackJson[]; removed: number[] };
    await page.waitForSelector('.row.redact[data-id="1"]');
    // The answer carries that track only, and the page fetched no whole project.
    expect(changes.changed.map((t) => t.id)).toEqual([1]);
    expect(requests.filter((r) => r.endsWith('/api/project'))).toEqual([]);
    const accepted = (await projectOf(page)).tracks.find((t) => t.id === 1)!;
    expect(accepted.action).toBe('redact');
    expect(accepted.boxes.frame).toEqual(range(GAPPY[0]!, GAPPY[GAPPY.length - 1]!));
    // Its lane is one unbroken bar from its first frame to its last.
    const lane = await page.evaluate(() => {
      const label = document.querySelector<HTMLElement>('.lanelabel[data-id="1"]')!;
      const c = document.querySelector<HTMLCanvasElement>('canvas.lanes')!;
      const y = label.offsetTop + 8;
      const row = c.getContext('2d')!.getImageData(0, y, c.width, 1).data;
      const xs: number[] = [];
      for (let x = 0; x < c.width; x++) if (row[x * 4]! > 200 && row[x * 4 + 1]! < 100) xs.push(x);
      return { xs, width: c.width };
    });
    const x = (f: number) => (f / (FRAMES - 1)) * (lane.width - 1);
    expect(lane.xs.length).toBeGreaterThan(0);
    expect(lane.xs[lane.xs.length - 1]! - lane.xs[0]! + 1, 'no gap in the lane').toBe(lane.xs.length);
    expect(lane.xs[0]!).toBeCloseTo(x(GAPPY[0]!), -1);
    await shot('gappy-accepted');

    // 2. Accept all suggestions with a score of at least 0.3, typed into the panel's box.
    await page.fill('.above', '0.3');
    await page.press('.above', 'Enter');
    await page.waitForSelector('.row.redact[data-id="2"]');
    expect(await page.locator('.row.candidate[data-id="3"]').count()).toBe(1);
    await shot('accepted-above');

    // 3. A static box from frame 30 to 45: B, drag, then I on 30, O on 45, S.
    await seek(30);
    await page.keyboard.press('b');
    const d = BOXES.drawn;
    await dragOn(page, at, d.x1, d.y1, d.x2, d.y2);
    await page.keyboard.press('i');
    await seek(45);
    await page.keyboard.press('o');
    expect(await page.locator('.drawbar .range').textContent()).toBe('frames 30–45');
    await shot('static-range');
    await page.keyboard.press('s');
    await page.waitForSelector('.row[data-id="4"]');
    const still = (await projectOf(page)).tracks.find((t) => t.id === 4)!;
    expect(still.origin).toBe('static');
    expect(still.boxes.frame).toEqual(range(30, 45));

    // 4. On frame 30, select track 0 and drag its lower right corner 20 px right and down.
    await seek(30);
    const t = BOXES.track;
    await page.mouse.click(at((t.x1 + t.x2) / 2, (t.y1 + t.y2) / 2).x, at((t.x1 + t.x2) / 2, (t.y1 + t.y2) / 2).y);
    await page.waitForSelector('.row.selected[data-id="0"]');
    // Grabbed a little outside the corner, within its handle.
    await page.mouse.move(at(t.x2, t.y2).x + 3, at(t.x2, t.y2).y + 3);
    await page.mouse.down();
    await page.mouse.move(at(t.x2 + 20, t.y2 + 20).x + 3, at(t.x2 + 20, t.y2 + 20).y + 3, { steps: 6 });
    await page.mouse.up();
    // The status still says "saved ✓" from the last edit, and the drag's edit is sent without waiting:
    // wait for the keyframe in the project itself.
    const track0 = async () => (await projectOf(page)).tracks.find((x) => x.id === 0)!;
    await expect.poll(async () => ((b) => b.kind[b.frame.indexOf(30)])((await track0()).boxes), { timeout: 10_000 }).toBe(kindCode('keyframe'));
    const moved = await track0();
    const i30 = moved.boxes.frame.indexOf(30);
    expect(moved.boxes.kind[i30]).toBe(kindCode('keyframe'));
    expect(moved.boxes.x2[i30]!).toBeCloseTo(t.x2 + 20, -0.5);
    expect(moved.boxes.y2[i30]!).toBeCloseTo(t.y2 + 20, -0.5);
    expect(moved.boxes.x1[i30]!).toBeCloseTo(t.x1, -0.5);
    await shot('corner-dragged');

    await page.click('[data-k="export"]');
    await page.waitForSelector('.job[data-kind="export"][data-state="done"]', { timeout: 100_000 });
    const frames = rgbFrames(join(dir, 'out.mp4'), W, H);
    expect(frames).toHaveLength(FRAMES);
    const magenta = (f: number, px: number, py: number) => {
      const i = (py * W + px) * 3;
      const img = frames[f]!;
      return img[i]! > 180 && img[i + 1]! < 90 && img[i + 2]! > 180;
    };
    const centre = (b: Box) => [Math.round((b.x1 + b.x2) / 2), Math.round((b.y1 + b.y2) / 2)] as const;
    // The accepted suggestion, on its detections' frames and between them; not before or after.
    for (const f of range(10, 50)) expect(magenta(f, ...centre(BOXES.gappy)), `suggestion 1 on frame ${f}`).toBe(f >= GAPPY[0]! && f <= GAPPY[GAPPY.length - 1]!);
    for (const f of range(0, FRAMES - 1)) {
      expect(magenta(f, ...centre(BOXES.above)), `suggestion 2 on frame ${f}`).toBe(f <= 20);
      expect(magenta(f, ...centre(BOXES.below)), `suggestion 3 (below the score) on frame ${f}`).toBe(false);
      expect(magenta(f, ...centre(BOXES.drawn)), `static box on frame ${f}`).toBe(f >= 30 && f <= 45);
      // Inside the dragged corner only on the keyframe's frame (an auto track keeps its other boxes).
      expect(magenta(f, t.x2 + 10, t.y2 + 10), `dragged corner on frame ${f}`).toBe(f === 30);
      expect(magenta(f, ...centre(t)), `track 0 on frame ${f}`).toBe(true);
    }
  }, 200_000);
});
