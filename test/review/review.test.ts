import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindCode } from '../../src/project/box-kinds.js';
import { ffmpeg, psnr, runCli, SHARED, tempDir } from '../helpers.js';
import { browserForSuite, dragOn, HAVE_CHROMIUM, projectOf, rgbFrames, screenshots, stagePoint, startReview, type TrackJson } from './harness.js';

const W = 480;
const H = 270;
// The classroom clip's four seated people (frame 0 boxes, pixels); they barely move.
const FACES = {
  kept: { x1: 128, y1: 128, x2: 140, y2: 144 },
  untouched: { x1: 307, y1: 151, x2: 326, y2: 175 },
  candidate: { x1: 66, y1: 149, x2: 84, y2: 172 },
  drawn: { x1: 231, y1: 127, x2: 244, y2: 144 },
};
type Box = { x1: number; y1: number; x2: number; y2: number };

const centre = (b: Box) => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });
const boxOf = (t: TrackJson, i: number): Box => ({ x1: t.boxes.x1[i]!, y1: t.boxes.y1[i]!, x2: t.boxes.x2[i]!, y2: t.boxes.y2[i]! });
/** Frames on which the track's box is centred within 8 px of the face. */
const framesOn = (t: TrackJson, face: Box) =>
  t.boxes.frame.filter((_, i) => Math.hypot(centre(boxOf(t, i)).x - centre(face).x, centre(boxOf(t, i)).y - centre(face).y) < 8).length;


describe.runIf(HAVE_CHROMIUM)('faceblur review on a real clip', () => {
  const suite = browserForSuite();

  it('accepts a candidate, follows a drawn box, keeps a track, undoes and redoes, exports what was decided', async () => {
    const dir = tempDir('faceblur-review-');
    const clip = join(dir, 'class.mp4');
    ffmpeg(['-i', join(SHARED, 'data', 'videos', 'classroom.gif'), '-t', '3', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-crf', '16', clip]);
    const out = join(dir, 'out.mp4');
    // A high threshold leaves some faces as candidates only; solid magenta makes anonymized pixels easy to see.
    const mask = ['--replacewith', 'solid', '--color', 'ff00ff'];
    const started = await startReview([clip, '--thresh', '0.915', ...mask, '-o', out]);
    const { run } = started;
    suite.started(run);
    const page = await suite.browser().newPage({ viewport: { width: 1280, height: 800 } });
    const shot = screenshots(page, 'real-clip');
    await page.goto(started.url.href);
    await shot('analyzing');
    await page.waitForSelector('.clock[data-frame="0"]', { timeout: 200_000 });
    copyFileSync(join(dir, 'class.faceblur.json'), join(dir, 'before.faceblur.json'));
    await shot('analyzed');

    const p0 = await projectOf(page);
    // "Next uncertain" goes to the next candidate, or the next stretch held (or looked ahead) without a detection.
    const unsure = (t: TrackJson, i: number) => t.boxes.kind[i] === kindCode('held') || t.boxes.kind[i] === kindCode('lookahead');
    const starts = p0.tracks.flatMap((t) =>
      t.action === 'candidate' ? [t.boxes.frame[0]!] : t.boxes.frame.filter((f, i) => unsure(t, i) && !(i > 0 && t.boxes.frame[i - 1] === f - 1 && unsure(t, i - 1))),
    );
    // With nothing selected, a suggestion that starts on the frame shown comes first.
    const here = p0.tracks.some((t) => t.action === 'candidate' && t.boxes.frame[0] === 0);
    const next = here ? 0 : Math.min(...starts.filter((f) => f > 0));
    await page.locator('canvas.stage').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('n');
    await page.waitForSelector(`.clock[data-frame="${next}"]`);
    if (here) await page.waitForSelector('.row.candidate.selected');
    // And says what it found there, and how many such stops the video has.
    await page.getByText(new RegExp(`^(suggestion #\\d+, score \\d\\.\\d\\d|a face covered without a detection) at frame ${next} \\(1 of ${starts.length} uncertain\\)$`)).first().waitFor({ timeout: 5_000 });
    await shot('next-uncertain');
    const lanes = (await page.locator('canvas.lanes').boundingBox())!;
    await page.mouse.click(lanes.x + 1, lanes.y + 5);
    await page.waitForSelector('.clock[data-frame="0"]');
    const best = (face: Box, action: string) =>
      p0.tracks.filter((t) => t.action === action).sort((a, b) => framesOn(b, face) - framesOn(a, face))[0]!;
    const kept = best(FACES.kept, 'redact');
    const cand = best(FACES.candidate, 'candidate');
    expect(framesOn(kept, FACES.kept)).toBeGreaterThan(5);
    expect(framesOn(cand, FACES.candidate)).toBeGreaterThan(5);
    // The face to draw on is not redacted by the analysis on frame 0.
    expect(p0.tracks.some((t) => t.action === 'redact' && t.boxes.frame[0] === 0 && framesOn(t, FACES.drawn) > 0)).toBe(false);

    await page.click(`.row[data-id="${cand.id}"] button[data-op="accept"]`);
    await page.waitForSelector(`.row.redact[data-id="${cand.id}"]`);
    await shot('candidate-accepted');

    await page.click(`.row[data-id="${kept.id}"] button[data-op="setAction-keep"]`);
    await page.waitForSelector(`.row.keep[data-id="${kept.id}"]`);
    await shot('track-kept');

    // Draw a box on the face the analysis left, on frame 0, and follow it.
    await page.keyboard.press('b');
    const d = FACES.drawn;
    await dragOn(page, await stagePoint(page, W, H), d.x1 - 3, d.y1 - 4, d.x2 + 3, d.y2 + 4);
    await page.waitForSelector('.drawbar:not([hidden])');
    await shot('box-drawn');
    await page.keyboard.press('f');
    await page.waitForSelector('.job[data-kind="follow"][data-state="done"]', { timeout: 120_000 });
    await shot('box-followed');
    const p1 = await projectOf(page);
    const manual = p1.tracks.find((t) => t.origin === 'manual')!;
    expect(manual).toBeDefined();
    expect(framesOn(manual, FACES.drawn)).toBeGreaterThanOrEqual(40);

    // Undo the follow, then redo it.
    const count = () => page.locator('.count').textContent();
    const withManual = await count();
    await page.keyboard.press('Control+z');
    await page.waitForFunction((c) => document.querySelector('.count')?.textContent !== c, withManual);
    expect((await projectOf(page)).tracks.some((t) => t.origin === 'manual')).toBe(false);
    await shot('undone');
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction((c) => document.querySelector('.count')?.textContent === c, withManual);
    expect((await projectOf(page)).tracks.find((t) => t.origin === 'manual')?.boxes.frame.length).toBe(manual.boxes.frame.length);
    await shot('redone');

    await page.keyboard.press('v');
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-k="result"]')!.checked);
    await page.waitForTimeout(1000);
    await shot('result-shown');

    await page.click('[data-k="export"]');
    await page.waitForSelector('.job[data-kind="export"][data-state="done"]', { timeout: 200_000 });
    expect(await page.locator('.job span').textContent()).toContain(out);
    await shot('exported');

    // Ctrl+C saves and exits 0.
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'class.faceblur.json'), 'utf8')) as { tracks: { id: number; action: string; origin: string }[] };
    expect(saved.tracks.find((t) => t.id === kept.id)?.action).toBe('keep');
    expect(saved.tracks.some((t) => t.id === cand.id && t.action === 'redact')).toBe(true);
    expect(saved.tracks.some((t) => t.origin === 'manual')).toBe(true);

    // What the same clip gives from the project as analyzed, untouched.
    const before = join(dir, 'before.mp4');
    const r = await runCli([clip, '--project', join(dir, 'before.faceblur.json'), ...mask, '-o', before]);
    expect(r.code, r.stderr).toBe(0);
    const input = rgbFrames(clip, W, H);
    const output = rgbFrames(out, W, H);
    const reference = rgbFrames(before, W, H);
    expect(output.length).toBe(input.length);

    const magenta = (img: Uint8Array, b: Box) => {
      const { x, y } = centre(b);
      const i = (Math.round(y) * W + Math.round(x)) * 3;
      return img[i]! > 180 && img[i + 1]! < 90 && img[i + 2]! > 180;
    };
    const edited: Box[][] = input.map(() => []);
    const each = (t: TrackJson, f: (frame: number, b: Box) => void) => t.boxes.frame.forEach((frame, i) => f(frame, boxOf(t, i)));
    // The accepted candidate and the followed box are anonymized on every frame they have.
    each(cand, (frame, b) => {
      expect(magenta(output[frame]!, b), `candidate on frame ${frame}`).toBe(true);
      edited[frame]!.push(b);
    });
    each(manual, (frame, b) => {
      expect(magenta(output[frame]!, b), `drawn face on frame ${frame}`).toBe(true);
      edited[frame]!.push(b);
    });
    // The kept face is as in the input wherever no other redacted track covers it.
    const others = p1.tracks.filter((t) => t.action === 'redact' && t.id !== cand.id && t.origin !== 'manual');
    let keptChecked = 0;
    each(kept, (frame, b) => {
      edited[frame]!.push(b);
      if (others.some((t) => t.boxes.frame.includes(frame) && framesOn(t, b) > 0)) return;
      keptChecked++;
      const inside = (x: number, y: number) => x >= b.x1 && x < b.x2 && y >= b.y1 && y < b.y2;
      expect(psnr(output[frame]!, input[frame]!, W, inside), `kept face on frame ${frame}`).toBeGreaterThan(30);
      expect(magenta(reference[frame]!, b)).toBe(true);
    });
    expect(keptChecked).toBeGreaterThan(5);
    // Everything else is as the untouched project renders it (away from the edited faces' masks).
    output.forEach((img, frame) => {
      const grown = edited[frame]!.map((b) => {
        const m = Math.max(b.x2 - b.x1, b.y2 - b.y1) * 0.5 + 14;
        return { x1: b.x1 - m, y1: b.y1 - m, x2: b.x2 + m, y2: b.y2 + m };
      });
      const outside = (x: number, y: number) => !grown.some((b) => x >= b.x1 && x < b.x2 && y >= b.y1 && y < b.y2);
      expect(psnr(img, reference[frame]!, W, outside), `the rest of frame ${frame}`).toBeGreaterThan(35);
    });
  }, 290_000);
});
