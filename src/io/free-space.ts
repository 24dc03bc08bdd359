import { statfs } from 'node:fs/promises';

/** Bytes free to this user on the file system holding `folder`; undefined when statfs cannot read it. */
export async function freeBytes(folder: string): Promise<number | undefined> {
  const fs = await statfs(folder).catch(() => undefined);
  return fs && fs.bavail * fs.bsize;
}
