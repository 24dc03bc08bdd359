import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage, UserError } from '../errors.js';

const FS_REASONS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a parent of the output path is a file',
};

/** Why a file system call failed, in plain words for the common codes (else the error's own message). */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  // mkdir -p stops at a file where a folder should be with EEXIST, not ENOTDIR.
  if (e.code === 'EEXIST' && e.syscall === 'mkdir') return FS_REASONS.ENOTDIR!;
  return FS_REASONS[e.code ?? ''] ?? errorMessage(err);
}

/**
 * Creates `path`'s folder (with its parents) and `path` itself, empty; `path` must not exist (a temp
 * name). Called before any work starts, so that an unwritable destination is reported in plain
 * words at once, not as whatever ffmpeg, the image encoder or a write stream says about it later.
 * @throws UserError (exit 1) "cannot write to FOLDER: reason".
 */
export async function claimFile(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '', { flag: 'wx' });
  } catch (err) {
    throw new UserError(`cannot write to ${dirname(path)}: ${fsReason(err)}`);
  }
}
