import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const modelSchema = z.object({
  name: z.string(),
  /** The runnable file, as installed. */
  file: z.string(),
  /** Where the runnable file itself is published; absent when only the upstream file is. */
  url: z.string().url().optional(),
  /** The runnable file's sha256: the published file's, or for `upstream` models the result of the edit. */
  sha256,
  /**
   * Runnable files made from the same upstream file with other tools (e.g. the Python onnx package),
   * whose bytes differ from our edit's but whose outputs were checked to be identical.
   */
  sameModelSha256: z.array(sha256).default([]),
  /** The file as its repository publishes it, and the edit (src/models/convert.ts) that makes it runnable. */
  upstream: z
    .object({ url: z.string().url(), file: z.string(), sha256, edit: z.enum(['symbolic-input', 'retinaface-dynamic']) })
    .optional(),
  license: z.string(),
  /** Weights whose terms restrict use: installed only when the user accepts them by this word. */
  licenseGate: z.object({ accept: z.string(), terms: z.string() }).optional(),
  family: z.enum(['yunet', 'centerface', 'retinaface', 'scrfd']),
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

const manifestSchema = z.object({
  version: z.literal(1),
  models: z.array(modelSchema.refine((m) => m.url || m.upstream, { message: 'a model needs a url or an upstream file' })),
});

/** The package root: dist/models/manifest.js and src/models/manifest.ts both sit two levels below it. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadManifest(): ModelEntry[] {
  const raw: unknown = JSON.parse(readFileSync(join(packageRoot, 'models', 'manifest.json'), 'utf8'));
  return manifestSchema.parse(raw).models;
}

export function findModel(name: string): ModelEntry | undefined {
  return loadManifest().find((m) => m.name === name);
}

/**
 * Where installed models live: the package's own models/ folder, or a per-user cache when that is
 * read-only; FACEBLUR_INSTALL_DIR replaces both (one folder for every install, e.g. a test's).
 */
export function installDirs(env: NodeJS.ProcessEnv = process.env): { packageDir: string; userDir: string } {
  if (env.FACEBLUR_INSTALL_DIR) return { packageDir: env.FACEBLUR_INSTALL_DIR, userDir: env.FACEBLUR_INSTALL_DIR };
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return { packageDir: join(packageRoot, 'models'), userDir: join(cacheHome, 'faceblur', 'models') };
}

/**
 * Folders searched for a model's runnable file, in order: the local cache named by FACEBLUR_MODEL_DIR,
 * then the install folders. A model with restrictive terms is found only where `models install` put
 * it after the user accepted them, never just because a cache folder holds it.
 */
export function modelSearchDirs(m: ModelEntry, env: NodeJS.ProcessEnv = process.env): string[] {
  const { packageDir, userDir } = installDirs(env);
  return [m.licenseGate ? undefined : env.FACEBLUR_MODEL_DIR, packageDir, userDir].filter((d): d is string => Boolean(d));
}

/** The checksums a runnable file of this model may have. */
export const acceptedSums = (m: ModelEntry): string[] => [m.sha256, ...m.sameModelSha256];

/** The install command for a model, with the acceptance its terms need. */
export const installCommand = (m: ModelEntry): string =>
  `npx faceblur models install ${m.name}${m.licenseGate ? ` --accept-license ${m.licenseGate.accept}` : ''}`;

/**
 * Where a model file comes from and how to install it by hand, for machines where the download
 * failed. Through `models install` from FACEBLUR_MODEL_DIR, not by copying into the install folder:
 * that checks the sum, converts an upstream file (RetinaFace's and SCRFD's need it, under their own
 * names) and asks for the terms a licence gate needs; a new-user trial found a plain copy never works
 * for those two.
 */
export function whereToPut(models: ModelEntry[]): string {
  const files = models
    .map((m) => m.upstream ?? { url: m.url!, file: m.file, sha256: m.sha256 })
    .map((s) => `${s.url} (sha256 ${s.sha256}) as ${s.file}`)
    .join(' and ');
  const gate = models.find((m) => m.licenseGate)?.licenseGate;
  const install = `npx faceblur models install ${models.map((m) => m.name).join(' ')}${gate ? ` --accept-license ${gate.accept}` : ''}`;
  return `download ${files} into a folder, then run 'FACEBLUR_MODEL_DIR=that-folder ${install}'`;
}

export function howToInstall(m: ModelEntry): string {
  return `model '${m.name}' (${m.file}) is not installed: run '${installCommand(m)}', or offline, ${whereToPut([m])}`;
}
