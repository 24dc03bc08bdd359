import { open } from 'node:fs/promises';

/** ISO base media files (MP4, MOV, M4V, 3GP) start with one of these top-level boxes. */
const FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

/**
 * Why an ISO base media file is cut short, or undefined when it is whole (or not that format).
 *
 * ffmpeg reads a truncated MP4 without complaint when the cut lands in the index's tail or in the
 * last audio samples: it silently drops a track or the final frames. Walking the top-level boxes
 * catches every cut, because a truncated file always ends inside a box whose declared size runs
 * past the end of the file, or, when the writer stopped before its last step, has no 'moov' box
 * (the index) at all: ffmpeg 5.1 leaves that behind, exiting 0, when the disk fills while
 * `+faststart` rewrites the file.
 */
export async function truncationOf(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const header = Buffer.alloc(16);
    let offset = 0;
    let first = true;
    let index = false;
    // Not an ISO file (nothing read, or another format): nothing to say.
    const whole = () => (first || index ? undefined : "the file has no index (no 'moov' box): it was cut short while being written");
    while (offset < size) {
      const { bytesRead } = await file.read(header, 0, 16, offset);
      // Under 8 bytes in all is no ISO file (a text file named .mp4): ffmpeg says what it is.
      if (bytesRead < 8) return first ? undefined : `the file is truncated (it ends inside a box header at byte ${offset})`;
      const type = header.toString('latin1', 4, 8);
      if (first && !FIRST_BOXES.has(type)) return undefined;
      first = false;
      if (type === 'moov') index = true;
      let boxSize = header.readUInt32BE(0);
      // Size 1 means a 64-bit size follows; size 0 means the box runs to the end of the file.
      if (boxSize === 1) {
        if (bytesRead < 16) return `the file is truncated (it ends inside the '${type}' box header)`;
        boxSize = Number(header.readBigUInt64BE(8));
      } else if (boxSize === 0) return whole();
      if (boxSize < 8) return `the file is damaged (a '${type}' box declares ${boxSize} bytes)`;
      if (offset + boxSize > size) {
        const missing = offset + boxSize - size;
        return `the file is truncated: its '${type}' box needs ${missing} more bytes than the file has`;
      }
      offset += boxSize;
    }
    return whole();
  } finally {
    await file.close();
  }
}
