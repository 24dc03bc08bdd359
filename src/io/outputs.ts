import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { VIDEO_EXTENSIONS } from '../media/container.js';
import { IMAGE_EXTENSIONS, isImagePath, isMediaPath } from './media-kind.js';

const SUFFIX = '_anonymized';
const TEMP_MARK = '.faceblur-partial-';

/** True for the temp name of an output being written (tempOutputPath), which a killed run leaves behind. */
export const isTempOutput = (path: string): boolean => basename(path).includes(TEMP_MARK);

/** True for names faceblur gives its files: outputs (`NAME_anonymized.ext`, `NAME_not_anonymized.ext`) and leftover temp files. */
export function isOwnOutput(path: string): boolean {
  const name = basename(path);
  return basename(name, extname(name)).endsWith(SUFFIX) || isTempOutput(name);
}

/**
 * True for a file an earlier run left beside its input, which a folder or glob must not take for a
 * new input: a leftover temp file, or an output name (`NAME_anonymized.ext`, `NAME_not_anonymized.ext`,
 * or unusedOutputPath's `NAME-2_anonymized.ext`) whose original, some `NAME.*`, is in the same
 * folder. `originals`: the name stems (without extension) of the photos and videos there, from
 * originalStems (a `NAME.txt` or a folder `NAME.jpg` is no original). A file named like an output with no original beside it, such as
 * someone else's `interview_anonymized.jpg`, is an input: skipping it left a photo of 22 faces
 * untouched, without a word, in a folder a new-user trial believed done.
 */
export function isEarlierOutput(path: string, originals: ReadonlySet<string>): boolean {
  const name = basename(path);
  if (isTempOutput(name)) return true;
  if (!isOwnOutput(name)) return false;
  // An output's own stem keeps its suffix (NAME_anonymized), so it is never its own original.
  const stem = basename(name, extname(name)).replace(/(_not)?_anonymized$/, '');
  return originals.has(stem) || originals.has(stem.replace(/-\d+$/, ''));
}

/** The stems (names without extension) of the photos and videos among `names`: isEarlierOutput's originals. */
export const originalStems = (names: readonly string[]): Set<string> => new Set(names.filter(isMediaPath).map((n) => basename(n, extname(n))));

/** The suffix of outputs that hide nothing (--replacewith none): a name no one can take for an anonymized file. */
export const UNTOUCHED_SUFFIX = '_not_anonymized';

const withSuffix = (path: string, suffix: string) => {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}${suffix}${ext}`);
};

export const defaultOutputPath = (input: string, untouched = false): string => withSuffix(input, untouched ? UNTOUCHED_SUFFIX : SUFFIX);

/**
 * `path` when nothing is there, else the first free name of `<stem>-2<suffix><ext>`, `-3`, … The
 * number goes before an `_anonymized` or `_not_anonymized` suffix, so that isOwnOutput still knows
 * the file (a later batch over the folder must not take it for an input). The name is free when
 * looked at; the caller still writes through a temp file and a rename.
 */
export function unusedOutputPath(path: string): string {
  if (!existsSync(path)) return path;
  const ext = extname(path);
  const name = basename(path, ext);
  const suffix = [UNTOUCHED_SUFFIX, SUFFIX].find((x) => name.endsWith(x)) ?? '';
  const stem = name.slice(0, name.length - suffix.length);
  for (let n = 2; ; n++) {
    const candidate = join(dirname(path), `${stem}-${n}${suffix}${ext}`);
    if (!existsSync(candidate)) return candidate;
  }
}

export const isFolderTarget = (o: string): boolean => /[\\/]$/.test(o) || (existsSync(o) && statSync(o).isDirectory());

/**
 * The final output path for one input. A folder target (`-o out/`) mirrors the input's path below a
 * folder argument, and otherwise keeps the input's file name. `untouched` (--replacewith none) marks
 * every name that faceblur chooses itself with `_not_anonymized`; a file named by -o is the user's.
 */
export function outputPathFor(input: string, relativeTo: string | undefined, output: string | undefined, untouched = false): string {
  if (output === undefined) return defaultOutputPath(input, untouched);
  if (isFolderTarget(output)) {
    const inside = join(output, relativeTo ?? basename(input));
    return untouched ? withSuffix(inside, UNTOUCHED_SUFFIX) : inside;
  }
  return output;
}

/** Same path, following symlinks where the file exists, so that `a.mp4` and `./x/../a.mp4` compare equal. */
export function samePath(a: string, b: string): boolean {
  const canon = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return canon(a) === canon(b);
}

/**
 * A hidden temp name in the destination folder, so that the final rename stays on one filesystem
 * and is atomic; it keeps the extension because ffmpeg and sharp choose the format from it.
 */
export function tempPathFor(output: string): string {
  const ext = extname(output);
  return join(dirname(output), `.${basename(output, ext)}${TEMP_MARK}${randomBytes(4).toString('hex')}${ext}`);
}

const list = (exts: readonly string[]) => exts.join(', ');

/**
 * Why `output` cannot hold what `input` gives (a video written as .png, a name with no extension),
 * or undefined when it can. Checked before any decoding, since ffmpeg only finds out when it opens
 * the output, after all the work. A photo may become a one-frame video; a video never a photo.
 */
export function outputFormatProblem(input: string, output: string): string | undefined {
  const ext = extname(output).toLowerCase();
  const photo = isImagePath(input);
  const supported = photo ? `${list(IMAGE_EXTENSIONS)} (or a video extension)` : list(VIDEO_EXTENSIONS);
  if (ext === '') return `${output} has no extension, which faceblur needs to choose the format: use one of ${supported}`;
  if (photo ? isImagePath(output) || VIDEO_EXTENSIONS.includes(ext) : VIDEO_EXTENSIONS.includes(ext)) return undefined;
  const what = !photo && IMAGE_EXTENSIONS.includes(ext) ? `a video cannot be written as a photo (${ext})` : `${ext} is not a format faceblur writes`;
  return `${output}: ${what}; use one of ${supported}`;
}
