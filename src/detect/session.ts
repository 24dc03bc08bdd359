// First: onnxruntime must see it before it starts.
import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { usageError } from '../errors.js';

export type ExecutionProvider = 'cpu' | 'cuda' | 'auto';

export interface SessionConfig {
  provider: ExecutionProvider;
  /** Threads for one inference; 0 lets onnxruntime choose. */
  threads: number;
  /** Receives one-line notices such as the CPU fallback. */
  notice: (line: string) => void;
}

export interface Session {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** The first input's shape as the model declares it: numbers are fixed sizes, names dynamic ones; empty when undeclared. */
  inputShape: readonly (number | string)[];
  /** The execution provider the session really runs on. */
  provider: 'cpu' | 'cuda';
  dispose(): Promise<void>;
}

function options(provider: 'cpu' | 'cuda', threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    // One model runs one node at a time; extra inter-op threads only contend with ffmpeg.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Memory patterns are planned per input shape, and every pass has its own shape: at 1080p they
    // added 65 MB to the peak for no speed beyond this machine's noise (18.4 s on, 18.8 s off).
    enableMemPattern: false,
    // onnxruntime warns about unused initializers in older exports such as CenterFace's.
    logSeverityLevel: 3,
    // Idle worker threads would otherwise spin, taking the CPU from the ffmpeg encoder running beside them.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

async function open(model: string | Uint8Array, opts: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
}

function wrap(session: ort.InferenceSession, provider: 'cpu' | 'cuda'): Session {
  return {
    run: (feeds) => session.run(feeds),
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputShape: session.inputMetadata[0]?.isTensor ? session.inputMetadata[0].shape : [],
    provider,
    dispose: () => session.release(),
  };
}

/** What this onnxruntime-node build can run: bundled providers work as installed, the others need extra libraries. */
function availableProviders(): string {
  const all = ort.listSupportedBackends();
  const ready = all.filter((b) => b.bundled).map((b) => b.name);
  const extra = all.filter((b) => !b.bundled).map((b) => b.name);
  return `${ready.join(', ')}${extra.length > 0 ? ` (${extra.join(', ')} need NVIDIA's CUDA 12 and cuDNN 9 libraries)` : ''}`;
}

/**
 * The one place that creates inference sessions. CUDA needs onnxruntime-node's CUDA binaries and a
 * CUDA 12 runtime; when they are missing, 'cuda' is an error that lists what is available and 'auto'
 * falls back to the CPU with a one-line notice.
 */
export async function createSession(model: string | Uint8Array, cfg: SessionConfig): Promise<Session> {
  // A failed CUDA probe logs a multi-line native error before it throws; our own one-line message says it better.
  ort.env.logLevel = 'fatal';
  if (cfg.provider === 'cpu') return wrap(await open(model, options('cpu', cfg.threads)), 'cpu');
  try {
    return wrap(await open(model, options('cuda', cfg.threads)), 'cuda');
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    if (cfg.provider === 'cuda') {
      throw usageError(
        `the CUDA execution provider is not available (${reason}); available providers: ${availableProviders()}. ` +
          `Use --execution-provider cpu, or see "GPU" in docs/how-it-works.md to install CUDA support`,
      );
    }
    cfg.notice('CUDA is not available here; running the detector on the CPU');
    return wrap(await open(model, options('cpu', cfg.threads)), 'cpu');
  }
}
