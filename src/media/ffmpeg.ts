import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { usageError } from '../errors.js';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** Where they came from, for --verbose. */
  source: string;
  /** ffmpeg's major version; decides between -fps_mode (5+) and the older -vsync. */
  major: number;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of process.platform === 'win32' ? ['.exe', ''] : ['']) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

/**
 * The static builds in @ffmpeg-installer/* are an optional fallback for machines with no ffmpeg.
 * One that is not executable (its package's chmod script did not run: scripts/postinstall.js does it) is
 * passed over, so that the user reads "ffmpeg not found" rather than a spawn error on every file.
 */
function bundled(pkg: string): string | undefined {
  try {
    const mod = createRequire(import.meta.url)(pkg) as { path?: string };
    if (mod.path) accessSync(mod.path, constants.X_OK);
    return mod.path;
  } catch {
    return undefined;
  }
}

function versionOf(ffmpeg: string): number {
  const out = spawnSync(ffmpeg, ['-hide_banner', '-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) throw usageError(`cannot run ${ffmpeg}: ${out.error?.message ?? out.stderr.trim()}`);
  // Git builds (such as the bundled static one) print a hash instead of a version number, so the
  // release is read off libavformat's major version: 58 is ffmpeg 4, 59 is ffmpeg 5, and so on.
  const lavf = /libavformat\s+(\d+)\./.exec(out.stdout);
  if (lavf) return Number(lavf[1]) - 54;
  const m = /version\s+n?(\d+)\./.exec(out.stdout);
  return m ? Number(m[1]) : 4;
}

/**
 * Finds ffmpeg and ffprobe: FFMPEG_PATH / FFPROBE_PATH, then PATH (a system build is newer and gets
 * security fixes), then the bundled static build.
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegTools {
  const candidates: [string | undefined, string | undefined, string][] = [
    [env.FFMPEG_PATH, env.FFPROBE_PATH, 'FFMPEG_PATH/FFPROBE_PATH'],
    [onPath('ffmpeg', env), onPath('ffprobe', env), 'PATH'],
    [bundled('@ffmpeg-installer/ffmpeg'), bundled('@ffprobe-installer/ffprobe'), 'bundled @ffmpeg-installer static build'],
  ];
  for (const [ffmpeg, ffprobe, source] of candidates) {
    if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, source, major: versionOf(ffmpeg) };
  }
  throw usageError(
    'ffmpeg and ffprobe were not found: install them (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; ' +
      'Windows: winget install ffmpeg), or set FFMPEG_PATH and FFPROBE_PATH',
  );
}

/**
 * Refuses a name that is not one of this ffmpeg's video encoders (`--codec libx265x`, or the audio
 * encoder `aac`), before any work: without it, a batch would detect through every file and fail each
 * one at its encoder. Read from `ffmpeg -encoders`, whose lines are " V....D libx264  description"
 * (V: video). Not checked when ffmpeg cannot be asked (each video then says why).
 * @throws UserError (exit 2) naming the encoder and how to list the known ones.
 */
export function checkEncoder(tools: FfmpegTools, name: string): void {
  const problem = encoderProblem(tools, name);
  if (problem) throw usageError(problem.known ? problem.text : `${problem.text} ('${tools.ffmpeg} -encoders' lists those it has)`);
}

/**
 * What is wrong with `name` as a video encoder of this ffmpeg, or undefined when it is one (or
 * ffmpeg cannot be asked): `known` when it is an encoder of another kind. Without the server's path
 * of ffmpeg, for serve's settings check.
 */
export function encoderProblem(tools: FfmpegTools, name: string): { text: string; known: boolean } | undefined {
  const out = spawnSync(tools.ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) return undefined;
  const kind = new RegExp(`^ ([VAS])\\S* ${name.replace(/[^\w-]/g, '')} `, 'm').exec(out.stdout)?.[1];
  if (kind === 'V') return undefined;
  return kind
    ? { text: `--codec ${name}: is an ${kind === 'A' ? 'audio' : 'subtitle'} encoder; give a video one, such as libx264 or libx265`, known: true }
    : { text: `--codec ${name}: this ffmpeg has no such encoder`, known: false };
}

/** Keep every frame with its own timestamp: -fps_mode replaced -vsync in ffmpeg 5. */
export function passthroughArgs(tools: FfmpegTools): string[] {
  return tools.major >= 5 ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

/** A time offset for ffmpeg's options, in seconds to the microsecond (ffmpeg's own precision for start times). */
export const seconds = (t: number): string => t.toFixed(6);

/**
 * The raw-video pipes count in milliseconds (Matroska's default scale). Without this, ffmpeg gives a
 * video encoder a time base of one frame at the stream's declared rate, and passthrough timestamps
 * are rounded onto that grid: a variable-rate stream, or one that starts off the grid, moves.
 */
export const MS_TIME_BASE = ['-enc_time_base:v', '1:1000'];

/** Tracks live child processes so that an interrupt can end every one of them. */
export class ChildSet {
  private readonly children = new Set<ChildProcess>();
  add(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }
  killAll(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }
  /** Kills every child still running and resolves once each has exited (and been reaped). */
  async killAllAndWait(): Promise<void> {
    // A child that never started (spawn failed: no pid) gets no 'exit'; nor does one already exited.
    const running = [...this.children].filter((c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null);
    const exited = running.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
    this.killAll();
    await Promise.all(exited);
  }
}

export interface FfmpegProcess {
  stdin: Writable | null;
  stdout: Readable | null;
  /** Resolves on exit 0; rejects with the last lines ffmpeg wrote to stderr otherwise. */
  exited: Promise<void>;
  kill(): void;
  /**
   * The lines ffmpeg wrote to stderr so far, and the first of them without its `[h264 @ 0x…]`
   * prefix. Run at `-loglevel error`, every one is an error, even when ffmpeg exits 0 (a damaged
   * stream it decoded around).
   */
  complaints(): { count: number; first: string | undefined };
}

const STDERR_TAIL_LINES = 12;

/**
 * ffmpeg's closing lines after a failure, which say that it failed but not why ("Error initializing
 * output stream 0:0 --" followed the WebM muxer's "Only VP8 or VP9 or AV1 video … are supported").
 */
const WRAP_UP = /^(Conversion failed!|Error marking filters as finished|Cannot determine format of input stream .* after EOF|Exiting normally.*|Error initializing output stream .*|Could not write header for output file .*)$/;

export function runFfmpeg(
  bin: string,
  args: string[],
  io: { stdin: boolean; stdout: boolean; ownGroup?: boolean },
  children: ChildSet,
  label: string,
): FfmpegProcess {
  // In its own process group, a terminal's Ctrl+C reaches only faceblur, which then ends the child itself.
  const child = spawn(bin, args, { stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', 'pipe'], detached: io.ownGroup ?? false });
  children.add(child);
  // Only a bounded tail of stderr is kept: a long run can print megabytes of warnings.
  const tail: string[] = [];
  const said = { count: 0, first: undefined as string | undefined };
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const l of lines) {
      if (!l.trim()) continue;
      tail.push(l.trim());
      said.count++;
      said.first ??= withoutPrefix(l.trim());
    }
    if (tail.length > STDERR_TAIL_LINES) tail.splice(0, tail.length - STDERR_TAIL_LINES);
  });
  // A write to a child that died raises EPIPE on stdin; the exit status below reports the real cause.
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('error', () => undefined);
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`${label}: cannot start ${bin}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      if (partial.trim()) tail.push(partial.trim());
      const telling = tail.filter((l) => !WRAP_UP.test(l));
      const why = telling.length > 0 ? withoutPrefix(telling[telling.length - 1]!) : signal ? `killed by ${signal}` : `exit code ${code}`;
      reject(new FfmpegError(`${label} failed: ${why}`));
    });
  });
  // Callers observe failures through `exited` when they await it; this keeps an early exit from being unhandled.
  exited.catch(() => undefined);
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    complaints: () => ({ ...said }),
  };
}

/** A line of ffmpeg's log without the `[h264 @ 0x55d…]` that names the component saying it. */
const withoutPrefix = (line: string): string => line.replace(/^\[[^\]]+\]\s*/, '');

export class FfmpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}
