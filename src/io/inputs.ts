import { readdirSync, statSync, type Dirent } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { expandGlob, hasGlobMagic, splitGlob } from './glob.js';
import { isMediaPath, unreadPhotoReason } from './media-kind.js';
import { fsReason } from './claim.js';
import { isEarlierOutput, originalStems } from './outputs.js';

export interface InputFile {
  path: string;
  /** For files found in a folder argument or by a glob: the path below that folder (the glob's base), mirrored under an output folder. */
  relativeTo?: string;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Arguments that named nothing usable, with the reason; they count as failures. */
  problems: { input: string; message: string }[];
  /** Folder arguments whose subfolders hold media that was left out (no --recursive), e.g. "skipped 3 files in 1 subfolder (use --recursive)". */
  notices: { input: string; message: string }[];
}

/** What a folder's listing left out: media in subfolders (without --recursive), and files with no extension. */
interface LeftOut {
  files: number;
  folders: number;
  unnamed: string[];
  /** Photos in formats faceblur does not read (HEIC, BMP, camera raw, .jfif), with unreadPhotoReason. */
  unread: { path: string; reason: string }[];
  /** The run's output folder (absolute), when it lies inside an input folder: its files are this run's outputs, not inputs. */
  outputFolder: string | undefined;
  /** Subfolders that could not be read, with the reason. */
  unreadable: { path: string; reason: string }[];
}

function listFolder(dir: string, recursive: boolean, skipped: LeftOut): string[] {
  const out: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  } catch (err) {
    // One unreadable subfolder is its own failure, not the run's (a trial's -r stopped at "EACCES: scandir").
    skipped.unreadable.push({ path: dir, reason: fsReason(err) });
    return [];
  }
  const originals = originalStems(fileNames(entries));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory() && resolve(path) === skipped.outputFolder) continue;
    if (e.isDirectory()) {
      // Without --recursive, a subfolder is only counted: its unnamed files are not this run's to name.
      const below = listFolder(path, true, recursive ? skipped : { ...skipped, unnamed: [], unread: [] });
      if (recursive) out.push(...below);
      else if (below.length > 0) {
        skipped.files += below.length;
        skipped.folders++;
      }
    } else if (!e.isFile()) continue;
    else if (isMediaPath(path) && !isEarlierOutput(path, originals)) out.push(path);
    else if (extname(e.name) === '') skipped.unnamed.push(path);
    else {
      const reason = unreadPhotoReason(path);
      if (reason) skipped.unread.push({ path, reason });
    }
  }
  return out;
}

/** The names of the files (not folders) among a folder's entries. */
const fileNames = (entries: Dirent[]): string[] => entries.filter((e) => e.isFile()).map((e) => e.name);

/** A folder's originalStems (none when it cannot be read), read once per folder into `seen`. */
function originalsIn(dir: string, seen: Map<string, Set<string>>): Set<string> {
  let stems = seen.get(dir);
  if (!stems) {
    try {
      stems = originalStems(fileNames(readdirSync(dir, { withFileTypes: true })));
    } catch {
      stems = new Set();
    }
    seen.set(dir, stems);
  }
  return stems;
}

/** Up to three of `paths`, named below the folder `base`, then how many more. */
const names3 = (base: string, paths: string[]): string => [...paths.slice(0, 3).map((p) => relative(base, p)), ...(paths.length > 3 ? [`${paths.length - 3} more`] : [])].join(', ');

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Turns the command-line arguments into the list of files to process. A named file is always taken
 * (probing tells whether it is media); folders give their media files, skipping earlier outputs.
 */
export function expandInputs(args: string[], recursive: boolean, outputFolder?: string): ExpandedInputs {
  // A resumed run into footage/out/ took footage/out/'s files for inputs, into footage/out/out/ (a trial).
  const skipOutputs = outputFolder === undefined ? undefined : resolve(outputFolder);
  const inOutputs = (p: string) => skipOutputs !== undefined && resolve(p).startsWith(skipOutputs + sep);
  const files: InputFile[] = [];
  const problems: ExpandedInputs['problems'] = [];
  const notices: ExpandedInputs['notices'] = [];
  const folders = new Map<string, Set<string>>();
  for (const arg of args) {
    let stat;
    try {
      stat = statSync(arg);
    } catch {
      stat = undefined;
    }
    if (stat?.isFile()) files.push({ path: arg });
    else if (stat?.isDirectory()) {
      const skipped: LeftOut = { files: 0, folders: 0, unnamed: [], unread: [], outputFolder: skipOutputs, unreadable: [] };
      const found = listFolder(arg, recursive, skipped);
      for (const u of skipped.unreadable) problems.push({ input: u.path, message: `cannot read this folder: ${u.reason}` });
      const left = [
        ...(skipped.files > 0 ? [`skipped ${plural(skipped.files, 'file')} in ${plural(skipped.folders, 'subfolder')} (use --recursive)`] : []),
        // A phone export's IMG_0042 has no extension; faceblur goes by extensions, so it says what it left.
        ...(skipped.unnamed.length > 0 ? [`left out ${plural(skipped.unnamed.length, 'file')} without an extension, which faceblur needs to tell a photo from a video (${names3(arg, skipped.unnamed)}); name each with its format's extension, such as .jpg or .mp4`] : []),
        // One line per reason: HEIC and .jfif need different things done.
        ...[...new Set(skipped.unread.map((u) => u.reason))].map((reason) => {
          const paths = skipped.unread.filter((u) => u.reason === reason).map((u) => u.path);
          return `left out ${plural(paths.length, 'photo')} (${names3(arg, paths)}): ${reason}`;
        }),
      ].join('; ');
      if (found.length === 0 && !skipped.unreadable.some((u) => u.path === arg)) problems.push({ input: arg, message: `no photos or videos in this folder${left ? `; ${left}` : ''}` });
      else if (left) notices.push({ input: arg, message: left });
      files.push(...found.map((path) => ({ path, relativeTo: relative(arg, path) })));
    } else if (!stat && hasGlobMagic(arg)) {
      // As a folder does: photos and videos (and names without an extension, which get a rename hint), not a README.txt.
      // A HEIC the pattern names is kept, to be refused with its reason (refuseUnnamed), not "no files match".
      const found = expandGlob(arg).filter((p) => (isMediaPath(p) || extname(p) === '' || unreadPhotoReason(p)) && !inOutputs(p) && !isEarlierOutput(p, originalsIn(dirname(p), folders)));
      if (found.length === 0) problems.push({ input: arg, message: 'no files match this pattern' });
      const { base } = splitGlob(arg);
      files.push(...found.map((path) => ({ path, relativeTo: relative(base, path) })));
    } else problems.push({ input: arg, message: stat ? 'not a file or folder' : 'no such file or folder' });
  }
  // One file named twice (a path and an overlapping glob) is one input: processed twice, its second
  // run failed with "another input in this run also writes …" (a new-user trial).
  const seen = new Set<string>();
  const unique = files.filter((f) => {
    const key = resolve(f.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { files: unique, problems, notices };
}
