import { ByteReader } from './byte-reader.js';

/**
 * A reader for the one kind of Matroska stream ffmpeg writes for `-c:v rawvideo -f matroska`: one
 * uncompressed video track, streamed with unknown-size segment and clusters. Matroska is used rather
 * than bare rawvideo because it carries each frame's timestamp, which variable-frame-rate input needs.
 */

export interface RawVideoPacket {
  /** Seconds, as the container gives it. */
  time: number;
  data: Uint8Array;
}

export interface TrackInfo {
  width: number;
  height: number;
  codecId: string;
}

const ID = {
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  codecId: 0x86,
  video: 0xe0,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  cluster: 0x1f43b675,
  clusterTimestamp: 0xe7,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
} as const;

/** Master elements whose children we need: they are read through, as if their children stood at the top level. */
const TRANSPARENT = new Set<number>([ID.segment, ID.info, ID.tracks, ID.trackEntry, ID.video, ID.cluster, ID.blockGroup]);

const UNKNOWN_SIZE = -1;

async function readId(r: ByteReader): Promise<number | undefined> {
  const first = await r.byte();
  if (first < 0) return undefined;
  let len = 1;
  while (len <= 4 && (first & (0x80 >> (len - 1))) === 0) len++;
  if (len > 4) throw new Error('corrupt Matroska stream from the decoder (element ID)');
  let id = first;
  for (let i = 1; i < len; i++) id = id * 256 + (await mustByte(r));
  return id;
}

async function mustByte(r: ByteReader): Promise<number> {
  const b = await r.byte();
  if (b < 0) throw new Error('the decoder output ended in the middle of an element');
  return b;
}

async function readSize(r: ByteReader): Promise<number> {
  const first = await mustByte(r);
  let len = 1;
  while (len <= 8 && (first & (0x80 >> (len - 1))) === 0) len++;
  if (len > 8) throw new Error('corrupt Matroska stream from the decoder (element size)');
  let value = first & (0xff >> len);
  let allOnes = value === 0xff >> len;
  for (let i = 1; i < len; i++) {
    const b = await mustByte(r);
    if (b !== 0xff) allOnes = false;
    value = value * 256 + b;
  }
  return allOnes ? UNKNOWN_SIZE : value;
}

async function readUint(r: ByteReader, size: number): Promise<number> {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (await mustByte(r));
  return v;
}

async function readString(r: ByteReader, size: number): Promise<string> {
  const buf = new Uint8Array(size);
  if ((await r.readInto(buf)) < size) throw new Error('the decoder output ended in the middle of an element');
  return new TextDecoder().decode(buf).replace(/\0+$/, '');
}

/** Yields the track header once (before the first frame) and then every frame, in a buffer from `alloc`. */
export async function* readMkvFrames(
  r: ByteReader,
  alloc: (size: number) => Uint8Array = (n) => new Uint8Array(n),
): AsyncGenerator<TrackInfo | RawVideoPacket> {
  let scaleNs = 1_000_000;
  let clusterTime = 0;
  const track: TrackInfo = { width: 0, height: 0, codecId: '' };
  let announced = false;
  for (;;) {
    const id = await readId(r);
    if (id === undefined) return;
    const size = await readSize(r);
    if (TRANSPARENT.has(id)) continue;
    if (size === UNKNOWN_SIZE) throw new Error(`unexpected unknown-size element 0x${id.toString(16)} from the decoder`);
    switch (id) {
      case ID.timestampScale:
        scaleNs = await readUint(r, size);
        break;
      case ID.codecId:
        track.codecId = await readString(r, size);
        break;
      case ID.pixelWidth:
        track.width = await readUint(r, size);
        break;
      case ID.pixelHeight:
        track.height = await readUint(r, size);
        break;
      case ID.clusterTimestamp:
        clusterTime = await readUint(r, size);
        break;
      case ID.simpleBlock:
      case ID.block: {
        if (!announced) {
          announced = true;
          yield { ...track };
        }
        // Block header: track number (a 1-byte varint for track 1), signed 16-bit relative time, flags.
        const trackByte = await mustByte(r);
        if ((trackByte & 0x80) === 0) throw new Error('unexpected multi-byte track number from the decoder');
        const rel = ((await mustByte(r)) << 8) | (await mustByte(r));
        await mustByte(r);
        const data = alloc(size - 4);
        if ((await r.readInto(data)) < data.length) return;
        const relSigned = rel >= 0x8000 ? rel - 0x10000 : rel;
        yield { time: ((clusterTime + relSigned) * scaleNs) / 1e9, data };
        break;
      }
      default:
        if (!(await r.skip(size))) return;
    }
  }
}
