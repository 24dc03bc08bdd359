import { z } from 'zod';
import { defaultText, DETECTORS, fileOptionSpecs, fileOptionsSchema, type FileOptions } from '../options.js';
import { foundPath } from '../models/install.js';
import { findModel, installCommand } from '../models/manifest.js';
import { choicesOf, describeIssue, expectedValue, flagOf } from '../option-messages.js';

/**
 * The CLI options a job may set: detection, tracking, masks and encoding. Left out, because a job
 * must not reach the server's files or processes: --model (a server path), --ffmpeg-args (any
 * ffmpeg output option, files included), --report and --project (paths), and the options of a
 * terminal run (output, batch, preview, logging).
 */
const JOB_OPTIONS = [
  'thresh', 'singlePass', 'fast', 'thorough', 'scale', 'detector', 'executionProvider', 'threads', 'tracking', 'hold', 'lookahead', 'smooth',
  'detectEvery', 'region', 'replacewith', 'mosaicSize', 'color', 'maskMargin', 'boxes', 'maskScale', 'drawScores', 'crf', 'preset', 'codec',
  'audio', 'keepMetadata',
] as const satisfies readonly (keyof typeof fileOptionSpecs)[];
type JobOption = (typeof JOB_OPTIONS)[number];

const value = z.union([z.string().max(200), z.number(), z.boolean()]);

/** A job's settings as the API takes them: option name (camelCase, as in `--help`'s table) → value. */
export const jobSettingsSchema = z
  .strictObject(Object.fromEntries(JOB_OPTIONS.map((k) => [k, value.optional()])) as Record<JobOption, z.ZodOptional<typeof value>>)
  .meta({ description: 'CLI options for the job, by name: {"replacewith": "pixelate", "thresh": 0.4, "boxes": true}. GET /api/options lists them.' });
export type JobSettings = z.infer<typeof jobSettingsSchema>;

/** A request's settings that the CLI's own schema refuses (HTTP 400 with this one line). */
export class SettingsError extends Error {}

/**
 * Checks `settings` with the CLI's own zod schema and turns them into CLI arguments
 * (`{thresh: 0.4, boxes: true, audio: false}` → `--thresh=0.4 --boxes --no-audio`). `hasEncoder`
 * says whether this server's ffmpeg has a video encoder of that name (checkEncoder), so that a bad
 * `codec` is refused at the upload, not when its job runs.
 * @throws SettingsError naming every problem at once: each flag at fault with what it accepts and
 * what was given, the detectors named that this server has no model file for, and an unknown codec.
 */
export function settingsToArgs(settings: JobSettings, hasEncoder: (name: string) => string | undefined = () => undefined): { args: string[]; options: FileOptions } {
  const raw = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const parsed = fileOptionsSchema.safeParse(raw);
  // The detectors are judged alone too, so that a missing model is named with the other faults (a trial's was said only once those were fixed).
  const detectors = parsed.success ? parsed.data : fileOptionsSchema.safeParse({ detector: raw.detector }).data;
  const problems = parsed.success ? [] : [describeIssue(parsed.error, fileOptionSpecs, raw)];
  // Refused here, at the upload, rather than by the worker after the job has queued.
  const missing = (detectors?.detector ?? []).flatMap((name) => findModel(name) ?? []).filter((m) => foundPath(m) === undefined);
  if (missing.length > 0) {
    problems.push(`--detector ${missing.map((m) => m.name).join(',')}: not installed on this server (its administrator can run '${missing.map(installCommand).join("' and '")}')`);
  }
  const codec = typeof raw.codec === 'string' ? hasEncoder(raw.codec) : undefined;
  if (codec) problems.push(codec);
  if (!parsed.success || problems.length > 0) throw new SettingsError(problems.join('; '));
  const args = Object.entries(raw).flatMap(([k, v]) => {
    const flag = flagOf(fileOptionSpecs[k as JobOption]);
    // One `--flag=value` word: a value that starts with a dash stays a value.
    if (typeof v !== 'boolean') return [`${flag}=${String(v)}`];
    // `--no-audio` style flags default to true: only false is worth saying.
    const negated = fileOptionSpecs[k as JobOption].flags.startsWith('--no-');
    return v === !negated ? [flag] : [];
  });
  return { args, options: parsed.data };
}

/**
 * What the page needs to draw a settings form: each option's flag, help, default as `--help` shows
 * it, what it accepts, its values when they are a fixed list (a menu, not a text field), and for a
 * switch its value when not given (`--no-audio`: true).
 */
export function jobOptionsHelp(): { name: JobOption; flag: string; help: string; default?: string; expects: string; choices?: string[]; switchDefault?: boolean }[] {
  return JOB_OPTIONS.map((name) => {
    const spec = fileOptionSpecs[name];
    const def = defaultText(spec);
    const initial: unknown = spec.schema.safeParse(undefined).data;
    const choices = choicesOf(spec);
    return {
      name,
      flag: flagOf(spec),
      // The form says which detectors this server can run, not only which exist.
      help: name === 'detector' ? `${spec.help}; installed on this server: ${DETECTORS.filter((d) => foundPath(findModel(d)!) !== undefined).join(', ')}` : spec.help,
      ...(def === undefined ? {} : { default: def }),
      expects: typeof initial === 'boolean' ? 'true or false' : expectedValue(name, spec),
      ...(choices ? { choices } : {}),
      ...(typeof initial === 'boolean' ? { switchDefault: initial } : {}),
    };
  });
}

/** The option a job argument sets: `--thresh=0.4` → thresh, `--no-audio` → audio. */
export function optionOfArg(arg: string): JobOption | undefined {
  const flag = arg.split('=', 1)[0];
  return JOB_OPTIONS.find((k) => flagOf(fileOptionSpecs[k]) === flag);
}

/** The inverse of {@link settingsToArgs}, for a job's stored args: `--thresh=0.4 --no-audio` → `{thresh: '0.4', audio: false}`. */
export function argsToSettings(args: readonly string[]): JobSettings {
  const settings: JobSettings = {};
  for (const arg of args) {
    const key = optionOfArg(arg);
    if (!key) continue;
    const eq = arg.indexOf('=');
    settings[key] = eq >= 0 ? arg.slice(eq + 1) : !fileOptionSpecs[key].flags.startsWith('--no-');
  }
  return settings;
}
