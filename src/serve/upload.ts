import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import { errorMessage } from '../errors.js';
import { isImagePath, isMediaPath } from '../io/media-kind.js';
import type { FfmpegTools } from '../media/ffmpeg.js';
import { truncationOf } from '../media/integrity.js';
import { probe } from '../media/probe.js';
import { extensionFromContent } from '../media/sniff.js';
import { formatSeconds } from './units.js';
import type { JobStore, JobView } from './store.js';

/** A request the server refuses, with its HTTP status and one line for the user. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadLimits {
  /** Bytes per file (`--max-upload-size`). */
  maxBytes: number;
  /** Seconds per video (`--max-duration`). */
  maxDuration: number;
}

/** Longest display name, in characters: the usual file system limit for one name (255 bytes), counted loosely. */
const MAX_NAME = 255;

/**
 * What the user called the file, for display only: the last path component, without control
 * characters. A name over MAX_NAME characters keeps its start and its end (the extension) with "…"
 * between, so that it still reads as the name the user gave (a new-user trial saw a 287-character
 * name lose its first words); the cut never splits a surrogate pair. Browsers and curl send a `"`
 * in a name as `%22` (HTML's multipart/form-data encoding, which escapes only `"`, CR and LF), so
 * that is undone.
 */
function displayName(filename: string): string {
  const base = [...(filename.split(/[\\/]/).pop() ?? '').replace(/%22/g, '"').replace(/[\p{Cc}\p{Cf}]/gu, '')];
  if (base.length === 0) return 'upload';
  if (base.length <= MAX_NAME) return base.join('');
  const tail = Math.min(40, Math.floor(MAX_NAME / 3));
  return `${base.slice(0, MAX_NAME - tail - 1).join('')}…${base.slice(-tail).join('')}`;
}

/** `8589934592` → `8 GiB`. */
const formatBytes = (n: number): string => {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log2(Math.max(n, 1)) / 10));
  return `${+(n / 2 ** (10 * i)).toFixed(1)} ${units[i]}`;
};

/**
 * Receives one uploaded file into a job: streams it to a fresh folder under `uploads/` (never
 * whole in memory, never under the user's name), checks its size, that ffprobe reads it as a video
 * or photo, and the video's duration; then publishes and queues the job. A file whose name has no
 * media extension (`IMG_0042`, `clip`), or one whose extension says photo where its content is a
 * video or the other way round, is taken by its content: ffprobe's format decides its extension
 * (extensionFromContent). Whatever fails (a limit, a file that is not media, the client
 * going away mid-upload) removes the folder, so nothing is left.
 * @throws HttpError 413 (too large, too long), 415 (not a video or photo) or 503 (the queue refused the job), or the stream's error when the upload was cut off.
 */
export async function receiveFile(part: MultipartFile, store: JobStore, limits: UploadLimits, tools: FfmpegTools, args: string[]): Promise<JobView> {
  const name = displayName(part.filename);
  const named = extname(name).toLowerCase();
  const byName = isMediaPath(name) && /^\.[a-z0-9]{1,5}$/.test(named) ? named : undefined;
  const dir = await store.uploadDir();
  try {
    // Until its content has named its format, the upload is kept under a name the job never uses.
    const received = join(dir, byName ? `input${byName}` : 'received');
    await pipeline(part.file, createWriteStream(received));
    if (part.file.truncated) throw new HttpError(413, `${name}: larger than the ${formatBytes(limits.maxBytes)} this server accepts (--max-upload-size)`);
    // As the CLI says it: ffprobe would call an empty file a broken MP4 ("moov atom not found").
    if ((await stat(received)).size === 0) throw new HttpError(415, `${name}: the file is empty (0 bytes)`);
    const info = await probe(tools, received).catch((err: unknown) => {
      throw new HttpError(415, `${name}: ${errorMessage(err)}`);
    });
    if (!info.video) throw new HttpError(415, `${name}: has no video or picture in it`);
    // As the CLI checks it, at the upload rather than on a worker after the job has queued.
    const truncated = await truncationOf(received);
    if (truncated) throw new HttpError(415, `${name}: ${truncated}`);
    const sniffed = extensionFromContent(info);
    // A video named .jpg (or a photo named .mp4) is taken as what it is: a trial's video named
    // clip.jpg was queued as a photo and failed with "not a readable image".
    const photoExt = (e: string) => isImagePath(`input${e}`);
    const ext = byName && !(sniffed && photoExt(sniffed) !== photoExt(byName)) ? byName : sniffed;
    if (!ext) throw new HttpError(415, `${name}: not a video or photo faceblur reads (ffprobe reads it as ${info.formatName}, ${info.video.codec})`);
    const inputFile = `input${ext}`;
    if (ext !== byName) await rename(received, join(dir, inputFile));
    const photo = isImagePath(inputFile);
    const duration = info.video.duration ?? 0;
    if (!photo && duration > limits.maxDuration) {
      throw new HttpError(413, `${name}: ${formatSeconds(duration)} long, over the ${formatSeconds(limits.maxDuration)} this server accepts (--max-duration)`);
    }
    return await store.create(dir, { inputName: name, inputFile, outputFile: `output${ext}`, kind: photo ? 'photo' : 'video', args }).catch((err: unknown) => {
      throw new HttpError(503, `${name}: the job could not be queued (${errorMessage(err)})`);
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
