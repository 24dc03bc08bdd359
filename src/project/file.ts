import { constants } from 'node:fs';
import { access, chmod, chown, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isFolderTarget, tempPathFor } from '../io/outputs.js';
import { contentHash } from './identity.js';
import { NewerProjectError, parseProject, serializeProject, type Project } from './schema.js';

/** The project file's name for an input: `clip.mp4` → `clip.faceblur.json`. */
export const projectNameFor = (input: string): string => `${input.replace(/\.[^./\\]*$/, '')}.faceblur.json`;

/** Where analyze writes an input's project: beside it, into a folder target (mirroring folders), or the one file named. */
export function projectPathFor(input: string, relativeTo: string | undefined, output: string | undefined): string {
  if (output === undefined) return projectNameFor(input);
  if (isFolderTarget(output)) return projectNameFor(join(output, relativeTo ?? basename(input)));
  return output;
}

/**
 * Refuses to render `input` from a project made for another file: the byte size and the sampled
 * content hash must match (the path may differ: files move).
 * @throws UserError (exit 2), one line, also when `input` cannot be read (missing, a folder).
 */
export async function checkProjectInput(project: Project, projectPath: string, input: string): Promise<void> {
  const { hash, bytes } = await contentHash(input).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a folder' : err.message;
    throw new UserError(`${input}: ${why} (--project ${projectPath} was made for ${project.input.path})`, 2);
  });
  if (hash !== project.input.hash || bytes !== project.input.bytes) {
    // The same name and size with other bytes is a file changed since its analysis (re-exported, edited): say so.
    const now = `${bytes} bytes${bytes === project.input.bytes ? ', other content' : ''}`;
    throw new UserError(`--project ${projectPath} was made for another file (${project.input.path}, ${project.input.bytes} bytes), not ${input} (${now})`, 2);
  }
}

/**
 * The input a project was made for, as a path from the current folder (the file stores it relative
 * to the project's own folder).
 * @throws UserError (exit 2) as readProject does.
 */
export async function projectInputPath(projectPath: string): Promise<string> {
  const p = await readProject(projectPath);
  return relative('.', resolve(dirname(projectPath), p.input.path)) || p.input.path;
}

/**
 * Reads and validates a project file.
 * @throws UserError (exit 2) naming the file and the first problem.
 */
export async function readProject(path: string): Promise<Project> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`--project ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 2);
  }
  try {
    return parseProject(text);
  } catch (err) {
    if (err instanceof NewerProjectError) throw new UserError(`--project ${path}: ${err.message}`, 2);
    throw new UserError(`--project ${path}: not a faceblur project (${(err as Error).message})`, 2);
  }
}

/**
 * Refuses, before any work, a project that faceblur review or track could not save into: one this
 * user may not write (a trial's read-only project was replaced, owner and mode reset), or one in a
 * folder this user may not write (a trial's track failed after its follow, a review lost its edits).
 * @throws UserError (exit 2) naming the file and what to do.
 */
export async function checkProjectWritable(path: string): Promise<void> {
  // One not made yet is made by the save (its folders too: lockProject).
  const writable = (p: string) => access(p, constants.W_OK).then(() => true, (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  if (!(await writable(path))) throw new UserError(`${path} is read-only: the edits are saved into it; make it writable (chmod u+w) or give another --project file`, 2);
  // Saved as a temp file renamed over it, in the folder of the file a link points at (writeProject).
  const folder = dirname(await realpath(path).catch(() => path));
  if (!(await writable(folder))) throw new UserError(`${path}: its folder ${folder} is read-only, and the edits are saved there; give another --project file`, 2);
}

/**
 * Writes the project under a temp name beside `path`, then renames it, so `path` never holds a
 * partial file. An existing project keeps its permission bits (a 600 project, which holds faces'
 * positions and the input's path, became 644) and, when root writes it, its owner; a symbolic link
 * keeps pointing at the project: its target is the file written.
 */
export async function writeProject(path: string, project: Project): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const was = await stat(target).catch(() => undefined);
  const temp = tempPathFor(target);
  try {
    await writeFile(temp, serializeProject(project));
    if (was) {
      await chmod(temp, was.mode & 0o7777);
      // Root editing another user's project leaves it theirs (a trial's became root's, then refused them).
      if (process.getuid?.() === 0) await chown(temp, was.uid, was.gid);
    }
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}
