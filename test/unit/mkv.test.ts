import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/media/byte-reader.js';
import { mkvFramePrefix, mkvHeader } from '../../src/media/mkv-write.js';
import { readMkvFrames, type RawVideoPacket, type TrackInfo } from '../../src/media/mkv-read.js';

describe('Matroska raw video', () => {
  it('reads back what the writer wrote, with timestamps, across arbitrary chunk boundaries', async () => {
    const w = 6, h = 4;
    const size = w * h + 2 * 3 * 2;
    const frames = [0, 33, 100, 1234].map((t, i) => ({ t, data: new Uint8Array(size).fill(i + 1) }));
    const bytes = Buffer.concat([
      mkvHeader(w, h, 0.04),
      ...frames.flatMap((f) => [mkvFramePrefix(f.t, size), f.data]),
    ]);
    const stream = new PassThrough();
    // Feed in 7-byte pieces so that every element header straddles a chunk boundary somewhere.
    for (let i = 0; i < bytes.length; i += 7) stream.write(bytes.subarray(i, i + 7));
    stream.end();
    const items: (TrackInfo | RawVideoPacket)[] = [];
    for await (const item of readMkvFrames(new ByteReader(stream))) items.push(item);
    expect(items[0]).toEqual({ width: w, height: h, codecId: 'V_UNCOMPRESSED' });
    const packets = items.slice(1) as RawVideoPacket[];
    expect(packets.map((p) => p.time)).toEqual([0, 0.033, 0.1, 1.234]);
    packets.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(frames[i]!.data)));
  });
});
