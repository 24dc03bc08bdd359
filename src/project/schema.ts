import { z } from 'zod';
import { BOX_KINDS } from './box-kinds.js';
import { packColumns, unpackColumns, type ColumnArray } from './columns.js';

export { BOX_KINDS, isPredicted, kindCode, type BoxKind } from './box-kinds.js';

/**
 * The redaction project: what one input holds (its identity, every frame's time), the settings it was
 * analyzed with, and every face decision as an editable track. One zod schema describes the file;
 * its codecs turn the packed box columns into typed arrays on parse (`parseProject`) and back on
 * write (`serializeProject`). Field by field documentation: README, "The project file".
 */

/**
 * A track's per-frame face boxes, columnar, sorted by frame with at most one box per frame.
 * Coordinates in pixels of the upright frame (x2, y2 exclusive), kept to 0.1 px; scores 0..1, kept to
 * 0.001; `kind` holds indexes into BOX_KINDS. Treat every array as read-only: edits build new ones.
 */
export interface Boxes {
  frame: Int32Array;
  x1: Float32Array;
  y1: Float32Array;
  x2: Float32Array;
  y2: Float32Array;
  score: Float32Array;
  kind: Uint8Array;
}

/** File precision: tenths of a pixel, thousandths of a score, microseconds. */
const COORD = 10;
const SCORE = 1000;
const MICROS = 1e6;

function decodeWith<T>(decode: () => T, ctx: { issues: unknown[]; value: unknown }): T {
  try {
    return decode();
  } catch (err) {
    (ctx.issues as { code: string; message: string; input: unknown }[]).push({
      code: 'custom',
      message: `packed data: ${err instanceof Error ? err.message : String(err)}`,
      input: ctx.value,
    });
    return z.NEVER;
  }
}

const packed = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

const boxesCodec = z.codec(packed, z.custom<Boxes>(), {
  decode: (text, ctx) =>
    decodeWith(() => {
      const f32 = (scale: number) => ({ make: (n: number) => new Float32Array(n), scale });
      const [frame, x1, y1, x2, y2, score, kind] = unpackColumns<ColumnArray>(text, [
        { make: (n) => new Int32Array(n), scale: 1 },
        f32(1 / COORD), f32(1 / COORD), f32(1 / COORD), f32(1 / COORD), f32(1 / SCORE),
        { make: (n) => new Int32Array(n), scale: 1 },
      ]);
      const boxes = { frame, x1, y1, x2, y2, score, kind: Uint8Array.from(kind!) } as Boxes;
      for (let i = 0; i < boxes.frame.length; i++) {
        if (i > 0 && boxes.frame[i]! <= boxes.frame[i - 1]!) throw new Error('box frames must increase');
        if (kind![i]! >= BOX_KINDS.length || kind![i]! < 0) throw new Error(`unknown box kind ${kind![i]}`);
        // A hand edit's score of 5 passed (a trial): scores are 0..1, as every reader of the file takes them.
        if (!(boxes.score[i]! >= 0 && boxes.score[i]! <= 1)) throw new Error(`the box on frame ${boxes.frame[i]} has score ${+boxes.score[i]!.toFixed(3)}; scores run from 0 to 1`);
        // The mask is drawn from the box's size: an inverted or empty box (a hand edit with the
        // corners swapped) would hide nothing on that frame, so it is refused instead.
        if (!(boxes.x2[i]! > boxes.x1[i]! && boxes.y2[i]! > boxes.y1[i]!)) {
          throw new Error(`the box on frame ${boxes.frame[i]} is empty or inverted (x1,y1,x2,y2 = ${boxes.x1[i]!.toFixed(1)},${boxes.y1[i]!.toFixed(1)},${boxes.x2[i]!.toFixed(1)},${boxes.y2[i]!.toFixed(1)}; x2 must exceed x1, y2 y1)`);
        }
      }
      return boxes;
    }, ctx),
  encode: (b) => {
    const q = (a: Float32Array, s: number) => {
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = Math.round(a[i]! * s);
      return out;
    };
    return packColumns([b.frame, q(b.x1, COORD), q(b.y1, COORD), q(b.x2, COORD), q(b.y2, COORD), q(b.score, SCORE), b.kind]);
  },
});

/** Every frame's presentation time in seconds (microsecond precision), packed like the boxes. */
const timesCodec = z.codec(packed, z.custom<Float64Array>(), {
  decode: (text, ctx) => decodeWith(() => unpackColumns(text, [{ make: (n) => new Float64Array(n), scale: 1 / MICROS }])[0]!, ctx),
  encode: (t) => packColumns([Array.from(t, (v) => Math.round(v * MICROS))]),
});

const id = z.number().int().nonnegative();

export const trackSchema = z.object({
  id,
  origin: z.enum(['auto', 'manual', 'static']),
  action: z.enum(['redact', 'keep']),
  label: z.string().max(200).optional(),
  boxes: boxesCodec,
});

export const candidateSchema = z.object({
  id,
  /** The highest detection score along the candidate, 0..1. */
  bestScore: z.number().min(0).max(1),
  boxes: boxesCodec,
});

export const inputSchema = z.object({
  /** As given to analyze, relative to the project file's folder when it lies below it. */
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  /** See contentHash: `sha256-sampled:` then 64 hex digits. */
  hash: z.string().regex(/^sha256-sampled:[0-9a-f]{64}$/),
  kind: z.enum(['video', 'image']),
  /** Upright size in pixels, after rotation (video) or EXIF orientation (photo). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Degrees the stored frames are turned to be upright (0, 90, 180, 270); 0 for photos. */
  rotation: z.number().int(),
  /** Seconds: the last frame's time plus one frame's duration; 0 for photos. */
  duration: z.number().nonnegative(),
  frameCount: z.number().int().positive(),
  timestamps: timesCodec,
});

const outsizedTier = z.object({ ratio: z.number().positive(), sure: z.number().min(0).max(1), threshold: z.number().min(0).max(1) });
/** The large-face rule's outsized tiers: one tier was an object before the confident-face tier came, so a version 1 project may hold either. */
const outsizedCodec = z.codec(z.union([z.array(outsizedTier), outsizedTier]), z.array(outsizedTier), {
  decode: (v) => (Array.isArray(v) ? v : [v]),
  encode: (v) => v,
});

export const settingsSchema = z.object({
  /** Score from which a detection is a face to redact. */
  threshold: z.number().min(0).max(1),
  /** The higher score required of large detections in video (LargeFaceRule), when the run used one. */
  largeFace: z
    .object({
      side: z.number().positive(),
      threshold: z.number().min(0).max(1),
      outsized: outsizedCodec.optional(),
    })
    .optional(),
  /** Score from which a detection below the threshold may become a candidate. */
  candidateFloor: z.number().min(0).max(1),
  detector: z.array(z.string()).min(1),
  passes: z.enum(['default', 'single-pass', 'fast', 'thorough']),
  /** --scale as given (e.g. "640x"), when the detector did not see full-size frames. */
  scale: z.string().optional(),
  detectEvery: z.number().int().positive(),
  /** Seconds for hold and lookahead, frames for smooth; null with --no-tracking. */
  tracking: z.object({ hold: z.number(), lookahead: z.number(), smooth: z.number().int() }).nullable(),
});

export const projectSchema = z
  .object({
    format: z.literal('faceblur-project'),
    version: z.literal(1),
    /** faceblur's version that wrote the file. */
    faceblur: z.string(),
    input: inputSchema,
    settings: settingsSchema,
    tracks: z.array(trackSchema),
    candidates: z.array(candidateSchema),
  })
  .superRefine((p, ctx) => {
    // zod runs this even when a field already failed; its own issue is the one to report.
    if (ctx.issues.length > 0) return;
    const ids = new Set<number>();
    // Tracks and candidates share one id space; each is named as what it is.
    const all = [...p.tracks.map((t) => ['track', t] as const), ...p.candidates.map((c) => ['candidate', c] as const)];
    for (const [what, t] of all) {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', message: `track id ${t.id} is used twice` });
      ids.add(t.id);
      const last = t.boxes.frame[t.boxes.frame.length - 1];
      if (last !== undefined && (t.boxes.frame[0]! < 0 || last >= p.input.frameCount)) {
        ctx.addIssue({ code: 'custom', message: `${what} ${t.id} has boxes outside frames 0..${p.input.frameCount - 1}` });
      }
    }
    if (p.input.timestamps.length !== p.input.frameCount) ctx.addIssue({ code: 'custom', message: 'input.timestamps must hold one time per frame' });
  });

export type Project = z.output<typeof projectSchema>;
export type Track = Project['tracks'][number];
export type Candidate = Project['candidates'][number];
export type ProjectSettings = Project['settings'];
export type InputIdentity = Project['input'];

/** The project as the JSON text of its file. */
export function serializeProject(p: Project): string {
  return JSON.stringify(z.encode(projectSchema, p));
}

/** A project written by a newer faceblur, in a format version this one does not read. */
export class NewerProjectError extends Error {
  constructor(readonly version: number) {
    super(`made by a newer faceblur (project version ${version}; this faceblur reads version 1): update faceblur to open it`);
    this.name = 'NewerProjectError';
  }
}

/**
 * Parses and validates a project file's text.
 * @throws NewerProjectError for a later format version; Error with one line naming the first problem
 *   (not JSON, bad version, bad field, bad packed data).
 */
export function parseProject(text: string): Project {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('not a JSON file');
  }
  const v = (raw as { version?: unknown } | null)?.version;
  if (typeof raw === 'object' && raw !== null && v !== undefined && v !== 1) {
    if (typeof v === 'number' && v > 1) throw new NewerProjectError(v);
    throw new Error(`"version" must be the number 1, not ${JSON.stringify(v)}`);
  }
  const parsed = projectSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'project'}: ${issue.message}`);
  }
  return parsed.data;
}
