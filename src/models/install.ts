import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { acceptedSums, installCommand, installDirs, howToInstall, modelSearchDirs, type ModelEntry } from './manifest.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Finds a copy of a manifest model whose sha256 is one of the model's runnable sums, in the folders
 * modelSearchDirs gives, in order. A copy with any other checksum is never used: a good copy in a
 * later folder is, with a warning naming the bad one (a trial's truncated file in FACEBLUR_MODEL_DIR
 * hid a good installed copy); with none, it is the error.
 * @throws UserError (exit 2) when no folder holds the model, or every copy is corrupt: what to do
 * depends on where the bad copy lies (FACEBLUR_MODEL_DIR is the user's own folder, not faceblur's).
 */
export async function locateModel(m: ModelEntry, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const corrupt: string[] = [];
  for (const dir of modelSearchDirs(m, env)) {
    const path = join(dir, m.file);
    if (!existsSync(path)) continue;
    const sum = await sha256File(path);
    const why = `model file ${path} is corrupt (sha256 ${sum.slice(0, 12)}…, expected ${m.sha256.slice(0, 12)}…)`;
    const fix = dir === env.FACEBLUR_MODEL_DIR ? `replace it in FACEBLUR_MODEL_DIR with a good copy, or unset FACEBLUR_MODEL_DIR` : `delete it and run '${installCommand(m)}'`;
    if (!acceptedSums(m).includes(sum)) {
      corrupt.push(`${why}: ${fix}`);
      continue;
    }
    for (const c of corrupt) process.stderr.write(`faceblur: warning: ${c}; using ${path}\n`);
    return path;
  }
  throw usageError(corrupt[0] ?? howToInstall(m));
}

/** Whether `models install` has put this model in an install folder (FACEBLUR_MODEL_DIR does not count). */
export function isInstalled(m: ModelEntry, env: NodeJS.ProcessEnv = process.env): boolean {
  const { packageDir, userDir } = installDirs(env);
  return [packageDir, userDir].some((d) => existsSync(join(d, m.file)));
}

/** The first file of the model in the folders {@link locateModel} searches, or undefined (its checksum unchecked: that is for the run). */
export function foundPath(m: ModelEntry, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return modelSearchDirs(m, env).map((d) => join(d, m.file)).find((p) => existsSync(p));
}

async function writableDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function download(url: string, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export type InstallResult =
  | { model: string; status: 'present' | 'copied' | 'converted' | 'downloaded'; path: string }
  | { model: string; status: 'failed'; reason: string };

/**
 * The runnable bytes from one source's bytes: the runnable file itself when its sum is accepted, or
 * the upstream file (checked against its pinned sum) run through the model's edit, whose result must
 * have the pinned sum too. Undefined when the bytes are neither; `why` gets the reason.
 */
async function runnableFrom(m: ModelEntry, bytes: Uint8Array, why: (reason: string) => void): Promise<Uint8Array | undefined> {
  const sum = sha256Of(bytes);
  if (acceptedSums(m).includes(sum)) return bytes;
  if (!m.upstream || sum !== m.upstream.sha256) {
    why(`sha256 ${sum.slice(0, 12)}… is neither the model's nor its upstream file's`);
    return undefined;
  }
  // Imported here: a run that only locates models need not load the ONNX schema module.
  const { makeRunnable } = await import('./convert.js');
  const runnable = makeRunnable(bytes, m.upstream.edit);
  const made = sha256Of(runnable);
  if (made === m.sha256) return runnable;
  why(`the edit of the upstream file gave sha256 ${made.slice(0, 12)}…, expected ${m.sha256.slice(0, 12)}…`);
  return undefined;
}

/**
 * Installs one model: already present with the right checksum; else from FACEBLUR_MODEL_DIR, which
 * may hold the runnable file or the upstream one (converted here, see convert.ts); else downloaded.
 * Every result lands in a temp file and is renamed only once its sha256 matches. Licence acceptance
 * is the caller's job (see run-models.ts).
 */
export async function installModel(m: ModelEntry, env: NodeJS.ProcessEnv = process.env): Promise<InstallResult> {
  const { packageDir, userDir } = installDirs(env);
  const targetDir = (await writableDir(packageDir)) ? packageDir : userDir;
  for (const dir of [packageDir, userDir]) {
    const path = join(dir, m.file);
    if (existsSync(path) && acceptedSums(m).includes(await sha256File(path))) return { model: m.name, status: 'present', path };
  }
  if (!(await writableDir(targetDir))) return { model: m.name, status: 'failed', reason: `cannot write to ${targetDir}` };
  const dest = join(targetDir, m.file);
  const reasons: string[] = [];
  const save = async (bytes: Uint8Array): Promise<void> => {
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  };
  const cache = env.FACEBLUR_MODEL_DIR;
  for (const file of cache ? [m.file, m.upstream?.file] : []) {
    const path = file && join(cache!, file);
    if (!path || !existsSync(path)) continue;
    const runnable = await runnableFrom(m, new Uint8Array(await readFile(path)), (r) => reasons.push(`${path}: ${r}`));
    if (!runnable) continue;
    await save(runnable);
    return { model: m.name, status: file === m.file ? 'copied' : 'converted', path: dest };
  }
  const url = m.upstream?.url ?? m.url!;
  try {
    const runnable = await runnableFrom(m, await download(url, 60_000), (r) => reasons.push(`downloaded file: ${r}`));
    if (runnable) {
      await save(runnable);
      return { model: m.name, status: 'downloaded', path: dest };
    }
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    reasons.push(`could not download from ${new URL(url).host} (${cause ?? (err as Error).message})`);
  }
  return { model: m.name, status: 'failed', reason: reasons.join('; ') };
}
