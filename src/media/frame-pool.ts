/**
 * Recycles frame buffers (in shared memory, so the detector thread can read them in place). A
 * buffer comes back once the encoder has written its bytes to the pipe; without recycling, a long
 * video would leave hundreds of megabytes of dead buffers for the garbage collector to find.
 */
export class FramePool {
  private readonly free: Uint8Array[] = [];

  constructor(private readonly keep = 8) {}

  take(size: number): Uint8Array {
    const i = this.free.findIndex((b) => b.length === size);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    return new Uint8Array(new SharedArrayBuffer(size));
  }

  give(buf: Uint8Array): void {
    if (this.free.length < this.keep && buf.buffer instanceof SharedArrayBuffer) this.free.push(buf);
  }
}
