import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeClip } from '../../fixtures/clips.js';
import { CLI, ffprobe, IMAGES, MODEL_DIR, ROOT, runCli, sha256, tempDir } from '../helpers.js';
import { Terminal } from '../e2e/terminal.js';
import { HAVE_CHROMIUM, launchBrowser, startReview, stopRun } from './harness.js';

// What a new user met when trying `faceblur review` (issue 15): a project that cannot be opened is an
// error before any server starts, and a Ctrl+C before the first analysis finished never claims a save.

/** faceblur's files left in a temp folder (onnxruntime leaves an empty mat-debug-PID.log and .ses of its own there). */
const tempLeft = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith('faceblur'));

describe('faceblur review: what is refused before the editor starts, and an interrupted first analysis', () => {
  it('refuses a project made for another file, a broken project and a folder, in one line each (exit 2), with no server', async () => {
    const dir = tempDir('faceblur-review-cli-');
    const photo = join(dir, 'group.jpg');
    copyFileSync(join(IMAGES, 'human_group-1.jpg'), photo);
    const clip = makeClip(dir, 'clip.mp4', { seconds: 1 });
    const made = await runCli(['analyze', clip, '-q']);
    expect(made.code, made.stderr).toBe(0);
    writeFileSync(join(dir, 'group.faceblur.json'), '{');
    mkdirSync(join(dir, 'folder'));
    const photoWithoutExtension = join(dir, 'IMG_0042');
    copyFileSync(photo, photoWithoutExtension);
    // clip.mkv shares clip.mp4's project name (a trial: phone Live Photos, IMG_0001.JPG and IMG_0001.MOV).
    const mkv = join(dir, 'clip.mkv');
    copyFileSync(makeClip(dir, 'other.mp4', { seconds: 2 }), mkv);
    const cases: [string[], RegExp][] = [
      [[photo, '--project', join(dir, 'clip.faceblur.json')], /was made for another file \(clip\.mp4, \d+ bytes\), not \S+group\.jpg \(\d+ bytes\)$/],
      [[mkv], /was made for another file \(clip\.mp4, \d+ bytes\), not \S+clip\.mkv \(\d+ bytes\); to review \S+clip\.mkv on its own, give it a project of its own: --project \S+clip\.mkv\.faceblur\.json$/],
      [[photo], /group\.faceblur\.json: not a faceblur project/],
      [[join(dir, 'folder')], /is a folder; review takes one video or photo/],
      // A phone export's name without an extension gets the main command's hint (a trial).
      [[photoWithoutExtension], /IMG_0042: its name has no extension, .* it reads as \.jpg: rename it \S+IMG_0042\.jpg$/],
    ];
    for (const [args, message] of cases) {
      const before = existsSync(join(dir, 'clip.faceblur.json')) ? sha256(join(dir, 'clip.faceblur.json')) : '';
      const r = await runCli(['review', ...args, '--no-open']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr).not.toMatch(/Review:/);
      expect(sha256(join(dir, 'clip.faceblur.json'))).toBe(before);
    }
  });

  it('ends with the reason and exit 1 when the input cannot be analyzed, holding no lock and leaving nothing', async () => {
    // A trial's review of a file that was not media served a dead page and held the lock until Ctrl+C,
    // which then said the analysis "did not finish".
    const dir = tempDir('faceblur-review-cli-');
    const bad = join(dir, 'notmedia.mp4');
    writeFileSync(bad, 'hello\n');
    const r = await runCli(['review', bad, '--no-open'], { timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot review: \S+notmedia\.mp4: not a readable media file/m);
    expect(r.stderr).not.toMatch(/did not finish/);
    expect(readdirSync(dir)).toEqual(['notmedia.mp4']);
  }, 70_000);

  it('refuses a second review of the same project while the first runs (both would save over each other\'s edits), and opens it once the first has stopped', async () => {
    const dir = tempDir('faceblur-review-cli-');
    const clip = makeClip(dir, 'clip.mp4', { seconds: 1 });
    const made = await runCli(['analyze', clip, '-q']);
    expect(made.code, made.stderr).toBe(0);
    const first = await startReview([clip]);
    try {
      const second = await runCli(['review', clip, '--no-open']);
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(/clip\.faceblur\.json is open in another faceblur review or track: let it finish or stop it first/);
      expect(second.stderr).not.toMatch(/Review:/);
      first.run.child.kill('SIGINT');
      expect((await first.run.done).code, first.run.stderr()).toBe(0);
      // Nothing of the lock is left beside the project, and the next review opens it.
      expect(readdirSync(dir).sort()).toEqual(['clip.faceblur.json', 'clip.mp4']);
      const again = await startReview([clip]);
      stopRun(again.run);
    } finally {
      stopRun(first.run);
    }
  }, 60_000);

  it('a Ctrl+C during the first analysis saves nothing, says so, exits 130 and leaves no temp file', async () => {
    const dir = tempDir('faceblur-review-cli-');
    const clip = makeClip(dir, 'long.mp4', { seconds: 8 });
    // The analysis writes the seek proxy's frames into a temp folder of the review's.
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const child = spawn(process.execPath, [CLI, 'review', clip, '--no-open'], { cwd: ROOT, env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, TMPDIR: tmp } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('Review: http://127.0.0.1:')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/SIGINT: the analysis did not finish; nothing was saved/);
    expect(stderr).not.toMatch(/saved .*faceblur\.json/);
    expect(existsSync(join(dir, 'long.faceblur.json'))).toBe(false);
    expect(tempLeft(tmp)).toEqual([]);
  });

  it('Export never replaces a file that was there before the session: it writes the next free name, and keeps to it; --force lets it replace', async () => {
    const dir = tempDir('faceblur-review-cli-');
    const clip = makeClip(dir, 'clip.mp4', { seconds: 1 });
    const kept = join(dir, 'clip_anonymized.mp4');
    writeFileSync(kept, 'an earlier export the user kept');
    type State = { phase: string; outputPath: string; job?: { id: number; kind: string; state: string; message?: string } };
    /** Runs a review, exports twice through the page's API, stops it; the state after the second export. */
    const exportTwice = async (extra: string[]): Promise<State> => {
      const child = spawn(process.execPath, [CLI, 'review', clip, '--no-open', ...extra], { cwd: ROOT, env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR } });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      const url = await new Promise<URL>((resolve) => child.stderr.on('data', (chunk: string) => ((stderr += chunk), /Review: (\S+)/.test(stderr) && resolve(new URL(/Review: (\S+)/.exec(stderr)![1]!)))));
      const state = async () => (await (await fetch(new URL(`/api/state${url.search}`, url))).json()) as State;
      const until = async (done: (s: State) => boolean): Promise<State> => {
        for (let t = 0; ; t++) {
          const s = await state();
          if (done(s)) return s;
          expect(t, stderr).toBeLessThan(1200);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      let s = await until((x) => x.phase === 'ready' && x.job?.state !== 'running');
      for (let i = 0; i < 2; i++) {
        const before = s.job?.id ?? 0;
        expect((await fetch(new URL(`/api/export${url.search}`, url), { method: 'POST' })).status).toBeLessThan(300);
        s = await until((x) => x.job?.kind === 'export' && x.job.id > before && x.job.state !== 'running');
        expect(s.job!.state, s.job!.message).toBe('done');
      }
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(0);
      return s;
    };
    const numbered = join(dir, 'clip-2_anonymized.mp4');
    const first = await exportTwice([]);
    expect(first.outputPath).toBe(numbered);
    expect(first.job!.message).toBe(`written to ${numbered}`);
    expect(readFileSync(kept, 'utf8')).toBe('an earlier export the user kept');
    expect(existsSync(join(dir, 'clip-3_anonymized.mp4'))).toBe(false);
    expect(ffprobe(numbered).streams.some((x) => x.codec_type === 'video')).toBe(true);
    const forced = await exportTwice(['--force']);
    expect(forced.outputPath).toBe(kept);
    expect(ffprobe(kept).streams.some((x) => x.codec_type === 'video')).toBe(true);
  }, 240_000);

  it('an export with no track set to redact says that nothing in it is anonymized', async () => {
    // A trial deleted the only redacted track, exported, and read "done: written to …_anonymized.mp4".
    const dir = tempDir('faceblur-review-cli-');
    const clip = makeClip(dir, 'clip.mp4', { seconds: 1 });
    const { run, url } = await startReview([clip, '--thresh', '1']);
    try {
      type State = { phase: string; job?: { kind: string; state: string; message?: string } };
      const state = async () => (await (await fetch(new URL(`/api/state${url.search}`, url))).json()) as State;
      const until = async (done: (x: State) => boolean) => {
        for (let t = 0; t < 1200; t++) {
          const x = await state();
          if (done(x)) return x;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(run.stderr());
      };
      await until((x) => x.phase === 'ready' && x.job?.state !== 'running');
      expect((await fetch(new URL(`/api/export${url.search}`, url), { method: 'POST' })).status).toBeLessThan(300);
      const done = await until((x) => x.job?.kind === 'export' && x.job.state !== 'running');
      expect(done.job!.message).toBe(`written to ${join(dir, 'clip_anonymized.mp4')}; nothing in it is anonymized: no track is set to redact, so every face stays visible`);
    } finally {
      stopRun(run);
    }
  }, 120_000);

  it('a Ctrl+C during an export saves the project, says the export stopped, and leaves no output and no temp file', async () => {
    const dir = tempDir('faceblur-review-cli-');
    const clip = makeClip(dir, 'long.mp4', { seconds: 8 });
    const made = await runCli(['analyze', clip, '-q']);
    expect(made.code, made.stderr).toBe(0);
    // The seek proxy of a project made earlier is decoded by the review, into its temp folder.
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const child = spawn(process.execPath, [CLI, 'review', clip, '--no-open'], { cwd: ROOT, env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, TMPDIR: tmp } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const url = await new Promise<URL>((resolve) =>
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /Review: (\S+)/.exec(stderr);
        if (m) resolve(new URL(m[1]!));
      }),
    );
    const api = (path: string, init?: RequestInit) => fetch(new URL(`${path}${url.search}`, url), init);
    for (let t = 0; ((await (await api('/api/state')).json()) as { phase: string }).phase !== 'ready'; t++) {
      expect(t).toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await api('/api/export', { method: 'POST' })).status).toBeLessThan(300);
    for (let t = 0; ((await (await api('/api/state')).json()) as { job?: { done: number } }).job?.done === 0; t++) {
      expect(t).toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/SIGINT: export stopped; .*long_anonymized\.mp4 was not changed/);
    expect(stderr).toMatch(/saved .*long\.faceblur\.json/);
    expect(existsSync(join(dir, 'long_anonymized.mp4'))).toBe(false);
    expect(tempLeft(tmp)).toEqual([]);
  }, 180_000);
});

/** Waits until the editor shown in the terminal has its project open (Ctrl+C then saves, exit 0). */
async function ready(term: Terminal): Promise<void> {
  const [line] = await term.waitFor((lines) => lines.some((l) => l.startsWith('Review: ')));
  const url = new URL(line!.slice('Review: '.length));
  const end = Date.now() + 100_000;
  for (;;) {
    const state = (await (await fetch(new URL(`/api/state${url.search}`, url))).json()) as { phase: string };
    if (state.phase === 'ready') return;
    if (Date.now() > end) throw new Error(`the editor is still ${state.phase}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('faceblur review in a terminal', () => {
  let term: Terminal | undefined;
  afterEach(() => term?.close());

  it('shows the first analysis\'s progress bar as analyze does, and none with --quiet', async () => {
    const dir = tempDir('faceblur-review-term-');
    makeClip(dir, 'clip.mp4', { seconds: 2 });
    // The analysis fills the seek proxy in the review's temp folder, which goes when the review ends.
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    term = new Terminal(['review', 'clip.mp4', '--no-open'], { cwd: dir, columns: 200, env: { TMPDIR: tmp } });
    const bar = /^analyzing clip\.mp4 \[[#-]+\] (\d+)\/(\d+) frames/;
    await term.waitFor((lines) => lines.some((l) => bar.exec(l)?.[1] === bar.exec(l)?.[2]));
    await ready(term);
    term.interrupt();
    const { code, lines } = await term.exit();
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^Review: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(lines.filter((l) => bar.test(l))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^saved .*clip\.faceblur\.json$/);
    expect(tempLeft(tmp)).toEqual([]);
    term.close();

    term = new Terminal(['review', 'clip.mp4', '--no-open', '--quiet', '--project', 'quiet.faceblur.json'], { cwd: dir, columns: 200 });
    await ready(term);
    term.interrupt();
    // Nothing follows the typed ^C, so the shell's EXIT line shares its line.
    const quiet = await term.waitFor((lines) => lines.some((l) => /EXIT=\d+$/.test(l)));
    expect(quiet).toHaveLength(2);
    expect(quiet[0]).toMatch(/^Review: /);
    expect(quiet[1]).toMatch(/^(\^C)?EXIT=0$/);
  }, 240_000);
});

describe.runIf(HAVE_CHROMIUM)('faceblur review: the page while the first analysis runs', () => {
  it.each(['the job bar', 'Esc'])('cancels the analysis from %s: the analysis stops, and the page says so', async (how) => {
    const dir = tempDir('faceblur-review-cancel-');
    const clip = makeClip(dir, 'long.mp4', { seconds: 8 });
    const browser = await launchBrowser();
    const { run, url } = await startReview([clip]);
    try {
      const page = await browser.newPage();
      await page.goto(url.href);
      const cancel = page.locator('.job button', { hasText: 'cancel' });
      await cancel.waitFor({ state: 'visible', timeout: 30_000 });
      if (how === 'Esc') await page.keyboard.press('Escape');
      else await cancel.click();
      await page.getByText('analyze cancelled').first().waitFor({ timeout: 15_000 });
      const state = (await page.evaluate(async () => (await fetch(`api/state${location.search}`)).json())) as { job?: { kind: string; state: string } };
      expect(state.job).toMatchObject({ kind: 'analyze', state: 'cancelled' });
      expect(existsSync(join(dir, 'long.faceblur.json'))).toBe(false);
    } finally {
      stopRun(run);
      await browser.close();
    }
  });
});
