import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Integer columns packed for the project file: each column is delta-encoded (a value minus the one
 * before it), zigzag-mapped so that small negative steps stay small, written as LEB128 varints, and
 * the whole block is gzipped and base64-encoded so that it can sit in a JSON string. A face's box
 * moves a few tenths of a pixel per frame and its frame numbers step by one, so most varints are a
 * single byte that gzip then squeezes further.
 *
 * Layout before gzip: varint row count n, then each column's n values in turn.
 */

/** Zigzag (as in protobuf's sint32): 0, -1, 1, -2 … → 0, 1, 2, 3 …, safe for |v| < 2^52. */
const zigzag = (v: number): number => (v >= 0 ? 2 * v : -2 * v - 1);

/** Longest varint of a safe integer: ceil(53 / 7). */
const MAX_VARINT = 8;

/**
 * Packs columns of integers of equal length into a base64 string.
 * @throws RangeError when the columns differ in length or hold a non-integer.
 */
export function packColumns(columns: readonly ArrayLike<number>[]): string {
  const n = columns[0]?.length ?? 0;
  const buf = new Uint8Array(MAX_VARINT * (1 + n * columns.length));
  let pos = 0;
  // Bit operators for the common small values; arithmetic past 2^31 (microsecond timestamps).
  const varint = (u: number) => {
    while (u >= 0x80000000) {
      buf[pos++] = (u % 128) | 128;
      u = Math.floor(u / 128);
    }
    while (u >= 128) {
      buf[pos++] = (u & 127) | 128;
      u >>>= 7;
    }
    buf[pos++] = u;
  };
  varint(n);
  for (const col of columns) {
    if (col.length !== n) throw new RangeError('columns differ in length');
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (!Number.isSafeInteger(v)) throw new RangeError(`not an integer: ${v}`);
      varint(zigzag(v - prev));
      prev = v;
    }
  }
  return gzipSync(buf.subarray(0, pos), { level: 6 }).toString('base64');
}

/** A typed array a column is unpacked into. */
export type ColumnArray = Int32Array | Float32Array | Float64Array | Uint8Array;

/**
 * The inverse of packColumns: one array per entry of `columns`, made by its `make` and filled with
 * the packed integers times its `scale` (so that tenths of a pixel come back as pixels in one pass).
 * @throws Error when the text is not valid base64 gzip, or holds fewer or more values than it says.
 */
export function unpackColumns<T extends ColumnArray>(text: string, columns: readonly { make: (n: number) => T; scale: number }[]): T[] {
  const bytes = gunzipSync(Buffer.from(text, 'base64'));
  const end = bytes.length;
  let pos = 0;
  const readLong = (): number => {
    let u = 0;
    let scale = 1;
    for (;;) {
      if (pos >= end) throw new Error('packed column data ends early');
      const b = bytes[pos++]!;
      u += (b & 127) * scale;
      if (b < 128) return u;
      scale *= 128;
    }
  };
  const n = readLong();
  if (n * columns.length > end) throw new Error('packed column data is inconsistent');
  const out = columns.map(({ make, scale }) => {
    const col = make(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      // Most steps fit one byte: read those inline, the rest through readLong.
      const b = pos < end ? bytes[pos]! : 128;
      let u: number;
      if (b < 128) {
        u = b;
        pos++;
      } else u = readLong();
      prev += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      col[i] = prev * scale;
    }
    return col;
  });
  if (pos !== end) throw new Error('packed column data has trailing bytes');
  return out;
}
