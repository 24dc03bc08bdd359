// Preloaded (--require) by bench/lib/cpu.js into a profiled run: each worker thread writes its own
// thread id to CPU_PROFILE_TID_DIR, since /proc names every Node thread "node".
const { isMainThread } = require('node:worker_threads');
const { readlinkSync, writeFileSync } = require('node:fs');
const dir = process.env.CPU_PROFILE_TID_DIR;
if (dir && !isMainThread) {
  const tid = readlinkSync('/proc/thread-self').split('/').pop();
  writeFileSync(`${dir}/${tid}.tid`, '');
}
