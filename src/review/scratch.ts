import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prefix of every review temp folder: they hold copies of the original, un-anonymized frames. */
const PREFIX = 'faceblur-review-';
/** The file in each that names the process owning it. */
const OWNER = 'owner.pid';
/** A folder with no owner file (made before there was one) is taken as left behind after this long. */
const UNOWNED_MS = 24 * 3600 * 1000;

/**
 * A private temp folder for a review (`faceblur-review-<kind>XXXXXX` in the system's temp folder),
 * with the pid of this process written in it, so that removeOrphanedScratch can tell it from one a
 * killed review left behind.
 */
export function makeScratch(kind = ''): string {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${kind}`));
  writeFileSync(join(dir, OWNER), String(process.pid));
  return dir;
}

/**
 * Removes the review temp folders in `root` whose owner is gone: a review killed outright (kill -9,
 * a power cut) cannot remove its own, and each holds a copy of a video's original frames (a new-user
 * trial found hundreds in /tmp). A folder whose owner process still runs is kept, and so is one
 * without an owner file younger than a day. Folders of other users cannot be removed and are left.
 */
export function removeOrphanedScratch(root = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(root, name);
    try {
      const owner = Number(readFileSync(join(dir, OWNER), 'utf8'));
      if (running(owner)) continue;
    } catch {
      const age = Date.now() - (statSafe(dir)?.mtimeMs ?? Date.now());
      if (age < UNOWNED_MS) continue;
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another user's (a trial's review as nobody failed on root's): theirs to remove.
    }
  }
}

const statSafe = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
};

/** Whether a process with this pid exists (EPERM: it does, under another user). */
function running(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
