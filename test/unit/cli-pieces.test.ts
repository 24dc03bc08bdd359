import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGlob } from '../../src/io/glob.js';
import { expandInputs } from '../../src/io/inputs.js';
import { defaultOutputPath, isOwnOutput, outputPathFor, tempPathFor } from '../../src/io/outputs.js';
import { describeIssue, fileOptionsSchema } from '../../src/options.js';
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
  it('names the flag in its one-line errors', () => {
    const bad = (raw: object) => {
      const r = fileOptionsSchema.safeParse(raw);
      if (r.success) throw new Error('expected a failure');
      return describeIssue(r.error);
    };
    expect(bad({ thresh: '2' })).toMatch(/^--thresh: /);
    expect(bad({ replacewith: 'smudge' })).toMatch(/^--replacewith: /);
    expect(bad({ scale: 'big' })).toMatch(/^--scale: /);
    expect(bad({ color: 'nope' })).toMatch(/^--color: .*hex/);
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
    const mixed = expandInputs([join(dir, '*.jpg'), join(dir, 'missing.mp4'), join(dir, 'empty'), join(dir, '*.gif')], false);
    expect(mixed.files.map((f) => f.path)).toEqual([join(dir, 'a.jpg')]);
    expect(mixed.problems.map((p) => p.message)).toEqual([
      'no such file or folder',
      'no photos or videos in this folder (use --recursive for subfolders)',
      'no files match this pattern',
    ]);
  });
});
