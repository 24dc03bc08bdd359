import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { createMultiPassDetector } from './multi-pass.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.js';

/**
 * The detector's thread. onnxruntime-node runs inference synchronously on the calling thread, so
 * running it here leaves the main thread free to anonymize and encode the previous frame meanwhile.
 */
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

try {
  const detector = await createMultiPassDetector({ ...(workerData as WorkerConfig), notice: (line) => send({ type: 'notice', line }) });
  // One frame at a time: a second frame started while the first waits for its inference would hold
  // its own input tensors beside the first's (25 MB per pass at 1080p), and runs were no faster for it.
  let queue: Promise<unknown> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'dispose') {
      void queue.then(() => detector.dispose()).finally(() => port.close());
      return;
    }
    const frame = { ...m.frame, index: 0, time: 0 };
    queue = queue.then(() => detector.detect(frame, m.kind)).then(
      (detections) => send({ type: 'detections', id: m.id, detections }),
      (err: unknown) => send({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  send({ type: 'ready', name: detector.name, provider: detector.provider });
} catch (err) {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err), exitCode: err instanceof UserError ? err.exitCode : 1 });
}
