import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGlob, splitGlob } from '../../src/io/glob.js';
import { expandInputs } from '../../src/io/inputs.js';
import { defaultOutputPath, isEarlierOutput, isOwnOutput, originalStems, outputPathFor, tempPathFor, unusedOutputPath } from '../../src/io/outputs.js';
import type { z } from 'zod';
import { mistypedCommand, editDistance } from '../../src/io/typo.js';
import { describeIssue, expectedValue, flagOf, ineffectiveOptions } from '../../src/option-messages.js';
import { BLUR_CELLS_PER_FACE } from '../../src/anonymize/anonymize.js';
import { camOptionSpecs, camOptionsSchema, defaultText, fileOptionSpecs, fileOptionsSchema, trackOptionSpecs, trackOptionsSchema, type OptionSpec } from '../../src/options.js';
import { thresholdOf } from '../../src/pipeline/setup.js';
import { tempDir } from '../helpers.js';

describe('options', () => {
  it('fills defaults from the schema', () => {
    const o = fileOptionsSchema.parse({});
    // The threshold and margin defaults depend on --thorough, so the schema leaves them unset.
    expect(o.thresh).toBeUndefined();
    expect(o.detector).toEqual(['yunet']);
    expect(fileOptionsSchema.parse({ detector: 'yunet,yunet-n' }).detector).toEqual(['yunet', 'yunet-n']);
    expect(fileOptionsSchema.safeParse({ detector: 'yunet,foo' }).success).toBe(false);
    expect(o.maskScale).toBe(1.3);
    expect(o.replacewith).toBe('blur');
    expect(o.color).toEqual({ r: 0, g: 0, b: 0 });
    expect(o.audio).toBe(true);
    expect(o.crf).toBe(18);
    expect(o.preset).toBe('medium');
  });
  it('parses --scale in its three forms', () => {
    expect(fileOptionsSchema.parse({ scale: '640x360' }).scale).toEqual({ width: 640, height: 360 });
    expect(fileOptionsSchema.parse({ scale: '640x' }).scale).toEqual({ width: 640, height: undefined });
    expect(fileOptionsSchema.parse({ scale: 'x360' }).scale).toEqual({ width: undefined, height: 360 });
  });
  it('speaks faceblur\'s words for every bad value of every option, never zod\'s', () => {
    const message = (schema: z.ZodType, specs: Record<string, OptionSpec>, key: string, value: string) => {
      const r = schema.safeParse({ [key]: value });
      return r.success ? undefined : describeIssue(r.error, specs, { [key]: value });
    };
    expect(message(fileOptionsSchema, fileOptionSpecs, 'thresh', 'abc')).toBe('--thresh must be a number between 0 and 1 (got "abc")');
    expect(message(fileOptionsSchema, fileOptionSpecs, 'detectEvery', '0')).toBe('--detect-every must be a whole number between 1 and 30 (got "0")');
    // Found in a new-user trial: JavaScript's Number read `--thresh ""` as 0 (17273 "faces" masked) and "0x1" as 1.
    for (const v of ['', ' ', '0x1', '0b1', '1,5']) expect(message(fileOptionsSchema, fileOptionSpecs, 'thresh', v)).toBe(`--thresh must be a number between 0 and 1 (got ${JSON.stringify(v)})`);
    expect(message(fileOptionsSchema, fileOptionSpecs, 'crf', '')).toBe('--crf must be a whole number between 0 and 63 (got "")');
    expect(['0.4', ' .4 ', '4e-1', '+0.4'].map((v) => fileOptionsSchema.parse({ thresh: v }).thresh)).toEqual([0.4, 0.4, 0.4, 0.4]);
    expect(message(fileOptionsSchema, fileOptionSpecs, 'replacewith', 'smudge')).toBe('--replacewith must be one of blur, pixelate, solid, none (got "smudge")');
    expect(message(fileOptionsSchema, fileOptionSpecs, 'color', 'blue')).toMatch(/^--color must be a hex RGB colour/);
    expect(message(camOptionsSchema, camOptionSpecs, 'size', '0x3')).toBe('--size must be WxH with positive sizes, such as 640x480 (got "0x3")');
    // Every option that rejects any of these values says so in one line naming the flag, what it
    // takes and what it got; an option added later with zod's wording fails here.
    const bad = ['abc', '-1', '1.5', '99999', '0x0', 'a;b', ''];
    const validated = new Set<string>();
    for (const [schema, specs] of [[fileOptionsSchema, fileOptionSpecs], [camOptionsSchema, camOptionSpecs]] as const) {
      for (const [key, spec] of Object.entries(specs) as [string, OptionSpec][]) {
        if (!spec.flags.includes('<')) continue; // a switch takes no value
        for (const value of bad) {
          const m = message(schema, specs, key, value);
          if (m === undefined) continue;
          validated.add(key);
          expect(m).toBe(`${flagOf(spec)} must be ${expectedValue(key, spec)} (got ${JSON.stringify(value)})`);
          expect(m).not.toMatch(/Invalid|received|expected|NaN|a valid value/);
        }
      }
    }
    expect([...validated].sort()).toEqual(
      ['codec', 'color', 'crf', 'detectEvery', 'detector', 'fps', 'hold', 'jobs', 'lookahead', 'maskMargin', 'maskScale', 'mosaicSize', 'port', 'preset', 'region', 'renderSegment', 'replacewith', 'executionProvider', 'scale', 'size', 'smooth', 'threads', 'thresh'].sort(),
    );
  });

  it('names a missing required option of faceblur track and what it takes, not "undefined"', () => {
    const missing = (raw: Record<string, unknown>) => {
      const r = trackOptionsSchema.safeParse(raw);
      return r.success ? undefined : describeIssue(r.error, trackOptionSpecs, raw);
    };
    expect(missing({ frame: '3', box: '1,2,30,40' })).toBe('--project is required: a project file made by faceblur analyze, such as clip.faceblur.json');
    expect(missing({ project: 'p.json', box: '1,2,30,40' })).toBe('--frame is required: a whole frame number, counted from 0');
    expect(missing({ project: 'p.json', frame: '3' })).toBe('--box is required: x1,y1,x2,y2 in pixels of the frame, with x1 < x2 and y1 < y2');
    expect(missing({ project: 'p.json', frame: '-1', box: '1,2,30,40' })).toBe('--frame must be a whole frame number, counted from 0 (got "-1")');
  });

  it('help texts avoid internal jargon, and cam lists only what applies to it, with its own defaults', () => {
    for (const spec of [...Object.values(fileOptionSpecs), ...Object.values(camOptionSpecs)] as OptionSpec[]) {
      expect(`${spec.help} ${defaultText(spec) ?? ''}`, spec.flags).not.toMatch(/\bpass(es)?\b|ensemble|halves|noisy-or/i);
    }
    const cam = Object.keys(camOptionSpecs);
    for (const fileOnly of ['lookahead', 'recursive', 'report', 'jobs', 'skipExisting', 'preview', 'audio', 'keepMetadata', 'ffmpegArgs']) expect(cam).not.toContain(fileOnly);
    expect(defaultText(camOptionSpecs.thresh)).toBe('0.3; 0.6 with --thorough');
    expect(defaultText(fileOptionSpecs.thresh)).not.toBe(defaultText(camOptionSpecs.thresh));
    // Pixelate keeps as many values per face as the blur: a 4x4 grid.
    expect(fileOptionsSchema.parse({}).mosaicSize).toBe(BLUR_CELLS_PER_FACE);
  });

  it('warns of each option given that the others make do nothing, and of none left at its default', () => {
    const given = (...keys: string[]) => new Set(keys);
    expect(ineffectiveOptions(given('color', 'mosaicSize'), { replacewith: 'blur', tracking: true })).toEqual([
      '--color has no effect with --replacewith blur; it colours --replacewith solid',
      '--mosaic-size has no effect with --replacewith blur; it sizes --replacewith pixelate',
    ]);
    expect(ineffectiveOptions(given('color'), { replacewith: 'solid', tracking: true })).toEqual([]);
    expect(ineffectiveOptions(given('mosaicSize'), { replacewith: 'pixelate', tracking: true })).toEqual([]);
    expect(ineffectiveOptions(given('hold', 'smooth', 'lookahead'), { replacewith: 'blur', tracking: false })).toEqual([
      '--hold has no effect with --no-tracking',
      '--lookahead has no effect with --no-tracking',
      '--smooth has no effect with --no-tracking',
    ]);
    // The schema's defaults (color 000000, hold 0.5, ...) are not the user's: nothing given, nothing said.
    expect(ineffectiveOptions(given(), { replacewith: 'pixelate', tracking: false })).toEqual([]);
  });

  it('suggests the command for a mistyped one, and leaves file names alone', () => {
    expect(editDistance('cma', 'cam')).toBe(1);
    const commands = ['cam', 'analyze', 'review', 'track', 'models', 'serve', 'worker'];
    expect(mistypedCommand('cma', commands)).toBe("no such file or folder 'cma'; did you mean 'faceblur cam'?");
    expect(mistypedCommand('modles', commands)).toMatch(/faceblur models/);
    // A new-user trial: `faceblur anaylze clip.mp4` anonymized clip.mp4, then failed on "anaylze".
    expect(mistypedCommand('anaylze', commands)).toMatch(/did you mean 'faceblur analyze'/);
    expect(mistypedCommand('reveiw', commands)).toMatch(/faceblur review/);
    expect(mistypedCommand('cma.mp4', commands)).toBeUndefined();
    expect(mistypedCommand('footage', commands)).toBeUndefined();
  });
});

describe('inputs and outputs', () => {
  it('names outputs beside the input and recognises its own files', () => {
    expect(defaultOutputPath('a/b/holiday.mp4')).toBe('a/b/holiday_anonymized.mp4');
    expect(isOwnOutput('x/holiday_anonymized.mp4')).toBe(true);
    expect(isOwnOutput(tempPathFor('x/holiday.mp4'))).toBe(true);
    expect(isOwnOutput('x/holiday.mp4')).toBe(false);
    expect(tempPathFor('x/y.mp4')).toMatch(/^x\/\.y\.faceblur-partial-[0-9a-f]{8}\.mp4$/);
    expect(outputPathFor('a/b.jpg', undefined, 'out/')).toBe('out/b.jpg');
    expect(outputPathFor('d/sub/b.jpg', 'sub/b.jpg', 'out/')).toBe('out/sub/b.jpg');
    expect(outputPathFor('a/b.jpg', undefined, 'c.png')).toBe('c.png');
    // --replacewith none: a name faceblur chooses says that nothing was hidden.
    expect(outputPathFor('a/b.jpg', undefined, undefined, true)).toBe('a/b_not_anonymized.jpg');
    expect(outputPathFor('d/sub/b.jpg', 'sub/b.jpg', 'out/', true)).toBe('out/sub/b_not_anonymized.jpg');
    expect(outputPathFor('a/b.jpg', undefined, 'c.png', true)).toBe('c.png');
    expect(isOwnOutput('a/b_not_anonymized.jpg')).toBe(true);
  });

  it('finds the next free output name, numbered before the suffix so that it is still known as an output', () => {
    const dir = tempDir();
    const taken = (...names: string[]) => names.forEach((n) => writeFileSync(join(dir, n), 'x'));
    expect(unusedOutputPath(join(dir, 'clip_anonymized.mp4'))).toBe(join(dir, 'clip_anonymized.mp4'));
    taken('clip_anonymized.mp4', 'clip-2_anonymized.mp4', 'b_not_anonymized.jpg', 'mine.mkv');
    expect(unusedOutputPath(join(dir, 'clip_anonymized.mp4'))).toBe(join(dir, 'clip-3_anonymized.mp4'));
    expect(isOwnOutput(unusedOutputPath(join(dir, 'clip_anonymized.mp4')))).toBe(true);
    expect(unusedOutputPath(join(dir, 'b_not_anonymized.jpg'))).toBe(join(dir, 'b-2_not_anonymized.jpg'));
    // A name the user chose with -o has no suffix: the number goes at its end.
    expect(unusedOutputPath(join(dir, 'mine.mkv'))).toBe(join(dir, 'mine-2.mkv'));
  });

  it('leaves out earlier outputs only when their original is beside them', () => {
    const dir = tempDir();
    // A trial's interview_anonymized.jpg (22 faces, not faceblur's) was skipped without a word.
    for (const f of ['clip.mp4', 'clip_anonymized.mp4', 'clip-2_anonymized.mp4', 'photo.jpg', 'photo_not_anonymized.jpg', 'interview_anonymized.jpg', tempPathFor('x.mp4').split('/').pop()!]) {
      writeFileSync(join(dir, f), 'x');
    }
    expect(expandInputs([dir], false).files.map((f) => f.relativeTo)).toEqual(['clip.mp4', 'interview_anonymized.jpg', 'photo.jpg']);
    expect(expandInputs([join(dir, '*_anonymized.*')], false).files.map((f) => f.relativeTo)).toEqual(['interview_anonymized.jpg']);
    expect(isEarlierOutput('a/clip_anonymized.mov', originalStems(['clip.mp4', 'clip_anonymized.mov']))).toBe(true);
    expect(isEarlierOutput('a/clip_anonymized.mov', originalStems(['clip_anonymized.mov']))).toBe(false);
    // Only a photo or video is an original: a trial's interview.txt, or a folder talk.jpg, hid the outputs-named photos.
    const other = tempDir();
    writeFileSync(join(other, 'interview_anonymized.jpg'), 'x');
    writeFileSync(join(other, 'interview.txt'), 'x');
    writeFileSync(join(other, 'talk_anonymized.jpg'), 'x');
    mkdirSync(join(other, 'talk.jpg'));
    expect(expandInputs([other], false).files.map((f) => f.relativeTo)).toEqual(['interview_anonymized.jpg', 'talk_anonymized.jpg']);
    expect(expandInputs([join(other, '*.jpg')], false).files.map((f) => f.relativeTo)).toEqual(['interview_anonymized.jpg', 'talk_anonymized.jpg']);
  });

  it('leaves out the run\'s own output folder when it lies inside an input folder', () => {
    // A trial's resumed run into footage/out/ took footage/out/'s files for inputs, into footage/out/out/.
    const dir = tempDir();
    mkdirSync(join(dir, 'out', 'day1'), { recursive: true });
    mkdirSync(join(dir, 'day1'));
    for (const f of ['a.jpg', 'day1/b.jpg', 'out/a.jpg', 'out/day1/b.jpg']) writeFileSync(join(dir, f), 'x');
    const out = `${join(dir, 'out')}/`;
    expect(expandInputs([dir], true, out).files.map((f) => f.relativeTo)).toEqual(['a.jpg', join('day1', 'b.jpg')]);
    expect(expandInputs([join(dir, '**', '*.jpg')], false, out).files.map((f) => f.relativeTo)).toEqual(['a.jpg', join('day1', 'b.jpg')]);
    // Without -o DIR/, out/ is a folder like any other.
    expect(expandInputs([dir], true).files).toHaveLength(4);
  });

  it('says which files a folder left out for having no extension, and only where it looked', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    for (const f of ['a.jpg', 'IMG_0042', 'IMG_0043', 'notes.txt', 'sub/IMG_0044']) writeFileSync(join(dir, f), 'x');
    const flat = expandInputs([dir], false);
    expect(flat.files.map((f) => f.relativeTo)).toEqual(['a.jpg']);
    expect(flat.notices.map((n) => n.message)).toEqual([
      "left out 2 files without an extension, which faceblur needs to tell a photo from a video (IMG_0042, IMG_0043); name each with its format's extension, such as .jpg or .mp4",
    ]);
    expect(expandInputs([dir], true).notices.map((n) => n.message)).toEqual([
      `left out 3 files without an extension, which faceblur needs to tell a photo from a video (IMG_0042, IMG_0043, ${join('sub', 'IMG_0044')}); name each with its format's extension, such as .jpg or .mp4`,
    ]);
  });

  it('expands folders, globs and reports what matched nothing', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    for (const f of ['a.jpg', 'b.MP4', 'notes.txt', 'a_anonymized.jpg', 'sub/c.png']) writeFileSync(join(dir, f), 'x');
    mkdirSync(join(dir, 'empty'));
    const flat = expandInputs([dir], false);
    expect(flat.files.map((f) => f.relativeTo)).toEqual(['a.jpg', 'b.MP4']);
    expect(expandInputs([dir], true).files.map((f) => f.relativeTo)).toEqual(['a.jpg', 'b.MP4', 'sub/c.png']);
    expect(expandGlob(join(dir, '*.jpg'))).toEqual([join(dir, 'a.jpg'), join(dir, 'a_anonymized.jpg')]);
    expect(expandGlob(join(dir, '**', '*.{png,jpg}'))).toEqual([join(dir, 'a.jpg'), join(dir, 'a_anonymized.jpg'), join(dir, 'sub', 'c.png')]);
    // A glob's matches are mirrored below its base, as a folder's files are below it: two day folders'
    // clip.mp4 went to the same out/clip.mp4, and the second was refused as a collision.
    const globbed = expandInputs([join(dir, '**', '*.{png,jpg}')], false).files;
    expect(globbed.map((f) => f.relativeTo)).toEqual(['a.jpg', join('sub', 'c.png')]);
    expect(outputPathFor(globbed[1]!.path, globbed[1]!.relativeTo, `${join(dir, 'out')}/`)).toBe(join(dir, 'out', 'sub', 'c.png'));
    expect(splitGlob('footage/day{1,2}/*.mov')).toEqual({ base: 'footage', rest: 'day{1,2}/*.mov' });
    expect(splitGlob('*.jpg')).toEqual({ base: '.', rest: '*.jpg' });
    expect(splitGlob('/*.jpg')).toEqual({ base: '/', rest: '*.jpg' });
    // One file named twice, as a path and through a glob, is one input (a new-user trial: its second run failed).
    expect(expandInputs([join(dir, 'a.jpg'), join(dir, '*.jpg'), `${dir}/./a.jpg`], false).files.map((f) => f.path)).toEqual([join(dir, 'a.jpg')]);
    // A glob takes what a folder takes (a trial's 'n2/*' failed on readme.txt), and names without an extension.
    const loose = tempDir();
    for (const f of ['IMG_0042', 'a.jpg', 'readme.txt']) writeFileSync(join(loose, f), 'x');
    expect(expandInputs([join(loose, '*')], false).files.map((f) => f.relativeTo)).toEqual(['IMG_0042', 'a.jpg']);
    const mixed = expandInputs([join(dir, '*.jpg'), join(dir, 'missing.mp4'), join(dir, 'empty'), join(dir, '*.gif')], false);
    expect(mixed.files.map((f) => f.path)).toEqual([join(dir, 'a.jpg')]);
    expect(mixed.problems.map((p) => p.message)).toEqual([
      'no such file or folder',
      'no photos or videos in this folder',
      'no files match this pattern',
    ]);
    // Media left below a folder without --recursive is said, never skipped silently.
    expect(flat.notices).toEqual([{ input: dir, message: 'skipped 1 file in 1 subfolder (use --recursive)' }]);
    expect(expandInputs([dir], true).notices).toEqual([]);
    mkdirSync(join(dir, 'sub', 'deeper'));
    mkdirSync(join(dir, 'sub2'));
    mkdirSync(join(dir, 'only-sub'));
    mkdirSync(join(dir, 'only-sub', 'x'));
    for (const f of ['sub/deeper/d.jpg', 'sub2/e.mp4', 'only-sub/x/f.jpg']) writeFileSync(join(dir, f), 'x');
    expect(expandInputs([dir], false).notices[0]!.message).toBe('skipped 4 files in 3 subfolders (use --recursive)');
    expect(expandInputs([join(dir, 'only-sub')], false).problems[0]!.message).toBe(
      'no photos or videos in this folder; skipped 1 file in 1 subfolder (use --recursive)',
    );
  });
});

describe('thresholds by detector family', () => {
  // A trial's --detector scrfd covered 0.44 of a crowd's faces: the photo ensemble's 0.65 was tuned for YuNet's pair.
  const t = (given: Record<string, unknown>, kind: 'still' | 'motion' = 'still') => thresholdOf(fileOptionsSchema.parse(given), kind);
  it('holds the default pair and --thorough to their tuned thresholds, and named families to their own', () => {
    expect([t({}), t({ thorough: true }), t({}, 'motion'), t({ singlePass: true })]).toEqual([0.65, 0.6, 0.3, 0.3]);
    expect([t({ detector: 'scrfd' }), t({ detector: 'retinaface' }), t({ detector: 'yunet-n' })]).toEqual([0.3, 0.3, 0.4]);
    // Several fused keep the ensemble's (their agreement raises the score); video and --thresh are unchanged.
    expect([t({ detector: 'yunet,retinaface,scrfd' }), t({ detector: 'yunet,yunet-n' }), t({ detector: 'scrfd' }, 'motion'), t({ detector: 'scrfd', thresh: 0.5 })]).toEqual([0.65, 0.65, 0.3, 0.5]);
  });
});
