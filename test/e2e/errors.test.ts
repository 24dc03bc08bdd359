import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, IMAGES, MODEL_DIR, ROOT, runCli, sha256, tempDir } from '../helpers.js';
import { makeClip } from '../../fixtures/clips.js';
import { fixtureCopy } from '../../fixtures/files.js';

const lines = (s: string) => s.trim().split('\n').filter(Boolean);

describe('bad input and usage errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    fixtureCopy('not-media/random.mp4', dir);
    fixtureCopy('not-media/text.jpg', dir);
    fixtureCopy('not-media/zero.mp4', dir, 'empty.mp4');
    copyFileSync(join(IMAGES, 'deface_city.jpg'), join(dir, 'good.jpg'));
  });

  it('exits 2 with one line for invalid options, before touching any file', async () => {
    for (const args of [['--thresh', '7'], ['--replacewith', 'smudge'], ['--scale', 'huge'], ['--color', 'blue'], ['--bogus'], ['--fast', '--thorough']]) {
      const r = await runCli([join(dir, 'good.jpg'), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^faceblur: (--|unknown option)/);
      expect(lines(r.stderr), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(dir).some((n) => n.includes('anonymized'))).toBe(false);
  });

  it('exits 2 for -o FILE with several inputs, and with usage when no input is given', async () => {
    const r = await runCli([join(dir, 'good.jpg'), join(dir, 'text.jpg'), '-o', join(dir, 'x.jpg')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    // The error comes first, then a short usage, not the whole option list.
    expect(lines(none.stderr)[0]).toBe('faceblur: no input files given');
    expect(lines(none.stderr)[1]).toMatch(/^usage: faceblur \[options\]/);
    expect(lines(none.stderr).length).toBeLessThan(8);
    const typo = await runCli(['cma']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("faceblur: no such file or folder 'cma'; did you mean 'faceblur cam'?\n");
    // `faceblur help` was read as a file name ("help: no such file or folder"); now it is --help.
    const help = await runCli(['help']);
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^Usage: faceblur \[options\] \[command\] \[inputs\.\.\.\]/);
    expect(help.stdout).toContain('--replacewith');
    const helpAnalyze = await runCli(['help', 'analyze']);
    expect(helpAnalyze.code).toBe(0);
    expect(helpAnalyze.stdout).toMatch(/^Usage: faceblur analyze/);
    const helpBogus = await runCli(['help', 'bogus']);
    expect(helpBogus.code).toBe(2);
    expect(lines(helpBogus.stderr)[0]).toBe("faceblur: help: no command 'bogus'");
    // Refused before any work: a new-user trial's `faceblur anaylze FILE` anonymized FILE first.
    const sub = tempDir();
    copyFileSync(join(dir, 'good.jpg'), join(sub, 'good.jpg'));
    const analyze = await runCli(['anaylze', join(sub, 'good.jpg')]);
    expect(analyze.code).toBe(2);
    expect(analyze.stderr).toBe("faceblur: no such file or folder 'anaylze'; did you mean 'faceblur analyze'?\n");
    expect(readdirSync(sub)).toEqual(['good.jpg']);
    // Commander's own errors in one line too (a new-user trial read three: the error, "(Did you mean …)", the hint).
    const option = await runCli([join(dir, 'good.jpg'), '--replacewtih', 'blur']);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("faceblur: unknown option '--replacewtih' (did you mean --replacewith?); run faceblur --help for usage\n");
    // Commander's sentence ends with a full stop, which read ".;" before the hint (a trial).
    const extra = await runCli(['track', 'a.mp4', 'b.mkv']);
    expect([extra.code, extra.stderr]).toEqual([2, "faceblur: too many arguments for 'track'. Expected 1 argument but got 2; run faceblur track --help for usage\n"]);
    const missing = await runCli(['analyze', join(dir, 'good.jpg'), '--thresh']);
    expect(missing.stderr).toBe("faceblur: option '--thresh <score>' argument missing; run faceblur analyze --help for usage\n");
    const thresh = await runCli([join(dir, 'good.jpg'), '--thresh', 'abc']);
    expect(thresh.stderr).toBe('faceblur: --thresh must be a number between 0 and 1 (got "abc")\n');
  });

  it('refuses an output whose format cannot hold the input before any work, saying what is supported', async () => {
    const demo = join(ROOT, 'fixtures', 'demo', 'asl-book.mp4');
    const out = tempDir();
    const cases: [string, RegExp][] = [
      ['out', /^faceblur: -o \S+out has no extension, which faceblur needs to choose the format: use one of \.mp4, .*\.mkv/],
      ['x.png', /^faceblur: -o \S+x\.png: a video cannot be written as a photo \(\.png\); use one of \.mp4, /],
      ['x.docx', /^faceblur: -o \S+x\.docx: \.docx is not a format faceblur writes; use one of \.mp4, /],
    ];
    for (const [name, message] of cases) {
      // A model that is not installed would fail setup if it got that far: the format check comes first.
      const r = await runCli([demo, '-o', join(out, name), '--detector', 'centerface'], {
        env: { FACEBLUR_MODEL_DIR: join(out, 'none'), XDG_CACHE_HOME: join(out, 'none') },
      });
      expect(r.code, name).toBe(2);
      expect(lines(r.stderr), name).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(out)).toEqual([]);
    // A photo may still become a (one-frame) video or another photo format.
    const photo = await runCli([join(dir, 'good.jpg'), '-o', join(out, 'good.png')]);
    expect(photo.code).toBe(0);
  });

  it('refuses an encoder ffmpeg does not have before any work, not at every file of the batch', async () => {
    const demo = join(ROOT, 'fixtures', 'demo', 'asl-book.mp4');
    const out = tempDir();
    // A second trial's batch with --codec libx265x detected through each file and failed it at its encoder.
    const r = await runCli([demo, demo, '-o', `${out}/`, '--codec', 'libx265x', '--detector', 'centerface'], {
      env: { FACEBLUR_MODEL_DIR: join(out, 'none'), XDG_CACHE_HOME: join(out, 'none') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faceblur: --codec libx265x: this ffmpeg has no such encoder \('\S*ffmpeg -encoders' lists those it has\)\n$/);
    expect(readdirSync(out)).toEqual([]);
    // An audio encoder is no video encoder (a trial's --codec aac failed at the encoder), and review checks it too.
    const audio = await runCli([demo, '-o', `${out}/`, '--codec', 'aac']);
    expect([audio.code, audio.stderr]).toEqual([2, 'faceblur: --codec aac: is an audio encoder; give a video one, such as libx264 or libx265\n']);
    const review = await runCli(['review', demo, '--codec', 'bogus', '--no-open', '--project', join(out, 'p.faceblur.json')]);
    expect(review.code).toBe(2);
    expect(review.stderr).toMatch(/^faceblur: --codec bogus: this ffmpeg has no such encoder/);
    expect(readdirSync(out)).toEqual([]);
    // An encoder the container cannot hold fails with the muxer's reason, not ffmpeg's "Error initializing output stream 0:0 --".
    const webm = await runCli([demo, '-o', join(out, 'x.webm'), '--codec', 'libx264']);
    expect(webm.code).toBe(1);
    expect(webm.stderr).toMatch(/encoding failed: Only VP8 .* supported for WebM/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('warns of an option the others make do nothing, even with --quiet, and still does the run', async () => {
    const out = join(tempDir(), 'street.jpg');
    // A trial's --color ff00ff with the default blur did nothing, and nothing said so.
    const r = await runCli([join(dir, 'good.jpg'), '-o', out, '--color', 'ff00ff', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('faceblur: warning: --color has no effect with --replacewith blur; it colours --replacewith solid\n');
    expect(r.stdout).toBe(`${out}\n`);
  });

  it('an existing --report is kept unless --force, and a report over many files writes no listener warning', async () => {
    const folder = tempDir();
    const report = join(folder, 'audit.json');
    writeFileSync(report, '{"mine":1}');
    // A trial's earlier audit report was replaced without a word (exit 0).
    const kept = await runCli([join(dir, 'good.jpg'), '-o', join(folder, 'a.jpg'), '--report', report]);
    expect([kept.code, kept.stderr]).toEqual([2, `faceblur: --report ${report}: already exists (use --force to overwrite, or name another file)\n`]);
    expect(readFileSync(report, 'utf8')).toBe('{"mine":1}');
    expect(readdirSync(folder)).toEqual(['audit.json']);
    const resumed = await runCli([join(dir, 'good.jpg'), '-o', join(folder, 'a.jpg'), '--report', report, '--skip-existing']);
    expect(resumed.stderr).toBe(`faceblur: --report ${report}: already exists (name another file for this run's report)\n`);
    // Eleven files: each appended its part through stream.pipeline, whose listeners piled up on the
    // report until Node warned "MaxListenersExceededWarning" on stderr, even with --quiet.
    const many = join(folder, 'many');
    mkdirSync(many);
    for (let i = 0; i < 11; i++) copyFileSync(join(dir, 'good.jpg'), join(many, `p${i}.jpg`));
    const r = await runCli([many, '-o', join(folder, 'out') + '/', '--report', report, '--force', '--quiet', '--single-pass']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const written = JSON.parse(readFileSync(report, 'utf8')) as { files: unknown[] };
    expect(written.files).toHaveLength(11);
  });

  it('what a new-user trial of the options tripped on: --report over an input or an output, and a reader that closes stdout early', async () => {
    const folder = tempDir();
    const photo = join(folder, 'p.jpg');
    copyFileSync(join(dir, 'good.jpg'), photo);
    const before = sha256(photo);
    // Found: `p.jpg --report p.jpg` exited 0 with the photo replaced by the JSON report.
    for (const [report, what] of [[photo, 'is an input of this run, which is never overwritten'], [join(folder, 'p_anonymized.jpg'), 'is where an output of this run goes']] as const) {
      const r = await runCli([photo, '--report', report]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`faceblur: --report ${report}: ${what}; name another file, such as report.json\n`);
    }
    // Found: `--report ""` wrote no report and said nothing.
    const unnamed = await runCli([photo, '--report', '']);
    expect([unnamed.code, unnamed.stderr]).toEqual([2, 'faceblur: --report needs a file name, such as report.json\n']);
    expect(sha256(photo)).toBe(before);
    expect(readdirSync(folder)).toEqual(['p.jpg']);

    // Found: `faceblur a.jpg b.jpg -o out/ | true` crashed with an EPIPE stack trace after the first file.
    copyFileSync(photo, join(folder, 'q.jpg'));
    const child = spawn(process.execPath, [CLI, photo, join(folder, 'q.jpg'), '-o', join(folder, 'out') + '/'], { env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|    at /);
    expect(readdirSync(join(folder, 'out')).sort()).toEqual(['p.jpg', 'q.jpg']);

    // Found: SCRFD's weights through --model ran without its non-commercial terms ever shown.
    const scrfd = await runCli([photo, '-o', join(folder, 'scrfd.jpg'), '--detector', 'scrfd', '--model', join(MODEL_DIR, 'scrfd_1g_dynamic.onnx')]);
    expect(scrfd.code, scrfd.stderr).toBe(0);
    expect(scrfd.stderr).toMatch(/^faceblur: warning: scrfd through --model: InsightFace trained these weights; .*non-commercial research/m);
  });

  it('is honest about what it did not do: --replacewith none, and media left in subfolders', async () => {
    const folder = join(tempDir(), 'photos');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'a.jpg'));
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'sub', 'b.jpg'));
    const r = await runCli([folder, '--replacewith', 'none', '--quiet']);
    expect(r.code).toBe(0);
    // Not "N faces anonymized" under the warning that nothing is (a new-user trial).
    const said = await runCli([join(folder, 'a.jpg'), '--replacewith', 'none', '-o', join(tempDir(), 'a.jpg')]);
    expect(said.stderr).toMatch(/faces? found \(none anonymized: --replacewith none\)/);
    expect(said.stderr).not.toMatch(/ anonymized[,;\n]/);
    // Both warnings survive --quiet; the untouched copy's name says what it is.
    expect(r.stderr).toContain(`warning: ${folder}: skipped 1 file in 1 subfolder (use --recursive)`);
    expect(r.stderr).toContain('warning: --replacewith none anonymizes nothing: every face stays visible in the output, named <name>_not_anonymized.<ext>');
    expect(r.stderr.split('anonymizes nothing').length - 1, 'said once').toBe(1);
    expect(r.stdout.trim()).toBe(join(folder, 'a_not_anonymized.jpg'));
    expect(readdirSync(folder).sort()).toEqual(['a.jpg', 'a_not_anonymized.jpg', 'sub']);
  });

  it('what a new-user trial of the main job tripped on: a huge --scale, a name that starts with -, an output path under a file or onto a folder', async () => {
    // --scale 20000x took 20 GB before the kernel killed it, leaving a temp file.
    const scale = await runCli([join(dir, 'good.jpg'), '--scale', '20000x']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toBe('faceblur: --scale must be WxH, Wx or xH with positive sizes of at most 4096 pixels, such as 640x360 or 640x (got "20000x")\n');
    // ffprobe took "-dash name.mp4" for an option ("Missing argument for option 'dash name.mp4'").
    const sub = tempDir();
    copyFileSync(join(ROOT, 'fixtures', 'demo', 'asl-book.mp4'), join(sub, '-dash name.mp4'));
    const dash = await runCli(['-q', '-o', join(sub, 'out.mp4'), '--', '-dash name.mp4'], { cwd: sub });
    expect(dash.code, dash.stderr).toBe(0);
    expect(readdirSync(sub).sort()).toEqual(['-dash name.mp4', 'out.mp4']);
    // A parent that is a file: said in words, not as the temp file's raw ENOTDIR.
    writeFileSync(join(sub, 'FILE'), 'x');
    const under = await runCli([join(dir, 'good.jpg'), '-o', join(sub, 'FILE', 'y.jpg')]);
    expect(under.code).toBe(1);
    expect(under.stderr).toMatch(/good\.jpg: cannot write to .*FILE: a parent of the output path is a file/);
    expect(under.stderr).not.toMatch(/ENOTDIR|partial/);
    // An output name that is a folder: refused before the work, not by the final rename (EISDIR).
    mkdirSync(join(sub, 'into', 'good.jpg'), { recursive: true });
    const onto = await runCli([join(dir, 'good.jpg'), '-o', join(sub, 'into') + '/', '--force']);
    expect(onto.code).toBe(1);
    expect(onto.stderr).toMatch(/good\.jpg is a folder; choose another -o/);
    expect(onto.stderr).not.toMatch(/EISDIR|partial/);
    expect(readdirSync(join(sub, 'into'))).toEqual(['good.jpg']);
  });

  it('names the photos it cannot read (HEIC, BMP, a JPEG named .jfif) instead of leaving them out silently, and refuses a picture of many frames', async () => {
    // A trial's folder of iPhone photos came out with only its JPEG, and a named .heic was called a video "cut short".
    const folder = join(tempDir(), 'phone');
    mkdirSync(folder);
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'a.jpg'));
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'b.jfif'));
    for (const n of ['IMG_1.HEIC', 'IMG_2.heic', 'scan.bmp']) writeFileSync(join(folder, n), Buffer.from('ftypheic'.padEnd(64, '\0')));
    const r = await runCli([folder, '-o', join(tempDir(), 'out') + '/', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([
      `warning: ${folder}: left out 1 photo (b.jfif): a JPEG named .jfif, an extension faceblur does not go by: rename it .jpg; left out 2 photos (IMG_1.HEIC, IMG_2.heic): HEIC photos are not a format faceblur reads: convert them to JPEG or PNG first (heif-convert, or export them from the phone or the Photos app as JPEG); left out 1 photo (scan.bmp): BMP photos are not a format faceblur reads: convert them to JPEG or PNG first`,
    ]);
    const named = await runCli([join(folder, 'IMG_1.HEIC'), '--quiet']);
    expect(named.code).toBe(1);
    expect(lines(named.stderr)).toEqual([`error: ${join(folder, 'IMG_1.HEIC')}: HEIC photos are not a format faceblur reads: convert them to JPEG or PNG first (heif-convert, or export them from the phone or the Photos app as JPEG)`]);
    // A glob that names them says so too, not "no files match".
    const globbed = await runCli([join(folder, '*.heic'), '--quiet']);
    expect(lines(globbed.stderr)[0]).toMatch(/IMG_2\.heic: HEIC photos are not a format faceblur reads/);
    // An animated WebP came out as its first frame alone, the rest lost without a word.
    const anim = join(folder, 'anim.webp');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5:duration=1', '-c:v', 'libwebp_anim', '-loop', '0', anim]);
    const a = await runCli([anim, '--quiet']);
    expect(a.code).toBe(1);
    expect(lines(a.stderr)).toEqual([`error: ${anim}: it holds 5 pictures (an animation, or pages), and faceblur would anonymize only the first: convert an animation to a video (MP4) or a GIF, or pages to one photo each, first`]);
    expect(existsSync(join(folder, 'anim_anonymized.webp'))).toBe(false);
    // Video options on photos only do nothing, and say so.
    const fast = await runCli([join(folder, 'a.jpg'), '-o', join(tempDir(), 'a.jpg'), '--fast', '--codec', 'libx265', '--quiet']);
    expect(fast.code).toBe(0);
    expect(lines(fast.stderr)).toEqual(['warning: --fast has no effect on photos; it speeds up videos', 'warning: --codec has no effect on photos, which keep their format; it encodes videos']);
  });

  it('refuses a named file without a photo or video extension in one line that says what it reads as', async () => {
    // A trial's IMG_0042 (a JPEG) failed as a video: "frame size changed mid-stream"; IMG_0043: "Invalid argument".
    const folder = tempDir();
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'IMG_0042'));
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'photo.jpg_large'));
    writeFileSync(join(folder, 'notes'), 'not media');
    const r = await runCli([join(folder, 'IMG_0042'), join(folder, 'photo.jpg_large'), join(folder, 'notes'), join(dir, 'good.jpg'), '-o', join(folder, 'out') + '/']);
    expect(r.code).toBe(1);
    const said = (name: string) => lines(r.stderr).filter((l) => l.includes(name));
    expect(said('IMG_0042')).toEqual([
      `error: ${join(folder, 'IMG_0042')}: its name has no extension, which faceblur goes by to tell a photo from a video and to name the output; it reads as .jpg: rename it ${join(folder, 'IMG_0042.jpg')}`,
    ]);
    expect(said('photo.jpg_large')[0]).toMatch(/its extension \(\.jpg_large\) is not a photo or video one, .* it reads as \.jpg: rename it \S+photo\.jpg$/);
    expect(said('notes')).toHaveLength(1);
    // The name offered is free: a trial's photo.jpg_large was told "rename it photo.jpg" beside a photo.jpg.
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'taken.jpg'));
    copyFileSync(join(dir, 'good.jpg'), join(folder, 'taken.jpg_large'));
    const taken = await runCli([join(folder, 'taken.jpg_large')]);
    expect(taken.stderr).toContain(`it reads as .jpg: rename it, for example to ${join(folder, 'taken-2.jpg')} (${join(folder, 'taken.jpg')} is taken)`);
    // The good file of the batch is still done.
    expect(readdirSync(join(folder, 'out'))).toEqual(['good.jpg']);
  });

  it('processes the good files of a batch, names each bad one in one line, and exits 1', async () => {
    const before = ['random.mp4', 'text.jpg', 'empty.mp4', 'good.jpg'].map((f) => sha256(join(dir, f)));
    const r = await runCli(
      [join(dir, 'random.mp4'), join(dir, 'missing.mov'), join(dir, 'text.jpg'), join(dir, 'empty.mp4'), join(dir, 'good.jpg')],
      { env: { NO_COLOR: '1' } },
    );
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(join(dir, 'good_anonymized.jpg'));
    const errs = lines(r.stderr).filter((l) => l.startsWith('error:'));
    expect(errs).toHaveLength(4);
    expect(errs.join('\n')).toMatch(/random\.mp4: not a readable media file/);
    expect(errs.join('\n')).toMatch(/missing\.mov: no such file or folder/);
    expect(errs.join('\n')).toMatch(/text\.jpg: not a readable image/);
    expect(errs.join('\n')).toMatch(/empty\.mp4: the file is empty \(0 bytes\)/);
    expect(r.stderr).toMatch(/1 done, 4 failed/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(['random.mp4', 'text.jpg', 'empty.mp4', 'good.jpg'].map((f) => sha256(join(dir, f)))).toEqual(before);
    expect(readdirSync(dir).filter((n) => n.includes('partial') || /(random|text|empty)_anonymized/.test(n))).toEqual([]);
  });

  it('--skip-existing resumes a batch: finished outputs are kept, the rest is done', async () => {
    const sub = join(dir, 'resume');
    mkdirSync(sub);
    copyFileSync(join(IMAGES, 'deface_city.jpg'), join(sub, 'a.jpg'));
    copyFileSync(join(IMAGES, 'human_group-1.jpg'), join(sub, 'b.jpg'));
    expect((await runCli([join(sub, 'a.jpg'), '--quiet'])).code).toBe(0);
    const first = sha256(join(sub, 'a_anonymized.jpg'));
    const r = await runCli([sub, '--skip-existing']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join(sub, 'b_anonymized.jpg'));
    expect(r.stderr).toMatch(/1 done, 0 failed, 1 skipped/);
    expect(sha256(join(sub, 'a_anonymized.jpg'))).toBe(first);
    const both = await runCli([sub, '--skip-existing', '--force']);
    expect(both.code).toBe(2);
  });

  it('says that a bit-rotted video is damaged, and how many of its frames are missing, where ffmpeg decodes around it and exits 0', async () => {
    const sub = join(dir, 'rot');
    mkdirSync(sub);
    const bytes = Buffer.from(readFileSync(join(ROOT, 'fixtures', 'demo', 'asl-book.mp4')));
    // 40 runs of 64 random bytes in the middle three fifths (the picture data, not the index), as bit rot or a bad copy leaves them.
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 40; k++) {
      const at = Math.floor(bytes.length * (0.2 + 0.6 * rand()));
      for (let j = at; j < at + 64; j++) bytes[j] = Math.floor(256 * rand());
    }
    writeFileSync(join(sub, 'rot.mp4'), bytes);
    const r = await runCli([join(sub, 'rot.mp4'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/rot\.mp4: the input is damaged: the decoder reported \d+ errors? \(the first: .+\).*; frames there may be garbled, so check the output/);
    const declared = /(\d+) of its (\d+) frames could not be decoded/.exec(r.stderr);
    const written = Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(sub, 'rot_anonymized.mp4')], { encoding: 'utf8' }));
    // Said only when frames are missing, and then the count is right.
    if (declared) expect(written).toBe(Number(declared[2]) - Number(declared[1]));
    else expect(written).toBe(109);
    // The healthy original says nothing of the kind.
    const clean = await runCli([join(ROOT, 'fixtures', 'demo', 'asl-book.mp4'), '-o', join(sub, 'clean.mp4'), '--quiet']);
    expect(clean.code).toBe(0);
    expect(clean.stderr).toBe('');
  });

  it('reports an audio-only file as having no video stream', async () => {
    const { ffmpeg } = await import('../helpers.js');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=1', join(dir, 'tone.m4a')]);
    const r = await runCli([join(dir, 'tone.m4a'), '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tone\.m4a: has no video stream \(audio only\)/);
  });

  it('a truncated video fails, and leaves neither an output nor a temp file', async () => {
    const sub = join(dir, 'trunc');
    mkdirSync(sub);
    const clip = makeClip(sub, 'clip.mp4', { seconds: 1, extra: ['-movflags', '+faststart'] });
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(clip);
    writeFileSync(join(sub, 'cut.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    const r = await runCli([join(sub, 'cut.mp4'), '--quiet']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(readdirSync(sub).sort()).toEqual(['clip.mp4', 'cut.mp4']);
  });

  it('a model that is not installed is a setup error (exit 2) that says how to get it', async () => {
    const r = await runCli([join(dir, 'good.jpg'), '--detector', 'centerface', '--force'], {
      env: { FACEBLUR_MODEL_DIR: join(dir, 'no-models'), XDG_CACHE_HOME: join(dir, 'cache') },
    });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/centerface.*not installed.*faceblur models install centerface/);
  });

  it('a --model of another family, or of a fixed input size, is one setup error before any file, not a cryptic failure of each', async () => {
    // A trial's RetinaFace file as YuNet's --model failed all 11 photos with "YuNet output for stride 8 is missing".
    const folder = join(tempDir(), 'two');
    mkdirSync(folder);
    for (const n of ['a.jpg', 'b.jpg']) copyFileSync(join(dir, 'good.jpg'), join(folder, n));
    const retina = join(MODEL_DIR, 'retinaface_mnet025_dynamic.onnx');
    const wrong = await runCli([folder, '--model', retina, '--quiet']);
    expect(wrong.code).toBe(2);
    expect(lines(wrong.stderr)).toEqual([`faceblur: model ${retina}: it is not a yunet model: its outputs are output0, output1, output2, not yunet's cls_8, obj_8, bbox_8, kps_8, cls_16, obj_16, bbox_16, kps_16, cls_32, obj_32, bbox_32, kps_32`]);
    const fixed = join(MODEL_DIR, 'yunet_n_640_640.onnx');
    const r = await runCli([folder, '--detector', 'yunet-n', '--model', fixed, '--quiet']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([`faceblur: model ${fixed}: its input has a fixed size of 640x640; faceblur needs a model of dynamic width and height (for YuNet: yunet_s_dynamic.onnx or yunet_n_dynamic.onnx)`]);
    expect(readdirSync(folder).sort()).toEqual(['a.jpg', 'b.jpg']);
  });

  it('offline, `models install` says what to download, from where, under which name, and how to install it from there', async () => {
    // The test machines reach no network but the npm registry, so the download fails as it would offline.
    const empty = join(dir, 'no-models');
    mkdirSync(empty, { recursive: true });
    const r = await runCli(['models', 'install', 'centerface'], { env: { FACEBLUR_MODEL_DIR: empty, XDG_CACHE_HOME: join(dir, 'cache') } });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^faceblur: model centerface not installed \(could not download from github\.com \(.*\)\): download https:\/\/\S+centerface\.onnx \(sha256 [0-9a-f]{64}\) as centerface\.onnx into a folder, then run 'FACEBLUR_MODEL_DIR=that-folder npx faceblur models install centerface'\n$/);
    // A FACEBLUR_MODEL_DIR that does not exist (a typo) is said, not silently passed over.
    const typo = await runCli(['models', 'install', 'centerface'], { env: { FACEBLUR_MODEL_DIR: join(dir, 'no-such-folder'), XDG_CACHE_HOME: join(dir, 'cache') } });
    expect(lines(typo.stderr)[0]).toBe(`faceblur: warning: FACEBLUR_MODEL_DIR ${join(dir, 'no-such-folder')} does not exist; looking for the models elsewhere`);
  });

  it('--execution-provider cuda without CUDA is a clear setup error; auto falls back to the CPU', async () => {
    const cuda = await runCli([join(dir, 'good.jpg'), '-o', join(dir, 'cuda.jpg'), '--execution-provider', 'cuda']);
    expect(cuda.code).toBe(2);
    expect(cuda.stderr).toMatch(/CUDA execution provider is not available.*available providers: .*cpu/);
    const auto = await runCli([join(dir, 'good.jpg'), '-o', join(dir, 'auto.jpg'), '--execution-provider', 'auto']);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toMatch(/running the detector on the CPU/);
  });
});
