import type { Readable } from 'node:stream';

/**
 * Pull-based exact reads from a stream. Reading is driven by the consumer, so a slow consumer stops
 * pulling and the pipe's backpressure pauses the producer (ffmpeg) instead of buffering frames.
 */
export class ByteReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private chunk: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Ensures some unread bytes are buffered; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    while (this.offset >= this.chunk.length) {
      const next = await this.chunks.next();
      if (next.done) return false;
      this.chunk = next.value;
      this.offset = 0;
    }
    return true;
  }

  /** Reads one byte, or returns -1 at the end of the stream. */
  async byte(): Promise<number> {
    if (!(await this.fill())) return -1;
    return this.chunk[this.offset++]!;
  }

  /** Copies exactly `out.length` bytes into `out`; returns how many were available before the end. */
  async readInto(out: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < out.length) {
      if (!(await this.fill())) break;
      const n = Math.min(out.length - filled, this.chunk.length - this.offset);
      out.set(this.chunk.subarray(this.offset, this.offset + n), filled);
      this.offset += n;
      filled += n;
    }
    return filled;
  }

  /** Skips `n` bytes; returns false if the stream ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill())) return false;
      const k = Math.min(left, this.chunk.length - this.offset);
      this.offset += k;
      left -= k;
    }
    return true;
  }

  /** Lets the underlying stream go (it is destroyed, so the producer sees a closed pipe). */
  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}
