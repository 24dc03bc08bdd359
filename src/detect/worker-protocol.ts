import type { Detection } from './box.js';
import type { FrameKind } from './detector.js';
import type { MultiPassConfig } from './multi-pass.js';
import type { PixelLayout } from '../media/frame.js';

/** The detector's config without its callback, which cannot cross a thread boundary. */
export type WorkerConfig = Omit<MultiPassConfig, 'notice'>;

/** A frame as posted to the worker: plane data is shared (SharedArrayBuffer) or copied, never transferred. */
export interface PostedFrame {
  width: number;
  height: number;
  layout: PixelLayout;
  planes: { data: Uint8Array; width: number; height: number; subsample: number }[];
}

export type ToWorker = { type: 'detect'; id: number; frame: PostedFrame; kind: FrameKind } | { type: 'dispose' };

export type FromWorker =
  | { type: 'ready'; name: string; provider: 'cpu' | 'cuda' }
  | { type: 'notice'; line: string }
  | { type: 'failed'; message: string; exitCode: 1 | 2 }
  | { type: 'detections'; id: number; detections: Detection[] }
  | { type: 'error'; id: number; message: string };
