import type { z } from 'zod';
import { MAX_SCALE, type OptionSpec } from './options.js';

/**
 * What each value-taking option accepts, in faceblur's words, where the schema alone cannot say it
 * (strings checked by a pattern or a transform). Numbers and fixed choices are described from the
 * schema itself, so their message always matches what is checked.
 */
const EXPECTED: Record<string, string> = {
  scale: `WxH, Wx or xH with positive sizes of at most ${MAX_SCALE} pixels, such as 640x360 or 640x`,
  size: 'WxH with positive sizes, such as 640x480',
  color: 'a hex RGB colour such as 000000 or ff00ff',
  codec: 'an ffmpeg encoder name such as libx264 or libx265',
  detector: 'yunet, yunet-n, retinaface, centerface or scrfd, or several of them joined by commas',
  box: 'x1,y1,x2,y2 in pixels of the frame, with x1 < x2 and y1 < y2',
  frame: 'a whole frame number, counted from 0',
  project: 'a project file made by faceblur analyze, such as clip.faceblur.json',
  retention: 'a time such as 90s, 30m, 24h or 7d',
  maxDuration: 'a time such as 90s, 30m, 2h or 7d',
  maxUploadSize: 'a size such as 500M or 8G',
  redis: 'a Redis address such as redis://127.0.0.1:6379',
  addUser: 'a user name of up to 64 letters, digits, ., @, _ or -',
  renderSegment: 'FIRST:COUNT:PTS, such as 600:600:60.000 (COUNT at least 1)',
};

/** The schema under optional/default/pipe wrappers: the one that checks the value. */
function innermost(schema: z.ZodType): z.ZodType {
  let s = schema as z.ZodType & { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } };
  while (['optional', 'default', 'prefault', 'nullable', 'pipe'].includes(s._zod.def.type)) {
    const def = s._zod.def as typeof s._zod.def & { out?: z.ZodType };
    // z.preprocess is a pipe from a transform into the schema that says what is accepted.
    s = (def.innerType ?? (def.in?._zod.def.type === 'transform' ? def.out : def.in)) as typeof s;
  }
  return s;
}

/** The values an option takes when it is a fixed list (`--replacewith`: blur, pixelate, solid, none), else undefined. */
export function choicesOf(spec: OptionSpec): string[] | undefined {
  return (innermost(spec.schema) as { options?: string[] }).options;
}

/** "a number between 0 and 1", "one of blur, pixelate, solid, none", … for one option. */
export function expectedValue(key: string, spec: OptionSpec): string {
  if (EXPECTED[key]) return EXPECTED[key];
  const s = innermost(spec.schema) as z.ZodType & { minValue?: number | null; maxValue?: number | null; isInt?: boolean; options?: string[] };
  if (s.options) return `one of ${s.options.join(', ')}`;
  if (typeof s.minValue === 'number' && typeof s.maxValue === 'number') {
    return `${s.isInt ? 'a whole number' : 'a number'} between ${s.minValue} and ${s.maxValue}`;
  }
  return 'a valid value';
}

/** The long flag of an option, e.g. "--thresh". */
export const flagOf = (spec: OptionSpec): string => spec.flags.split(/[ ,]+/).find((f) => f.startsWith('--'))!;

/**
 * Turns a zod failure into one line in faceblur's words, naming each flag at fault (every one, not
 * only the first, so that a fix is not followed by the next refusal), what it accepts and what was
 * given: `--thresh must be a number between 0 and 1 (got "abc"); --box is required: …`.
 */
export function describeIssue(error: z.ZodError, specs: Record<string, OptionSpec>, raw: Record<string, unknown>): string {
  const keys = [...new Set(error.issues.map((i) => String(i.path[0] ?? '')))];
  return keys.map((key) => describeOption(key, specs, raw)).join('; ');
}

function describeOption(key: string, specs: Record<string, OptionSpec>, raw: Record<string, unknown>): string {
  const spec = specs[key];
  if (!spec) return `invalid option ${key}`;
  // Only options without a default fail when absent (faceblur track's --project, --frame, --box).
  if (raw[key] === undefined) return `${flagOf(spec)} is required: ${expectedValue(key, spec)}`;
  return `${flagOf(spec)} must be ${expectedValue(key, spec)} (got ${JSON.stringify(String(raw[key]))})`;
}

/** The settings that decide whether another option does anything. */
interface Effective {
  replacewith: 'blur' | 'pixelate' | 'solid' | 'none';
  tracking: boolean;
}

/**
 * One warning for each option the user gave that the rest of the command line makes do nothing:
 * `--color` with the default blur, `--hold` with `--no-tracking`. `given`: the keys commander read
 * from the command line (its option value source 'cli'), so that a default the schema filled in is
 * not taken for a choice. Warned, not refused: the run is still what was asked for, minus that option.
 */
export function ineffectiveOptions(given: ReadonlySet<string>, o: Effective): string[] {
  const out: string[] = [];
  if (given.has('color') && o.replacewith !== 'solid') out.push(`--color has no effect with --replacewith ${o.replacewith}; it colours --replacewith solid`);
  if (given.has('mosaicSize') && o.replacewith !== 'pixelate') out.push(`--mosaic-size has no effect with --replacewith ${o.replacewith}; it sizes --replacewith pixelate`);
  if (!o.tracking) {
    for (const [key, flag] of [['hold', '--hold'], ['lookahead', '--lookahead'], ['smooth', '--smooth']] as const) {
      if (given.has(key)) out.push(`${flag} has no effect with --no-tracking`);
    }
  }
  return out;
}

/**
 * Warnings for video options given to a run of photos only, which they do nothing to (a trial's
 * `--fast` on photos was even recorded in the report): `--fast`, `--detect-every`, `--codec`,
 * `--ffmpeg-args`. `o` holds the parsed options; each of these differs from its default only when given.
 */
export function photoIneffective(o: { fast: boolean; detectEvery: number; codec?: string | undefined; ffmpegArgs: readonly string[] }): string[] {
  return [
    ...(o.fast ? ['--fast has no effect on photos; it speeds up videos'] : []),
    ...(o.detectEvery > 1 ? ['--detect-every has no effect on photos; it thins out the frames of videos'] : []),
    ...(o.codec ? ['--codec has no effect on photos, which keep their format; it encodes videos'] : []),
    ...(o.ffmpegArgs.length > 0 ? ['--ffmpeg-args has no effect on photos; ffmpeg encodes videos only'] : []),
  ];
}
