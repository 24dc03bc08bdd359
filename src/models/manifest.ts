import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const modelSchema = z.object({
  name: z.string(),
  file: z.string(),
  url: z.string().url(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  license: z.string(),
  family: z.enum(['yunet', 'centerface']),
  input: z.object({
    name: z.string(),
    layout: z.literal('NCHW'),
    colorOrder: z.enum(['bgr', 'rgb']),
    normalization: z.string(),
    sizeRule: z.string(),
  }),
  installByDefault: z.boolean(),
});
export type ModelEntry = z.infer<typeof modelSchema>;
export type ModelFamily = ModelEntry['family'];

const manifestSchema = z.object({ version: z.literal(1), models: z.array(modelSchema) });

/** The package root: dist/models/manifest.js and src/models/manifest.ts both sit two levels below it. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadManifest(): ModelEntry[] {
  const raw: unknown = JSON.parse(readFileSync(join(packageRoot, 'models', 'manifest.json'), 'utf8'));
  return manifestSchema.parse(raw).models;
}

export function findModel(name: string): ModelEntry | undefined {
  return loadManifest().find((m) => m.name === name);
}

/** Where installed models live: the package's own models/ folder, or a per-user cache when that is read-only. */
export function installDirs(env: NodeJS.ProcessEnv = process.env): { packageDir: string; userDir: string } {
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return { packageDir: join(packageRoot, 'models'), userDir: join(cacheHome, 'faceblur', 'models') };
}

/** Folders searched for a model file, in order: the local cache named by FACEBLUR_MODEL_DIR, then the install folders. */
export function modelSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const { packageDir, userDir } = installDirs(env);
  return [env.FACEBLUR_MODEL_DIR, packageDir, userDir].filter((d): d is string => Boolean(d));
}

/** Where a model file comes from and where to put it by hand: for machines where the download failed. */
export function whereToPut(models: ModelEntry[]): string {
  const files = models.map((m) => `${m.url} (sha256 ${m.sha256})`).join(' and ');
  return `download ${files} into ${installDirs().packageDir}, or into a folder named by FACEBLUR_MODEL_DIR`;
}

export function howToInstall(m: ModelEntry): string {
  return `model '${m.name}' (${m.file}) is not installed: run 'npx faceblur models install ${m.name}', or ${whereToPut([m])}`;
}
