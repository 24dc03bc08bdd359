import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { access, copyFile, mkdir, rename, rm, writeFile, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { installDirs, howToInstall, modelSearchDirs, type ModelEntry } from './manifest.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Finds an installed copy of a manifest model whose sha256 matches. A copy with the wrong checksum
 * is an error rather than skipped, since it means a corrupt or tampered file the user should know about.
 */
export async function locateModel(m: ModelEntry, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  for (const dir of modelSearchDirs(env)) {
    const path = join(dir, m.file);
    if (!existsSync(path)) continue;
    const sum = await sha256File(path);
    if (sum === m.sha256) return path;
    throw usageError(
      `model file ${path} is corrupt (sha256 ${sum.slice(0, 12)}…, expected ${m.sha256.slice(0, 12)}…): ` +
        `delete it and run 'npx faceblur models install ${m.name}'`,
    );
  }
  throw usageError(howToInstall(m));
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

async function download(url: string, dest: string, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  await writeFile(dest, new Uint8Array(await res.arrayBuffer()));
}

export type InstallResult = { model: string; status: 'present' | 'copied' | 'downloaded'; path: string } | { model: string; status: 'failed'; reason: string };

/**
 * Installs one model: already present with the right checksum, else copied from FACEBLUR_MODEL_DIR,
 * else downloaded. Every copy lands in a temp file and is renamed only once its sha256 matches.
 */
export async function installModel(m: ModelEntry, env: NodeJS.ProcessEnv = process.env): Promise<InstallResult> {
  const { packageDir, userDir } = installDirs(env);
  const targetDir = (await writableDir(packageDir)) ? packageDir : userDir;
  for (const dir of [packageDir, userDir]) {
    const path = join(dir, m.file);
    if (existsSync(path) && (await sha256File(path)) === m.sha256) return { model: m.name, status: 'present', path };
  }
  if (!(await writableDir(targetDir))) return { model: m.name, status: 'failed', reason: `cannot write to ${targetDir}` };
  const dest = join(targetDir, m.file);
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
  const reasons: string[] = [];
  try {
    const cached = env.FACEBLUR_MODEL_DIR ? join(env.FACEBLUR_MODEL_DIR, m.file) : undefined;
    if (cached && existsSync(cached)) {
      await copyFile(cached, tmp);
      const sum = await sha256File(tmp);
      if (sum === m.sha256) {
        await rename(tmp, dest);
        return { model: m.name, status: 'copied', path: dest };
      }
      reasons.push(`${cached} has the wrong sha256`);
    }
    try {
      await download(m.url, tmp, 60_000);
      const sum = await sha256File(tmp);
      if (sum !== m.sha256) throw new Error(`downloaded file has sha256 ${sum}, expected ${m.sha256}`);
      await rename(tmp, dest);
      return { model: m.name, status: 'downloaded', path: dest };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      reasons.push(`download failed (${cause ?? (err as Error).message})`);
    }
  } finally {
    await rm(tmp, { force: true });
  }
  return { model: m.name, status: 'failed', reason: reasons.join('; ') };
}
