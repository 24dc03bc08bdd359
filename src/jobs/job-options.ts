import { Command } from 'commander';
import { addOptions } from '../cli.js';
import { describeIssue } from '../option-messages.js';
import { fileOptionSpecs, fileOptionsSchema, type FileOptions } from '../options.js';

/**
 * A job's CLI arguments (JobRecord.args) as the CLI reads them: commander with the file-mode
 * options, then the one zod schema. The worker needs a few of them itself (the codec and audio of a
 * segmented video's join); the CLI child that renders the job reads the same arguments.
 * @throws Error with the CLI's own message for an unknown or invalid option.
 */
export function parseJobArgs(args: readonly string[]): FileOptions {
  const cmd = addOptions(new Command('faceblur').argument('[inputs...]').exitOverride().configureOutput({ writeErr: () => undefined }), fileOptionSpecs);
  cmd.parse(['placeholder-input', ...args], { from: 'user' });
  const raw = cmd.opts();
  const parsed = fileOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(describeIssue(parsed.error, fileOptionSpecs, raw));
  return parsed.data;
}
