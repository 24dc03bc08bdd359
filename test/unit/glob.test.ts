import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGlob, hasGlobMagic } from '../../src/io/glob.js';
import { expandInputs } from '../../src/io/inputs.js';
import { tempDir } from '../helpers.js';

/** The patterns a shell leaves alone (quoted), as a user types them; the files they must find. */
describe('glob expansion', () => {
  const dir = tempDir('faceblur-glob-');
  const p = (...parts: string[]) => join(dir, ...parts);
  const cwd = process.cwd();

  beforeAll(() => {
    for (const d of ['sub/deeper', '.hidden', 'trip [2024]', 'folder.jpg']) mkdirSync(p(d), { recursive: true });
    for (const f of [
      'a.jpg', 'ab.jpg', 'bb.jpg', 'b.MP4', 'c.png', 'photo[1].jpg', 'photo1.jpg', '.secret.jpg', 'notes.txt',
      'sub/d.jpg', 'sub/deeper/e.png', 'sub/.f.jpg', '.hidden/g.jpg', 'trip [2024]/h.jpg',
    ]) writeFileSync(p(f), 'x');
    // A link back up the tree: ** must neither loop nor list the same files twice.
    symlinkSync('..', p('sub', 'loop'));
  });
  afterAll(() => process.chdir(cwd));

  it('matches *, ? and character classes within one folder, files only, sorted', () => {
    expect(expandGlob(p('*.jpg'))).toEqual(['a.jpg', 'ab.jpg', 'bb.jpg', 'photo1.jpg', 'photo[1].jpg'].map((f) => p(f)));
    expect(expandGlob(p('?.jpg'))).toEqual([p('a.jpg')]);
    expect(expandGlob(p('[!a]?.jpg'))).toEqual([p('bb.jpg')]);
    expect(expandGlob(p('[ab].jpg'))).toEqual([p('a.jpg')]);
    expect(expandGlob(p('*.{png,MP4}'))).toEqual([p('b.MP4'), p('c.png')]);
  });

  it('is case-sensitive where the file system is', () => {
    expect(expandGlob(p('*.mp4'))).toEqual(process.platform === 'linux' ? [] : [p('b.MP4')]);
  });

  it('matches hidden files and folders only when the pattern names them', () => {
    expect(expandGlob(p('*.jpg'))).not.toContain(p('.secret.jpg'));
    expect(expandGlob(p('.*.jpg'))).toEqual([p('.secret.jpg')]);
    expect(expandGlob(p('*', '*.jpg'))).toEqual([p('sub', 'd.jpg'), p('trip [2024]', 'h.jpg')]);
    expect(expandGlob(p('.hidden', '*.jpg'))).toEqual([p('.hidden', 'g.jpg')]);
  });

  it('descends with ** through every non-hidden subfolder, the top one included', () => {
    expect(expandGlob(p('**', '*.{png,jpg}'))).toEqual(
      ['a.jpg', 'ab.jpg', 'bb.jpg', 'c.png', 'photo1.jpg', 'photo[1].jpg', 'sub/d.jpg', 'sub/deeper/e.png', 'trip [2024]/h.jpg'].map((f) => p(f)),
    );
    expect(expandGlob(p('sub', '**', '*.png'))).toEqual([p('sub', 'deeper', 'e.png')]);
  });

  it('gives paths relative to the working folder for a relative pattern', () => {
    process.chdir(dir);
    try {
      expect(expandGlob('sub/*.jpg')).toEqual(['sub/d.jpg']);
      expect(expandGlob('*.png')).toEqual(['c.png']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('takes a bracketed name that exists as that file, not as a pattern', () => {
    expect(hasGlobMagic(p('photo[1].jpg'))).toBe(true);
    const named = expandInputs([p('photo[1].jpg'), p('trip [2024]')], false);
    expect(named.files.map((f) => f.path)).toEqual([p('photo[1].jpg'), p('trip [2024]', 'h.jpg')]);
    expect(named.problems).toEqual([]);
    // In a pattern, [1] matches the character 1 and also the literal text "[1]" (picomatch's rule), so
    // a bracketed file or folder name is found even when the user did not escape it.
    expect(expandInputs([p('photo[1]*.jpg')], false).files.map((f) => f.path)).toEqual([p('photo1.jpg'), p('photo[1].jpg')]);
    expect(expandGlob(p('trip [2024]', '*.jpg'))).toEqual([p('trip [2024]', 'h.jpg')]);
  });

  it('reports a pattern that matches nothing, and never returns folders', () => {
    expect(expandGlob(p('*.gif'))).toEqual([]);
    expect(expandGlob(p('folder.*'))).toEqual([]);
    expect(expandGlob(p('missing', '*.jpg'))).toEqual([]);
    expect(expandInputs([p('*.gif')], false).problems).toEqual([{ input: p('*.gif'), message: 'no files match this pattern' }]);
  });
});
