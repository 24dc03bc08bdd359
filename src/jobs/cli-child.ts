import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../models/manifest.js';

/** The CLI's own progress line: `name [###---] 120/900 frames 30.0 fps ETA 0:26` (src/ui/progress.ts). */
const PROGRESS = /(\d+)\/(\d+) frames/g;
const IS_PROGRESS = new RegExp(PROGRESS.source);

/**
 * What a line of the CLI's stderr says about `input`, without its path: its findings ("3 face tracks
 * anonymized in …", "check first: …", "not kept in the output: …") and its warnings (kept as
 * `warning: …`); undefined for any other line.
 */
function noteAbout(line: string, input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  if (line.startsWith(`${input}: `)) return line.slice(input.length + 2);
  if (line.startsWith(`warning: ${input}: `)) return `warning: ${line.slice(input.length + 11)}`;
  return undefined;
}

/**
 * Runs this faceblur's own CLI (the same code path as a user's command) as a child process, reading
 * its progress lines (FACEBLUR_PROGRESS=1 draws them into the pipe). Aborting `signal` kills it.
 * Resolves with what the run said about its input (noteAbout), for the jobs page: a trial's team
 * could not tell a job that found no face from one that found ten.
 * @throws Error with the reason the child gave when it exits non-zero: its last `error: FILE: reason`
 * line, without the server's path of the file (args[0]), else its last stderr line (the run's
 * summary says only "1 failed"); or the signal's reason.
 */
export function runCliChild(args: string[], onProgress: (done: number, total: number) => void, signal: AbortSignal): Promise<string[]> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'faceblur.js'), ...args], {
      // stdin stays open and unused: the child stops when it closes, that is when this process dies (src/run-files.ts).
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, FACEBLUR_PROGRESS: '1', NO_COLOR: '1', FACEBLUR_EXIT_WITH_PARENT: '1' },
    });
    const kill = () => child.kill('SIGTERM');
    signal.addEventListener('abort', kill, { once: true });
    const input = args[0] === 'analyze' ? args[1] : args[0];
    let last = '';
    let error = '';
    let partial = '';
    const notes: string[] = [];
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const m of chunk.matchAll(PROGRESS)) onProgress(Number(m[1]), Number(m[2]));
      // A line can be cut between two chunks: its start waits for the rest.
      const parts = (partial + chunk).split(/[\r\n]+/);
      partial = parts.pop() ?? '';
      const lines = parts.map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim()).filter((l) => l && !IS_PROGRESS.test(l));
      if (lines.length) last = lines[lines.length - 1]!;
      for (const l of lines) {
        if (l.startsWith('error: ')) error = l.slice('error: '.length).replace(`${args[0]}: `, '');
        const note = noteAbout(l, input);
        if (note !== undefined) notes.push(note);
      }
    });
    child.once('error', reject);
    child.once('close', (code) => {
      signal.removeEventListener('abort', kill);
      const tail = partial.trim();
      if (tail && !IS_PROGRESS.test(tail)) last = tail;
      if (signal.aborted) reject(signal.reason);
      else if (code === 0) resolve(notes);
      else reject(new Error(error || last.replace(/^faceblur: /, '') || `faceblur exited with code ${code}`));
    });
  });
}
