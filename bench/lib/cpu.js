// CPU time of whole commands and of each process and thread inside them, from /proc (Linux only).
// On a machine shared with other jobs, wall time follows the load; CPU time (user + sys) hardly does.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Clock ticks per second of /proc's times (sysconf(_SC_CLK_TCK)): 100 on every Linux build we know of. */
const TICK = 1 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** utime + stime (seconds) of a /proc stat line; `children` adds cutime + cstime (descendants waited for). */
function statCpu(line, children = false) {
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const own = Number(f[11]) + Number(f[12]);
  return (children ? own + Number(f[13]) + Number(f[14]) : own) * TICK;
}

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Runs a command to its end; its wall time and its CPU time, all descendants included, read as the
 * growth of this process's cutime + cstime (getrusage(RUSAGE_CHILDREN)), so nothing that exits early is missed.
 */
export function cpuCommand(cmd, args, env = process.env) {
  const before = statCpu(readFileSync('/proc/self/stat', 'utf8'), true) - statCpu(readFileSync('/proc/self/stat', 'utf8'));
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const self = readFileSync('/proc/self/stat', 'utf8');
  const cpu = statCpu(self, true) - statCpu(self) - before;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { seconds, cpu, stderr: r.stderr, stdout: r.stdout };
}

/** What an ffmpeg child of faceblur does, from its arguments. */
function ffmpegRole(cmdline) {
  if (cmdline.includes('ffprobe')) return 'ffprobe';
  if (!cmdline.includes('ffmpeg')) return 'ffmpeg (other)';
  if (cmdline.includes('pipe:1')) return 'ffmpeg decoder';
  if (cmdline.includes('pipe:0')) return 'ffmpeg encoder';
  return 'ffmpeg (other)';
}

/**
 * Runs a Node command and samples, every `everyMs`, the CPU time of each of its threads and of each of
 * its child processes (ffmpeg), keeping the last reading of each. The detector's worker thread names
 * itself through a preload (--require) that writes its thread id to a file: every Node thread is
 * called "node". Threads started after it are onnxruntime's (its intra-op pool, created by the
 * worker when the sessions open); the main thread's id is the process id; the rest are V8's platform
 * threads (concurrent GC, compiler) and libuv's pool. Returns CPU seconds by part, plus the total
 * from rusage, whose difference from the sum is what the last sample missed.
 */
export async function profileThreads(nodeArgs, env = process.env, everyMs = 20) {
  const dir = mkdtempSync(join(tmpdir(), 'cpu-prof-'));
  const preload = join(import.meta.dirname, 'worker-tid.cjs');
  const before = statCpu(readFileSync('/proc/self/stat', 'utf8'), true) - statCpu(readFileSync('/proc/self/stat', 'utf8'));
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--require', preload, ...nodeArgs], { env: { ...env, CPU_PROFILE_TID_DIR: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const pid = child.pid;
  const threads = new Map(); // tid -> { cpu, start }
  const procs = new Map(); // pid -> { role, cpu }
  const sample = () => {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      const s = read(`/proc/${pid}/task/${tid}/stat`);
      if (s) threads.set(Number(tid), statCpu(s));
      for (const c of (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter(Boolean)) {
        const cs = read(`/proc/${c}/stat`);
        if (!cs) continue;
        // Read until the child has exec'd ffmpeg: just after the fork its command line is still Node's.
        const known = procs.get(c)?.role;
        procs.set(c, { role: known && known !== 'ffmpeg (other)' ? known : ffmpegRole(read(`/proc/${c}/cmdline`) ?? ''), cpu: statCpu(cs) });
      }
    }
  };
  const timer = setInterval(sample, everyMs);
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const self = readFileSync('/proc/self/stat', 'utf8');
  const total = statCpu(self, true) - statCpu(self) - before;
  if (code !== 0) throw new Error(`node ${nodeArgs.join(' ')} failed (${code}): ${stderr.slice(-2000)}`);
  const workerTid = Number(readdirSync(dir).map((f) => f.replace('.tid', ''))[0] ?? NaN);
  rmSync(dir, { recursive: true, force: true });
  const parts = { 'node main thread': 0, 'node detector worker thread': 0, 'onnxruntime pool threads': 0, 'node other threads (V8 GC/compiler, libuv)': 0 };
  for (const [tid, cpu] of threads) {
    const part = tid === pid ? 'node main thread' : tid === workerTid ? 'node detector worker thread' : tid > workerTid ? 'onnxruntime pool threads' : 'node other threads (V8 GC/compiler, libuv)';
    parts[part] += cpu;
  }
  for (const { role, cpu } of procs.values()) parts[role] = (parts[role] ?? 0) + cpu;
  const sum = Object.values(parts).reduce((a, b) => a + b, 0);
  parts['not sampled (exited between samples)'] = Math.max(0, total - sum);
  return { seconds, cpu: total, parts, stderr };
}
