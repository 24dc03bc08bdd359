import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option, type OutputConfiguration } from 'commander';
import { describeIssue, flagOf, ineffectiveOptions } from './option-messages.js';
import { analyzeOptionSpecs, camOptionSpecs, camOptionsSchema, defaultText, fileOptionSpecs, fileOptionsSchema, trackOptionSpecs, trackOptionsSchema, type OptionSpec } from './options.js';
import { errorMessage, InterruptedError, signalExitCode, UserError, usageError } from './errors.js';
import { mistypedCommand } from './io/typo.js';
import { packageRoot } from './models/manifest.js';
import { runFiles } from './run-files.js';
import { projectInputPath } from './project/file.js';
import { DETECT, reviewOptionSpecs } from './review/options.js';
import { installModels, listModels } from './run-models.js';
import { serveOptionSpecs } from './serve/options.js';
import { workerOptionSpecs } from './jobs/worker-options.js';

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Adds each spec as a commander option, with its default in the help text (hidden specs left out of --help). */
export function addOptions(cmd: Command, specs: Record<string, OptionSpec>): Command {
  for (const spec of Object.values(specs)) {
    const def = defaultText(spec);
    cmd.addOption(new Option(spec.flags, def === undefined ? spec.help : `${spec.help} (default: ${def})`).hideHelp(spec.hidden === true));
  }
  return cmd;
}

/**
 * A render from a project runs no detector or tracker: its tracks say what is anonymized. A
 * detection flag given with --project would be silently ignored, and a user who raised --hold or
 * lowered --thresh to cover more would publish a render that covers exactly what it did before.
 * @throws UserError (exit 2) naming the flags given.
 */
function refuseDetectionFlags(cmd: Command): void {
  const given = [...DETECT, 'tracking' as const].filter((k) => cmd.getOptionValueSource(k) === 'cli').map((k) => flagOf(fileOptionSpecs[k]));
  if (given.length === 0) return;
  throw usageError(
    `${given.join(', ')} ${given.length === 1 ? 'has' : 'have'} no effect with --project, which renders the project's tracks without detecting (to detect again, run faceblur analyze)`,
  );
}

/** Warns, on stderr and even with --quiet, of each option given that the others make do nothing. */
function warnIneffective(cmd: Command, o: Parameters<typeof ineffectiveOptions>[1]): void {
  const given = new Set(Object.keys(cmd.opts()).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
  for (const w of ineffectiveOptions(given, o)) process.stderr.write(`faceblur: warning: ${w}\n`);
}

/** What bare `faceblur` prints after its error: the three forms of the command, not the whole help. */
const USAGE = [
  'usage: faceblur [options] <video|photo|folder...>   anonymize files (outputs: <name>_anonymized.<ext>)',
  '       faceblur cam [options]                       anonymize a webcam live, in a browser preview',
  '       faceblur analyze|review|track <input>        review and fix what is anonymized (redaction projects)',
  '       faceblur serve [options]                     a web app: upload, anonymize, review, download',
  '       faceblur models install|list                 manage the detector models',
  '       faceblur --help                              every option, with its default',
].join('\n');

/**
 * Commander's own errors (an unknown option, a missing value) in one line, as faceblur's are: "faceblur:
 * unknown option '--replacewtih' (did you mean --replacewith?); run faceblur --help for usage". Commander
 * writes them as two or three lines ("error: …", "(Did you mean …?)", the help hint).
 */
function oneLineErrors(command: string): OutputConfiguration {
  return {
    outputError: (text, write) => {
      const said = text.trim().replace(/^error: /, '').replace(/\n\(Did you mean (.*)\)$/s, ' (did you mean $1)').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
      write(`faceblur: ${said}; run ${command} --help for usage\n`);
    },
  };
}

function buildProgram(setExit: (code: number) => void): Command {
  // The commands other than file mode are loaded on use: their libraries (OpenCV's WebAssembly, the
  // web server, the queue client) cost a file-mode run about 0.2 s of CPU at every start.
  const program = new Command('faceblur')
    .description('Anonymize faces in videos and photos.\nOutputs are written beside each input as <name>_anonymized.<ext> unless -o says otherwise.')
    .version(version, '--version')
    .argument('[inputs...]', 'video or photo files, folders, or glob patterns')
    .configureOutput(oneLineErrors('faceblur'))
    // Options before `cam` belong to file mode; those after it, to cam.
    .enablePositionalOptions()
    .exitOverride();
  addOptions(program, fileOptionSpecs).action(async (inputs: string[], raw: Record<string, unknown>) => {
    if (inputs.length === 0 && typeof raw.project === 'string') {
      const input = await projectInputPath(raw.project);
      const q = (s: string) => (/[\s'"]/.test(s) ? `'${s.replace(/'/g, `'\\''`)}'` : s);
      throw usageError(`no input given: --project renders the file it was made for; run faceblur ${q(input)} --project ${q(raw.project)}`);
    }
    if (inputs.length === 0) throw usageError(`no input files given\n${USAGE}`);
    // `faceblur help [command]`, as git and npm take it, unless a file is really called "help".
    if (inputs[0] === 'help' && !existsSync('help')) {
      const named = inputs[1] === undefined ? program : program.commands.find((c) => c.name() === inputs[1]);
      if (!named) throw usageError(`help: no command '${inputs[1]}'\n${USAGE}`);
      named.outputHelp();
      return;
    }
    const typo = inputs.map((i) => mistypedCommand(i, program.commands.map((c) => c.name()))).find(Boolean);
    if (typo) throw usageError(typo);
    const parsed = fileOptionsSchema.safeParse(raw);
    if (!parsed.success) throw usageError(describeIssue(parsed.error, fileOptionSpecs, raw));
    if (parsed.data.project !== undefined) refuseDetectionFlags(program);
    warnIneffective(program, parsed.data);
    setExit(await runFiles(inputs, parsed.data, version));
  });
  const cam = program
    .command('cam')
    .description('anonymize a camera (or any live ffmpeg input) and show it in a local browser preview')
    .configureOutput(oneLineErrors('faceblur cam'))
    .exitOverride();
  addOptions(cam, camOptionSpecs).action(async (raw: Record<string, unknown>) => {
    const parsed = camOptionsSchema.safeParse(raw);
    if (!parsed.success) throw usageError(describeIssue(parsed.error, camOptionSpecs, raw));
    warnIneffective(cam, parsed.data);
    setExit(await (await import('./run-cam.js')).runCam(parsed.data));
  });
  const analyze = program
    .command('analyze')
    .description('detect and track the faces of each input into an editable redaction project, <name>.faceblur.json; render it with faceblur INPUT --project FILE')
    .argument('<inputs...>', 'video or photo files, folders, or glob patterns')
    .configureOutput(oneLineErrors('faceblur analyze'))
    .exitOverride();
  addOptions(analyze, analyzeOptionSpecs).action(async (inputs: string[], raw: Record<string, unknown>) => {
    // The options analyze does not offer take their defaults: one schema, one meaning per flag.
    const parsed = fileOptionsSchema.safeParse(raw);
    if (!parsed.success) throw usageError(describeIssue(parsed.error, analyzeOptionSpecs, raw));
    setExit(await runFiles(inputs, parsed.data, version, 'analyze'));
  });
  const review = program
    .command('review')
    .description('check, fix and export the face decisions for one video or photo in a local browser editor (analyzes it first when it has no project)')
    .argument('<input>', 'video or photo file')
    .configureOutput(oneLineErrors('faceblur review'))
    .exitOverride();
  addOptions(review, reviewOptionSpecs).action(async (input: string, raw: Record<string, unknown>) => setExit(await (await import('./review/run.js')).runReview(input, raw, review)));
  const track = program
    .command('track')
    .description('follow a box drawn on one frame forward and backward through INPUT, and add it to its project as a manual track to anonymize')
    .argument('<input>', 'the video (or photo) the project was made for')
    .usage('<input> --project FILE --frame N --box x1,y1,x2,y2 [--label TEXT]')
    .configureOutput(oneLineErrors('faceblur track'))
    .exitOverride();
  addOptions(track, trackOptionSpecs).action(async (input: string, raw: Record<string, unknown>) => {
    const parsed = trackOptionsSchema.safeParse(raw);
    if (!parsed.success) throw usageError(describeIssue(parsed.error, trackOptionSpecs, raw));
    setExit(await (await import('./run-track.js')).runTrack(input, parsed.data));
  });
  const serve = program
    .command('serve')
    .description('a web app for teams: upload videos and photos in the browser, follow the jobs, review, download; jobs are deleted after --retention')
    .configureOutput(oneLineErrors('faceblur serve'))
    .exitOverride();
  addOptions(serve, serveOptionSpecs).action(async (raw: Record<string, unknown>) => setExit(await (await import('./serve/run.js')).runServe(raw, version)));
  const worker = program
    .command('worker')
    .description("run the jobs of `faceblur serve --redis URL` from its queue in Redis, on this machine; start one or more per machine that shares serve's data folder")
    .configureOutput(oneLineErrors('faceblur worker'))
    .exitOverride();
  addOptions(worker, workerOptionSpecs).action(async (raw: Record<string, unknown>) => setExit(await (await import('./jobs/run-worker.js')).runWorker(raw)));
  const models = program.command('models').description('manage the detector models').exitOverride();
  models
    .command('install')
    .description('install models (all defaults when none are named) from FACEBLUR_MODEL_DIR or by download, checking sha256')
    .argument('[names...]', 'model names from `faceblur models list`')
    .option('--offline-ok', 'exit 0 even if a model could not be installed (used by npm install)')
    .option('--accept-license <terms>', "accept a model's restrictive licence terms (SCRFD: non-commercial)")
    .action(async (names: string[], o: { offlineOk?: boolean; acceptLicense?: string }) =>
      setExit(await installModels(names, { offlineOk: Boolean(o.offlineOk), acceptLicense: o.acceptLicense })),
    )
    .exitOverride();
  models
    .command('list')
    .description('list known models and whether they are installed')
    .action(async () => setExit(await listModels()))
    .exitOverride();
  return program;
}

/** The CLI entry: the only place that turns errors into exit codes. */
export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  // A reader that stops early (`| head`, `| true`) closes stdout: what is left of the results goes
  // nowhere, and the work goes on (a new-user trial saw a batch crash after its first file).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  let code = 0;
  try {
    await buildProgram((c) => (code = c)).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version exit 0; anything else commander rejects is a usage error.
      code = err.exitCode === 0 ? 0 : 2;
    } else if (err instanceof UserError) {
      process.stderr.write(`faceblur: ${err.message}\n`);
      code = err.exitCode;
    } else if (err instanceof InterruptedError) {
      code = signalExitCode(err.signal);
    } else {
      process.stderr.write(`faceblur: ${errorMessage(err)}\n`);
      if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      code = 1;
    }
  }
  process.exitCode = code;
}
