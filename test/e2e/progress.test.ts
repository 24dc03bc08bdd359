import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { makeClip, withoutFrameCount } from '../../fixtures/clips.js';
import { Terminal } from './terminal.js';

const COLUMNS = 90;
/** A bar line: label, [###---], done/total frames. */
const BAR = /^(.*) \[([#-]+)\] (\d+)\/(\d+) (frames|files) /;

describe('progress bars in a real terminal', () => {
  let term: Terminal | undefined;
  afterEach(() => term?.close());

  it('end at 100% when the frame count was an estimate, cut long names with an ellipsis, number the files', async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4');
    // 15 frames, which the probe estimates at 30.
    withoutFrameCount(dir, clip, 'estimated.mkv', 3);
    const long = 'a_long_file_name_from_a_protest_recording_on_the_main_square_2024_part_one.mp4';
    makeClip(dir, long);
    term = new Terminal(['estimated.mkv', long, '-o', 'out/'], { cwd: dir, columns: COLUMNS });
    const { code, lines } = await term.exit();
    expect(code).toBe(0);
    const bars = lines.filter((l) => BAR.test(l));
    expect(bars).toHaveLength(2);
    for (const bar of bars) expect(bar.length).toBeLessThan(COLUMNS);
    for (const bar of bars) {
      const [, , cells, done, total] = BAR.exec(bar)!;
      expect(done).toBe(total);
      expect(done).toBe('15');
      expect(cells).toMatch(/^#+$/);
    }
    expect(bars[0]).toMatch(/^file 1 of 2: estimated\.mkv /);
    expect(bars[1]).toMatch(/^file 2 of 2: a_lo\w*…\w*_part_one\.mp4 \[/);
    // Results and the summary come after each bar, never inside one (each file's face summary follows its result).
    expect(lines.slice(0, 2)).toEqual([bars[0], 'out/estimated.mkv']);
    expect(lines[lines.indexOf(bars[1]!) + 1]).toBe(`out/${long}`);
    expect(lines.filter((l) => !BAR.test(l)).some((l) => /\[[#-]+\]/.test(l))).toBe(false);
    expect(lines.some((l) => /^faceblur: 2 done, 0 failed/.test(l))).toBe(true);
  });

  it('after Ctrl+C the stop message is the last line, with the bar frozen above it', async () => {
    const dir = tempDir();
    makeClip(dir, 'long.mp4', { seconds: 8 });
    term = new Terminal(['long.mp4'], { cwd: dir, columns: COLUMNS });
    await term.waitFor((l) => l.some((x) => (BAR.exec(x)?.[3] ?? '0') !== '0'));
    term.interrupt();
    const { code, lines } = await term.exit();
    expect(code).toBe(130);
    expect(lines.at(-1)).toBe('faceblur: SIGINT, stopping and removing partial files');
    expect(lines).toHaveLength(2);
    const [, , , done, total] = BAR.exec(lines[0]!)!;
    expect(Number(done)).toBeLessThan(Number(total));
  });

  it('with --jobs, shows a bar per running file below the count of files', async () => {
    const dir = tempDir();
    makeClip(dir, 'one.mp4', { seconds: 3 });
    makeClip(dir, 'two.mp4', { seconds: 3 });
    term = new Terminal(['one.mp4', 'two.mp4', '-o', 'out/', '--jobs', '2'], { cwd: dir, columns: COLUMNS });
    const live = await term.waitFor((l) => l.filter((x) => BAR.test(x)).length === 3);
    // One 30-frame file may be done by the first look at the screen on a fast machine; its bar stays.
    expect(live[0]).toMatch(/^2 files \[[-#]+\] [01]\/2 files /);
    expect(live.slice(1).map((l) => BAR.exec(l)![1]).sort()).toEqual(['file 1 of 2: one.mp4', 'file 2 of 2: two.mp4']);
    const { code, lines } = await term.exit();
    expect(code).toBe(0);
    expect(lines.filter((l) => / \d+\/\d+ frames /.test(l)).map((l) => BAR.exec(l)![3])).toEqual(['30', '30']);
    expect(lines.find((l) => l.startsWith('2 files ['))).toMatch(/^2 files \[#+\] 2\/2 files /);
  });

  it('draws nothing with --quiet, nor when stderr is not the terminal', async () => {
    const dir = tempDir();
    makeClip(dir, 'clip.mp4');
    term = new Terminal(['clip.mp4', '-o', 'quiet.mp4', '--quiet'], { cwd: dir, columns: COLUMNS });
    expect(await term.exit()).toEqual({ code: 0, lines: ['quiet.mp4'] });
    term.close();
    term = new Terminal(['clip.mp4', '-o', 'piped.mp4'], { cwd: dir, columns: COLUMNS, redirect: '2>err.txt' });
    expect(await term.exit()).toEqual({ code: 0, lines: ['piped.mp4'] });
    const err = readFileSync(join(dir, 'err.txt'), 'utf8');
    expect(err).not.toMatch(/\d+\/\d+ frames|\r|\x1b/);
    expect(err).toMatch(/^faceblur: 1 done, 0 failed/m);
  });
});
