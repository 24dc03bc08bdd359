import type { Frame } from '../media/frame.js';
import type { Detection } from './box.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The largest side a detector input may have before the frame is cut into tiles. The network's
 * activations grow with its input: a whole 4K frame costs YuNet 1.2 GB and an 8K one 4 GB, while
 * tiles of this size keep it near 1080p's footprint at the same number of pixels detected. 1080p
 * frames and the 2x pass of frames up to 1024 wide fit whole.
 */
export const MAX_TILE_SIDE = 2048;
/** Tiles overlap by this many detector pixels, so that every face up to this size lies whole in one of them. */
export const TILE_OVERLAP = 160;

const even = (n: number) => n - (n % 2);

function spans(frameSide: number, detSide: number): { size: number; starts: number[] } {
  if (detSide <= MAX_TILE_SIDE) return { size: frameSide, starts: [0] };
  const count = Math.ceil((detSide - TILE_OVERLAP) / (MAX_TILE_SIDE - TILE_OVERLAP));
  const detTile = Math.ceil((detSide + (count - 1) * TILE_OVERLAP) / count);
  // Even sizes and offsets keep 4:2:0 chroma aligned with luma in every tile.
  const size = Math.min(frameSide, even(Math.ceil((detTile * frameSide) / detSide) + 1));
  const starts = Array.from({ length: count }, (_, i) => even(Math.round((i * (frameSide - size)) / (count - 1))));
  return { size, starts };
}

/**
 * Equal-sized tiles in frame pixels whose detector input (frame size × detSize / frameSize) stays
 * within MAX_TILE_SIDE; undefined when the whole frame fits. Equal sizes let one detector reuse its
 * input buffers across all tiles.
 */
export function tilesFor(frameWidth: number, frameHeight: number, detWidth: number, detHeight: number): Rect[] | undefined {
  if (detWidth <= MAX_TILE_SIDE && detHeight <= MAX_TILE_SIDE) return undefined;
  const cols = spans(frameWidth, detWidth);
  const rows = spans(frameHeight, detHeight);
  return rows.starts.flatMap((y) => cols.starts.map((x) => ({ x, y, width: cols.size, height: rows.size })));
}

/**
 * Two overlapping halves of the frame along its longer side, for a pass that looks at one half per
 * frame in turn (see PassSpec.halves); a frame that is tiled anyway gives half of its tiles to each
 * turn. The halves overlap by TILE_OVERLAP detector pixels, as tiles do. A frame so small that each
 * half would be most of it gives one part, seen every frame.
 */
export function halvesFor(frameWidth: number, frameHeight: number, detWidth: number, detHeight: number): Rect[][] {
  const tiles = tilesFor(frameWidth, frameHeight, detWidth, detHeight);
  if (tiles) return [tiles.slice(0, Math.ceil(tiles.length / 2)), tiles.slice(Math.ceil(tiles.length / 2))];
  const wide = frameWidth >= frameHeight;
  const side = wide ? frameWidth : frameHeight;
  const overlap = Math.ceil((TILE_OVERLAP * side) / (wide ? detWidth : detHeight));
  const size = even(Math.ceil((side + overlap) / 2) + 1);
  if (size > 0.75 * side) return [[{ x: 0, y: 0, width: frameWidth, height: frameHeight }]];
  return [0, even(side - size)].map((start) => [
    wide ? { x: start, y: 0, width: size, height: frameHeight } : { x: 0, y: start, width: frameWidth, height: size },
  ]);
}

/** A copy of one rectangle of the frame (even offsets for 4:2:0 frames, as tilesFor gives). */
export function cropFrame(frame: Frame, r: Rect): Frame {
  const planes = frame.planes.map((p) => {
    const s = p.subsample;
    const x0 = Math.floor(r.x / s);
    const y0 = Math.floor(r.y / s);
    const width = Math.min(Math.ceil(r.width / s), p.width - x0);
    const height = Math.min(Math.ceil(r.height / s), p.height - y0);
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      const from = (y0 + y) * p.width + x0;
      data.set(p.data.subarray(from, from + width), y * width);
    }
    return { data, width, height, subsample: s };
  });
  return { width: r.width, height: r.height, layout: frame.layout, planes, index: frame.index, time: frame.time };
}

/** Moves a detection found in a tile back to frame coordinates. */
export function fromTile(d: Detection, r: Rect): Detection {
  const box = { x1: d.box.x1 + r.x, y1: d.box.y1 + r.y, x2: d.box.x2 + r.x, y2: d.box.y2 + r.y };
  const landmarks = d.landmarks?.map((p) => ({ x: p.x + r.x, y: p.y + r.y }));
  return landmarks ? { ...d, box, landmarks } : { ...d, box };
}
