/**
 * Writes the Matroska stream the encoder reads: one V_UNCOMPRESSED I420 track and one cluster per
 * frame, each with its own millisecond timestamp, so that variable-frame-rate input keeps its timing.
 */

function varint(value: number): number[] {
  // Sizes up to 2^56 - 2 in 8 bytes; a frame is far smaller, but 8 bytes keeps every header one length.
  const out = [0x01];
  for (let shift = 6; shift >= 0; shift--) out.push(Math.floor(value / 2 ** (shift * 8)) & 0xff);
  return out;
}

function idBytes(id: number): number[] {
  const out: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return out;
}

function uint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return out;
}

function element(id: number, payload: number[]): number[] {
  return [...idBytes(id), ...varint(payload.length), ...payload];
}

const text = (s: string): number[] => [...new TextEncoder().encode(s)];

/**
 * The stream header for `width` x `height` I420 frames. `frameSeconds` becomes the track's default
 * frame duration, which ffmpeg gives a frame that has no next one to end it: without it, the last
 * frame would be shown for one tick and a one-frame video would last 1 ms.
 */
export function mkvHeader(width: number, height: number, frameSeconds: number): Uint8Array {
  const ebml = element(0x1a45dfa3, [
    ...element(0x4286, uint(1)),
    ...element(0x42f7, uint(1)),
    ...element(0x42f2, uint(4)),
    ...element(0x42f3, uint(8)),
    ...element(0x4282, text('matroska')),
    ...element(0x4287, uint(4)),
    ...element(0x4285, uint(2)),
  ]);
  // The segment's size is unknown while streaming: 0x01FFFFFFFFFFFFFF.
  const segmentStart = [...idBytes(0x18538067), 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  const info = element(0x1549a966, [...element(0x2ad7b1, uint(1_000_000)), ...element(0x4d80, text('faceblur'))]);
  const tracks = element(0x1654ae6b, [
    ...element(0xae, [
      ...element(0xd7, uint(1)),
      ...element(0x73c5, uint(1)),
      ...element(0x83, uint(1)),
      ...element(0x86, text('V_UNCOMPRESSED')),
      ...element(0x23e383, uint(Math.max(1, Math.round(frameSeconds * 1e9)))),
      ...element(0xe0, [...element(0xb0, uint(width)), ...element(0xba, uint(height)), ...element(0x2eb524, text('I420'))]),
    ]),
  ]);
  return Uint8Array.from([...ebml, ...segmentStart, ...info, ...tracks]);
}

/** The bytes that go before one frame's pixels: a cluster at `timeMs` holding one keyframe SimpleBlock. */
export function mkvFramePrefix(timeMs: number, frameBytes: number): Uint8Array {
  const timestamp = element(0xe7, uint(Math.max(0, Math.round(timeMs))));
  const blockHeader = [0x81, 0x00, 0x00, 0x80];
  const block = [0xa3, ...varint(blockHeader.length + frameBytes), ...blockHeader];
  return Uint8Array.from([0x1f, 0x43, 0xb6, 0x75, ...varint(timestamp.length + block.length + frameBytes), ...timestamp, ...block]);
}
