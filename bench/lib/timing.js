// Timing: wall clock of whole commands, as a user runs them, and CPU time of this process and its children.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export function timeCommand(cmd, args, env = process.env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { seconds, stderr: r.stderr, stdout: r.stdout };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * CPU seconds (user + system) of this process, its threads included, of its main thread alone, and
 * of its reaped children (ffmpeg, ffprobe), from /proc: Linux only, else the children count as 0 and
 * the main thread as the whole process.
 */
export function cpuSeconds() {
  const own = process.cpuUsage();
  let children = 0;
  let main = (own.user + own.system) / 1e6;
  // Fields after the command name: utime, stime, cutime and cstime are the 12th to 15th, in clock ticks (100 a second on Linux).
  const fields = (path) => readFileSync(path, 'utf8').split(') ')[1].split(' ');
  try {
    const f = fields('/proc/self/stat');
    children = (Number(f[13]) + Number(f[14])) / 100;
    const t = fields(`/proc/self/task/${process.pid}/stat`);
    main = (Number(t[11]) + Number(t[12])) / 100;
  } catch {}
  return { own: (own.user + own.system) / 1e6, main, children };
}

/** Waits (up to 5 s) until this process has no child left, so that their CPU time is counted by cpuSeconds(). */
export async function childrenReaped() {
  const mine = () => {
    try {
      return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).some((d) => {
        try {
          return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(process.pid);
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  for (let t = 0; t < 500 && mine(); t++) await new Promise((r) => setTimeout(r, 10));
}
