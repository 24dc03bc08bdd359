import type { Command } from 'commander';
import { z } from 'zod';
import { camOptionSpecs, fileOptionSpecs, opt, type OptionSpec } from '../options.js';

/** Detection and tracking: forwarded to `faceblur analyze` when the input has no project yet. */
export const DETECT = [
  'thresh', 'singlePass', 'fast', 'thorough', 'scale', 'detector', 'model', 'executionProvider', 'threads', 'hold', 'lookahead', 'smooth', 'detectEvery',
] as const satisfies readonly (keyof typeof fileOptionSpecs)[];

/** Masks and encoding: used for the page's "show result" and forwarded to the export. */
export const RENDER = [
  'region', 'replacewith', 'mosaicSize', 'color', 'maskMargin', 'boxes', 'maskScale', 'crf', 'preset', 'codec', 'ffmpegArgs', 'audio', 'keepMetadata',
] as const satisfies readonly (keyof typeof fileOptionSpecs)[];

const pick = <K extends keyof typeof fileOptionSpecs>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, fileOptionSpecs[k]])) as Pick<typeof fileOptionSpecs, K>;

export const reviewOptionSpecs = {
  ...pick(DETECT),
  ...pick(RENDER),
  project: opt('--project <file>', 'the project to review; made by analyzing the input first when it does not exist', z.string().optional(), '<name>.faceblur.json beside the input'),
  output: opt('-o, --output <file>', 'where Export writes the anonymized file', z.string().optional(), '<name>_anonymized.<ext> beside the input'),
  force: opt('-f, --force', 'let Export replace a file that is already at its output path (otherwise it writes <name>-2_anonymized.<ext>, -3, …)', z.boolean().default(false)),
  open: opt('--no-open', 'print the editor address but do not open a browser', z.boolean().default(true), 'opens the browser'),
  port: camOptionSpecs.port,
  quiet: fileOptionSpecs.quiet,
  verbose: fileOptionSpecs.verbose,
} satisfies Record<string, OptionSpec<z.ZodType>>;

/**
 * The flags of `keys` that the user gave on the command line, as argv for a child faceblur, so that
 * analyze and the export read exactly what the user typed (and their own defaults for the rest).
 */
export function givenFlags(cmd: Command, keys: readonly (keyof typeof fileOptionSpecs)[], raw: Record<string, unknown>): string[] {
  return keys.flatMap((k) => {
    if (cmd.getOptionValueSource(k) !== 'cli') return [];
    const long = /--[\w-]+/.exec(fileOptionSpecs[k].flags)![0];
    const v = raw[k];
    return typeof v === 'boolean' ? [long] : [long, String(v)];
  });
}
