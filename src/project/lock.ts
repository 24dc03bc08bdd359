import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { UserError } from '../errors.js';
import { fsReason } from '../io/claim.js';

/**
 * How long a lock may go without its holder's renewal (ms) before another review takes it: a review
 * killed outright (kill -9, a power cut) leaves its `.lock` folder, which then stops counting after
 * this. proper-lockfile renews it every STALE_MS / 2.
 */
const STALE_MS = 10_000;

/**
 * Locks `projectPath` (which need not exist yet) for one `faceblur review` or `faceblur track`, so
 * that a second editor of the same project is refused instead of both saving over each other's edits
 * (the last save would win, silently losing the other's). The lock is the folder
 * `<projectPath>.lock`, removed by the returned release function (and at process exit). Creating it
 * also proves, before any work, that the project's folder is writable.
 *
 * @throws UserError (exit 2) when another review or track holds the lock; (exit 1) "cannot write
 *   to FOLDER: reason" when the folder is read-only or not ours.
 */
export async function lockProject(projectPath: string, warn: (text: string) => void): Promise<() => Promise<void>> {
  try {
    // A project in a folder not made yet (--project new/clip.faceblur.json), as analyze allows.
    await mkdir(dirname(projectPath), { recursive: true });
    return await lockfile.lock(projectPath, {
      realpath: false,
      stale: STALE_MS,
      // The default throws from a timer, ending the process; a lock lost (its folder removed by hand,
      // or a suspended machine) is no reason to drop the editor: saving still works.
      onCompromised: (err) => warn(`the lock on ${projectPath} was lost (${err.message}); another review or track could now open it too`),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new UserError(lockedMessage(projectPath), 2);
    }
    throw new UserError(`cannot write to ${dirname(projectPath)}: ${fsReason(err)}`);
  }
}

/**
 * Whether a `faceblur review` or `faceblur track` holds `projectPath`'s lock (a lock older than
 * STALE_MS is not counted). `faceblur analyze --force` asks before replacing a project: replacing
 * one that a review has open lost the review's manual tracks, and the review's next save then lost
 * the new analysis (a new-user trial).
 */
export async function isProjectLocked(projectPath: string): Promise<boolean> {
  return lockfile.check(projectPath, { realpath: false, stale: STALE_MS }).catch(() => false);
}

/** The refusal for a project that another review or track has open. */
export const lockedMessage = (projectPath: string): string =>
  `${projectPath} is open in another faceblur review or track: let it finish or stop it first (Ctrl+C in its terminal; one that was killed lets go within ${STALE_MS / 1000} s)`;
