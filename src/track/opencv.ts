import { createRequire } from 'node:module';

// The few parts of OpenCV.js (@techstark/opencv-js, OpenCV 4.12 compiled to WebAssembly) that box
// following uses. Its own typings cover all of OpenCV; this interface names what we rely on.

/** An OpenCV matrix in the WebAssembly heap: must be freed with delete(). `data` is a view of its bytes. */
export interface CvMat {
  rows: number;
  cols: number;
  data: Uint8Array;
  delete(): void;
}

export interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  CV_8UC1: number;
  TM_CCOEFF_NORMED: number;
  matchTemplate(image: CvMat, templ: CvMat, result: CvMat, method: number): void;
  minMaxLoc(src: CvMat): { maxVal: number; maxLoc: { x: number; y: number } };
}

interface CvModule extends Partial<OpenCv> {
  /** Emscripten's readiness hook: calls `ready` once the WebAssembly runtime is up (at once if it is). */
  then(ready: () => void): unknown;
}

/**
 * Loads OpenCV.js once per process (Node caches the module; its WebAssembly instance compiles on
 * first import: about 0.6 s and 125 MB of RSS on an idle machine, see docs/development.md). The
 * module is a thenable that passes itself to its callback, which `await` (or returning it from an
 * async function, or a dynamic import's interop) would chase for ever: it is required, its `then` is
 * called with a callback that resolves with nothing, and what is returned is a plain object of the
 * parts used.
 */
export async function loadOpenCv(): Promise<OpenCv> {
  // Required, not imported: a test runner's interop that awaits the namespace would chase the thenable.
  const mod = createRequire(import.meta.url)('@techstark/opencv-js') as CvModule;
  if (!mod.Mat) {
    // WebAssembly compiling in the background does not keep Node's event loop alive: without a
    // timer, a process with nothing else to do would exit in the middle of the await.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await new Promise<void>((resolve) => void mod.then(() => resolve()));
    } finally {
      clearInterval(keepAlive);
    }
  }
  const cv = mod as OpenCv;
  return {
    Mat: cv.Mat,
    CV_8UC1: cv.CV_8UC1,
    TM_CCOEFF_NORMED: cv.TM_CCOEFF_NORMED,
    matchTemplate: (image, templ, result, method) => cv.matchTemplate(image, templ, result, method),
    minMaxLoc: (src) => cv.minMaxLoc(src),
  };
}
