import { z } from 'zod';
import { BLUR_CELLS_PER_FACE } from './anonymize/anonymize.js';
import { parseHexColor } from './anonymize/color.js';
import type { Box } from './detect/box.js';
import { segmentSchema } from './pipeline/segment.js';

/**
 * Pixelate's default cells across the face: the blur's, so that both keep the same information (a
 * 4x4 grid of cell means per face) and are equally irreversible. 8 cells keep four times as many
 * values, enough for the detector to find a face again (docs/how-it-works.md).
 */
const MOSAIC_CELLS = BLUR_CELLS_PER_FACE;

/**
 * The one definition of faceblur's file-mode options: each entry gives the commander flag, its help
 * text and the zod schema that validates it and supplies its default. The help text shows every
 * default because it is read from the same schema.
 */

/** Largest --scale side, in pixels: a 4K frame's width; the input tensor at 4096x4096 is 200 MB. */
export const MAX_SCALE = 4096;

const scaleSchema = z
  .string()
  .regex(/^(\d+)?x?(\d+)?$/i, 'expected WxH, Wx or xH, for example 640x360')
  .transform((s, ctx) => {
    const m = /^(\d*)(x?)(\d*)$/i.exec(s)!;
    const width = m[1] ? Number(m[1]) : undefined;
    const height = m[3] ? Number(m[3]) : undefined;
    if ((!width && !height) || width === 0 || height === 0) {
      ctx.addIssue({ code: 'custom', message: 'expected WxH, Wx or xH with positive sizes, for example 640x360' });
      return z.NEVER;
    }
    // The detector's input is 12 bytes a pixel: 20000x (a typo) took 20 GB before the kernel killed it.
    if ((width ?? 0) > MAX_SCALE || (height ?? 0) > MAX_SCALE) {
      ctx.addIssue({ code: 'custom', message: `expected sizes of at most ${MAX_SCALE} pixels, for example 640x360` });
      return z.NEVER;
    }
    return { width, height };
  });

const colorSchema = z.string().transform((s, ctx) => {
  const c = parseHexColor(s);
  if (!c) {
    ctx.addIssue({ code: 'custom', message: 'expected a hex colour such as 000000 or ff00ff' });
    return z.NEVER;
  }
  return c;
});

/**
 * A number as typed: decimal only. zod's coercion (JavaScript's Number) alone reads "" and " " as 0
 * and "0x1" as 1; a new-user trial ran `--thresh ""` as 0 and masked 17273 "faces".
 */
const decimal = (v: unknown) => (typeof v === 'string' && !/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v) ? Number.NaN : v);
/** A number from `min` to `max`, typed in decimal. */
export const number = (min: number, max: number) => z.preprocess(decimal, z.coerce.number().min(min).max(max));
/** A whole number from `min` to `max`, typed in decimal. */
export const integer = (min: number, max: number) => z.preprocess(decimal, z.coerce.number().int().min(min).max(max));

/** `help` is shown by --help; `show` is how the default is printed there (when it differs from the value). */
export interface OptionSpec<T extends z.ZodType = z.ZodType> {
  flags: string;
  help: string;
  schema: T;
  show?: string;
  /** Internal: accepted but left out of --help (--render-segment, for the worker). */
  hidden?: boolean;
}
export const opt = <T extends z.ZodType>(flags: string, help: string, schema: T, show?: string): OptionSpec<T> =>
  show === undefined ? { flags, help, schema } : { flags, help, schema, show };

/** The names `--detector` takes, one per model family and size (models/manifest.json). */
export const DETECTORS = ['yunet', 'yunet-n', 'retinaface', 'centerface', 'scrfd'] as const;

export const fileOptionSpecs = {
  output: opt('-o, --output <path>', 'output file (one input) or folder ending in / (several inputs)', z.string().optional(), '<name>_anonymized.<ext> beside each input'),
  thresh: opt('--thresh <score>', 'how sure the detector must be that something is a face, 0..1; lower covers more faces and more things that are not faces', number(0, 1).optional(), '0.3 for video (0.5 for faces larger than 7% of the frame\'s shorter side; 0.6 or 0.8 for one over 1.5 times every face scoring 0.6 or 0.8 in its frame), 0.65 for photos (0.3 or 0.4 with one other --detector); 0.6 for both with --thorough'),
  singlePass: opt('--single-pass', 'fastest: look for faces at one size only (misses more very large and very small faces); photos then take the video threshold, 0.3', z.boolean().default(false)),
  fast: opt('--fast', 'faster video, slightly less steady masks: small faces are looked for in one half of each frame at a time, large faces in every whole frame', z.boolean().default(false)),
  thorough: opt('--thorough', 'slower, finds more faces: looks at each frame at more sizes, with a second, larger model too (and SCRFD, if you installed it)', z.boolean().default(false)),
  scale: opt('--scale <WxH>', 'detect on frames resized to WxH (Wx or xH keeps the aspect ratio); faster, misses small faces', scaleSchema.optional(), 'full resolution'),
  detector: opt(
    '--detector <names>',
    'face detector: yunet, yunet-n, retinaface, centerface or scrfd (non-commercial research only; see `faceblur models list`), or several joined by commas (their faces are combined)',
    z
      .string()
      .default('yunet')
      .transform((s) => s.split(',').map((x) => x.trim()))
      .pipe(z.array(z.enum(DETECTORS)).min(1)),
    'yunet',
  ),
  model: opt('--model <path>', 'run this ONNX file instead of the installed model (same family as --detector)', z.string().optional(), 'the installed model'),
  executionProvider: opt('--execution-provider <name>', 'where the detector runs: cpu, cuda, or auto (CUDA if available, else CPU)', z.enum(['cpu', 'cuda', 'auto']).default('cpu')),
  threads: opt('--threads <n>', 'detector threads; 0: a quarter of the cores while videos are encoded, else onnxruntime decides', integer(0, 256).default(0)),
  tracking: opt('--no-tracking', 'anonymize each frame\'s own detections only: no tracking, hold, look-ahead or smoothing', z.boolean().default(true), 'tracking on'),
  hold: opt('--hold <seconds>', 'keep covering a face this long after its last detection, following its motion', number(0, 10).default(0.5)),
  lookahead: opt('--lookahead <seconds>', 'files: also cover a face this long before its first detection, and bridge short gaps (memory: this many seconds of frames)', number(0, 5).default(0.5)),
  smooth: opt('--smooth <frames>', 'half-width of the window over which box positions are fitted, against jitter (0 = none)', integer(0, 30).default(3)),
  detectEvery: opt('--detect-every <n>', 'run the detector on every Nth frame and track in between (faster)', integer(1, 30).default(1)),
  region: opt('--region <part>', 'what to cover: face, or eyes (a band over eyes, brows and forehead that follows the head\'s roll)', z.enum(['face', 'eyes']).default('face')),
  replacewith: opt('--replacewith <filter>', 'what covers a face: blur, pixelate, solid or none', z.enum(['blur', 'pixelate', 'solid', 'none']).default('blur')),
  mosaicSize: opt('--mosaic-size <n>', 'pixelate: number of cells across the face (fewer hides more)', integer(2, 64).default(MOSAIC_CELLS)),
  color: opt('--color <hex>', 'solid: fill colour as hex RGB', colorSchema.prefault('000000'), '000000'),
  maskMargin: opt('--mask-margin <px>', 'pixels added on every side of the scaled mask (at most 3/4 of the face size), for the box errors of small faces', number(0, 500).optional(), '10; 16 with --thorough'),
  boxes: opt('--boxes', 'use rectangular masks instead of ellipses', z.boolean().default(false)),
  maskScale: opt('--mask-scale <factor>', "multiplies the detected box's width and height about its centre; the mask is the ellipse inscribed in that box (or the box itself with --boxes)", number(0.5, 5).default(1.3)),
  drawScores: opt('--draw-scores', "draw each face's box and score: green when it reaches --thresh, amber just below it (what a lower --thresh would add)", z.boolean().default(false)),
  crf: opt('--crf <n>', 'video quality for H.264/H.265/VP9: lower is better and larger', integer(0, 63).default(18)),
  preset: opt('--preset <name>', 'encoder speed preset (H.264/H.265)', z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow']).default('medium')),
  codec: opt('--codec <name>', 'ffmpeg video encoder', z.string().regex(/^[\w-]+$/).optional(), 'libx264 (libvpx-vp9 for .webm, gif for .gif)'),
  ffmpegArgs: opt('--ffmpeg-args <args>', 'extra ffmpeg output arguments, split on spaces, e.g. "-tune film"', z.string().default('').transform((s) => s.split(/\s+/).filter(Boolean)), 'none'),
  audio: opt('--no-audio', 'drop the audio (by default it is copied, re-encoded only if the output container needs it)', z.boolean().default(true), 'audio kept'),
  keepMetadata: opt('--keep-metadata', 'keep location, device and time metadata (stripped by default)', z.boolean().default(false)),
  jobs: opt('-j, --jobs <n>', 'files processed at once, the cores divided between them; 0 = auto: photos two at a time, videos one at a time', integer(0, 64).default(0), 'auto'),
  recursive: opt('-r, --recursive', 'descend into subfolders of folder inputs', z.boolean().default(false)),
  force: opt('-f, --force', 'overwrite existing outputs', z.boolean().default(false)),
  skipExisting: opt('--skip-existing', 'skip inputs whose output already exists (resume an interrupted folder run)', z.boolean().default(false)),
  report: opt('--report <file>', 'write a JSON report of every anonymized region in every frame (- for stdout, in place of the output paths)', z.string().optional(), 'none'),
  project: opt('--project <file>', 'render from this project (made by faceblur analyze, then edited) instead of detecting, so detection and tracking options are refused; one input, the one it was made for', z.string().optional(), 'none'),
  renderSegment: { ...opt('--render-segment <first:count:pts>', 'internal (faceblur worker): render only frames FIRST..FIRST+COUNT-1 of one video, the first at PTS seconds, without audio, to an .mkv', segmentSchema.optional()), hidden: true },
  seekProxy: { ...opt('--seek-proxy <file>', "internal (faceblur review): analyze one video and also write its every frame, at most 1280 px wide, as JPEGs back to back into FILE (the editor's seek proxy)", z.string().optional()), hidden: true },
  preview: opt('--preview', 'show the anonymized frames live in the browser while files are processed (see faceblur cam)', z.boolean().default(false)),
  open: opt('--no-open', 'print the preview address (faceblur cam, --preview) but do not open a browser', z.boolean().default(true), 'opens the browser'),
  quiet: opt('-q, --quiet', 'no progress bars or summary', z.boolean().default(false)),
  verbose: opt('-v, --verbose', 'show which ffmpeg and model are used, and stack traces for errors', z.boolean().default(false)),
} satisfies Record<string, OptionSpec<z.ZodType>>;

/** Options that mean the same for live capture as for files: detection, masks, tracking, logging. */
const SHARED = [
  'thresh', 'singlePass', 'fast', 'thorough', 'scale', 'detector', 'model', 'executionProvider', 'threads', 'tracking', 'hold',
  'smooth', 'detectEvery', 'region', 'replacewith', 'mosaicSize', 'color', 'maskMargin', 'boxes', 'maskScale',
  'drawScores', 'crf', 'preset', 'codec', 'open', 'force', 'quiet', 'verbose',
] as const satisfies readonly (keyof typeof fileOptionSpecs)[];

const sizeSchema = z
  .string()
  .regex(/^\d+x\d+$/, 'expected WxH, for example 640x480')
  .transform((s) => s.split('x').map(Number) as [number, number])
  .refine(([w, h]) => w > 0 && h > 0, 'sizes must be positive');

export const camOptionSpecs = {
  ...(Object.fromEntries(SHARED.map((k) => [k, fileOptionSpecs[k]])) as Pick<typeof fileOptionSpecs, (typeof SHARED)[number]>),
  // Live frames are video frames: cam's help gives the defaults that apply to it.
  thresh: { ...fileOptionSpecs.thresh, show: '0.3; 0.6 with --thorough' },
  fast: { ...fileOptionSpecs.fast, help: 'faster, slightly less steady masks: small faces are looked for in one half of each frame at a time, large faces in every whole frame' },
  crf: { ...fileOptionSpecs.crf, help: 'recording (-o) quality for H.264/H.265/VP9: lower is better and larger' },
  preset: { ...fileOptionSpecs.preset, help: 'recording (-o) encoder speed preset (H.264/H.265)' },
  codec: { ...fileOptionSpecs.codec, help: 'recording (-o) ffmpeg video encoder' },
  force: { ...fileOptionSpecs.force, help: 'overwrite an existing recording (-o)' },
  device: opt('--device <spec>', 'camera to open (from --list-devices), or any ffmpeg input: a file (read at its own rate), a URL, rtsp://…', z.string().optional(), 'the default camera'),
  listDevices: opt('--list-devices', 'list the cameras ffmpeg can open, and exit', z.boolean().default(false)),
  size: opt('--size <WxH>', 'capture size to ask the camera for', sizeSchema.optional(), "the camera's default"),
  fps: opt('--fps <n>', 'capture frame rate to ask the camera for', number(1, 240).optional(), "the camera's default"),
  output: opt('-o, --output <file>', 'also record the anonymized stream to this file (finalized on Ctrl+C)', z.string().optional(), 'no recording'),
  port: opt('--port <n>', 'preview port on 127.0.0.1', integer(0, 65535).default(0), 'a free port'),
} satisfies Record<string, OptionSpec<z.ZodType>>;

/** What analyze reads: detection and tracking, and where the projects go. */
const ANALYZE = [
  'thresh', 'singlePass', 'fast', 'thorough', 'scale', 'detector', 'model', 'executionProvider', 'threads', 'hold', 'lookahead',
  'smooth', 'detectEvery', 'jobs', 'recursive', 'force', 'skipExisting', 'quiet', 'verbose', 'seekProxy',
] as const satisfies readonly (keyof typeof fileOptionSpecs)[];

export const analyzeOptionSpecs = {
  ...(Object.fromEntries(ANALYZE.map((k) => [k, fileOptionSpecs[k]])) as Pick<typeof fileOptionSpecs, (typeof ANALYZE)[number]>),
  output: opt('-o, --output <path>', 'project file (one input) or folder ending in / (several inputs)', z.string().optional(), '<name>.faceblur.json beside each input'),
} satisfies Record<string, OptionSpec<z.ZodType>>;

/** `--box x1,y1,x2,y2`: a box in frame pixels, x1 < x2 and y1 < y2. */
const boxSchema = z.string().transform((s, ctx): Box => {
  const v = s.split(',').map((p) => Number(p.trim()));
  if (v.length !== 4 || !v.every(Number.isFinite) || v[0]! >= v[2]! || v[1]! >= v[3]!) {
    ctx.addIssue({ code: 'custom', message: 'not a box' });
    return z.NEVER;
  }
  return { x1: v[0]!, y1: v[1]!, x2: v[2]!, y2: v[3]! };
});

/** `faceblur track`: the project to add to, and the box a person drew on one frame. */
export const trackOptionSpecs = {
  project: opt('--project <file>', 'the redaction project of INPUT (from faceblur analyze), which gains the followed box as a manual track', z.string()),
  frame: opt('--frame <n>', 'the frame the box is drawn on, counted from 0', integer(0, Number.MAX_SAFE_INTEGER)),
  box: opt('--box <x1,y1,x2,y2>', 'the box to follow, in pixels of the frame', boxSchema),
  label: opt('--label <text>', "the track's label in the project (a name, or what it hides)", z.string().optional()),
  quiet: fileOptionSpecs.quiet,
} satisfies Record<string, OptionSpec<z.ZodType>>;

/** The zod object that checks a whole table of options. */
export const schemaOf = <S extends Record<string, OptionSpec<z.ZodType>>>(specs: S) =>
  z.object(Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.schema])) as { [K in keyof S]: S[K]['schema'] });

export const fileOptionsSchema = schemaOf(fileOptionSpecs);
export type FileOptions = z.output<typeof fileOptionsSchema>;
export const camOptionsSchema = schemaOf(camOptionSpecs);
export const trackOptionsSchema = schemaOf(trackOptionSpecs);
export type CamOptions = z.output<typeof camOptionsSchema>;
/** What the detector, the masks and the tracker need, in either mode. */
export type SharedOptions = Pick<FileOptions, (typeof SHARED)[number]>;

/** The default as --help shows it. */
export function defaultText(spec: OptionSpec<z.ZodType>): string | undefined {
  if (spec.show !== undefined) return spec.show;
  const value = spec.schema.safeParse(undefined);
  if (!value.success || value.data === undefined) return undefined;
  return typeof value.data === 'boolean' ? (value.data ? 'on' : 'off') : String(value.data);
}
