import { basename, dirname, extname, join } from 'node:path';
import type { FfmpegTools } from '../media/ffmpeg.js';
import { probe } from '../media/probe.js';
import { extensionFromContent } from '../media/sniff.js';
import type { InputFile } from './inputs.js';
import { isMediaPath, unreadPhotoReason } from './media-kind.js';
import { unusedOutputPath } from './outputs.js';

/**
 * Splits off the named inputs whose extension is not a photo or video one (`IMG_0042` from a phone
 * export, `photo.jpg_large`) but whose content is a photo or video. faceblur tells photos from
 * videos, and names its outputs, by the extension; such a file went on as a video and failed with a
 * misleading error ("frame size changed mid-stream", "Invalid argument" for its output name; a
 * new-user trial). Each gets one line instead, saying what its content reads as (ffprobe's format,
 * extensionFromContent) and the name to give it; a photo format faceblur does not read (HEIC, BMP,
 * camera raw) gets its reason (unreadPhotoReason). Files that do not read as media (text, audio
 * only), and all files when `tools` is undefined (no ffmpeg), are left to the usual per-file errors.
 */
export async function refuseUnnamed(files: InputFile[], tools: FfmpegTools | undefined): Promise<{ files: InputFile[]; problems: { input: string; message: string }[] }> {
  const problems: { input: string; message: string }[] = [];
  const kept: InputFile[] = [];
  for (const f of files) {
    // Said as what it is, before ffprobe reads an iPhone's HEIC as a video "cut short while being written" (a trial).
    const unread = unreadPhotoReason(f.path);
    if (unread) {
      problems.push({ input: f.path, message: unread });
      continue;
    }
    const ext = isMediaPath(f.path) || !tools ? undefined : await probe(tools, f.path).then((info) => (info.video ? extensionFromContent(info) : undefined), () => undefined);
    if (!ext) {
      kept.push(f);
      continue;
    }
    const named = extname(f.path) ? `its extension (${extname(f.path)}) is not a photo or video one` : 'its name has no extension';
    // A name already taken (photo.jpg beside photo.jpg_large) is not offered: renaming onto it would lose that file.
    const wanted = join(dirname(f.path), `${basename(f.path, extname(f.path))}${ext}`);
    const free = unusedOutputPath(wanted);
    const hint = free === wanted ? `rename it ${free}` : `rename it, for example to ${free} (${wanted} is taken)`;
    problems.push({ input: f.path, message: `${named}, which faceblur goes by to tell a photo from a video and to name the output; it reads as ${ext}: ${hint}` });
  }
  return { files: kept, problems };
}
