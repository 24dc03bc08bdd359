import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { Detection } from './box.js';
import type { Detector } from './detector.js';
import type { MultiPassConfig } from './multi-pass.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/**
 * A Detector whose model runs on a worker thread. Frames backed by a SharedArrayBuffer are read
 * there in place; others are copied by postMessage. Results come back in any order, matched by id.
 */
export function createThreadedDetector(cfg: MultiPassConfig): Promise<Detector> {
  const { notice, ...workerConfig } = cfg;
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: workerConfig });
  const pending = new Map<number, { resolve: (d: Detection[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  const post = (m: ToWorker) => worker.postMessage(m);
  return new Promise((resolveReady, rejectReady) => {
    const failAll = (err: Error) => {
      dead = err;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      rejectReady(err);
    };
    worker.on('error', (err) => failAll(err));
    worker.on('exit', (code) => {
      if (code !== 0 || pending.size > 0) failAll(new Error(`the detector thread stopped (exit code ${code})`));
    });
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'notice':
          notice(m.line);
          break;
        case 'failed':
          failAll(new UserError(m.message, m.exitCode));
          break;
        case 'detections':
        case 'error': {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (m.type === 'detections') p?.resolve(m.detections);
          else p?.reject(new Error(m.message));
          break;
        }
        case 'ready':
          resolveReady({
            name: m.name,
            provider: m.provider,
            detect(frame, kind = 'motion') {
              if (dead) return Promise.reject(dead);
              const id = nextId++;
              return new Promise<Detection[]>((resolve, reject) => {
                pending.set(id, { resolve, reject });
                const { width, height, layout, planes } = frame;
                post({ type: 'detect', id, kind, frame: { width, height, layout, planes } });
              });
            },
            async dispose() {
              if (dead) return;
              const exited = new Promise<void>((r) => worker.once('exit', () => r()));
              post({ type: 'dispose' });
              await exited;
            },
          });
      }
    });
  });
}
