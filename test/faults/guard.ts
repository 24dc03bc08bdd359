import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLI, MODEL_DIR, sha256 } from '../helpers.js';

/**
 * Every CLI run in the fault suite goes through here: a watchdog bounds it, and afterwards the
 * invariants of issue 7 are checked: inputs unchanged, no child process left, no temp file left,
 * no stack trace.
 */
export interface GuardedRun {
  child: ChildProcess;
  /** Resolves when the CLI has exited (or the watchdog has killed it). */
  done: Promise<GuardedResult>;
  /** What the CLI has written to stderr so far. */
  stderr(): string;
  tag: string;
}

export interface GuardedResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  tag: string;
}

const TAG_VAR = 'FACEBLUR_FAULT_TAG';

/** Starts the built CLI with a unique tag in its environment, which every ffmpeg it spawns inherits. */
export function startCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): GuardedRun {
  const tag = randomBytes(8).toString('hex');
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, NO_COLOR: '1', ...opts.env, [TAG_VAR]: tag },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<GuardedResult>((resolve, reject) => {
    let timedOut = false;
    const watchdog = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
      for (const pid of survivors(tag)) process.kill(pid, 'SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, stdout, stderr, timedOut, tag });
    });
  });
  return { child, done, stderr: () => stderr, tag };
}

export const runGuarded = (args: string[], opts: Parameters<typeof startCli>[1] = {}): Promise<GuardedResult> => startCli(args, opts).done;

/** Processes (other than zombies, whose environment is gone) that carry the run's tag. */
export function survivors(tag: string): number[] {
  const needle = `${TAG_VAR}=${tag}`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(needle)) found.push(Number(name));
    } catch {
      // gone already, or not ours to read
    }
  }
  return found;
}

/** Direct child processes of a pid, with their command lines. */
export function childrenOf(pid: number): { pid: number; args: string }[] {
  const kids: { pid: number; args: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push({ pid: Number(name), args: readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ') });
    } catch {
      // exited while we looked
    }
  }
  return kids;
}

export const hashes = (paths: string[]): Record<string, string> =>
  Object.fromEntries(paths.filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile()).map((p) => [p, sha256(p)]));

/** faceblur's temp files anywhere below `dir`. */
export function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => n.includes('.faceblur-partial-')).map((n) => join(dir, n));
}

/** The invariants every fault case must keep, whatever its outcome. */
export function expectInvariants(r: GuardedResult, opts: { inputs: Record<string, string>; dirs: string[] }): void {
  expect(r.timedOut, 'the CLI hung and was killed by the watchdog').toBe(false);
  expect(r.stderr, 'a stack trace reached the user').not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  expect(r.stderr).not.toMatch(/Unhandled|TypeError|RangeError|ReferenceError/);
  expect(survivors(r.tag), 'a child process outlived the CLI').toEqual([]);
  for (const dir of opts.dirs) expect(tempFiles(dir), 'temp files left behind').toEqual([]);
  for (const [path, sum] of Object.entries(opts.inputs)) expect(sha256(path), `${path} was modified`).toBe(sum);
}

export const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('error:'));
