import { anonymizeFrame, type AnonymizeSettings } from '../anonymize/anonymize.js';
import type { Detection } from '../detect/box.js';
import { encodeJpeg, frameToRgb } from '../live/jpeg.js';
import { ChildSet, runFfmpeg, seconds, type FfmpegTools } from '../media/ffmpeg.js';
import { PROXY_WIDTH } from '../media/jpeg-frames.js';
import { frameByteLength, frameFromBuffer, rgbFrameFromInterleaved, type Frame } from '../media/frame.js';
import type { InputIdentity } from '../project/schema.js';
import { SeekProxy } from './proxy.js';
import { SeekTime } from './seek-time.js';

/** Frames decoded per seek: the next frames (stepping, playing) then come from the cache. */
const CHUNK = 8;
/** Raw frames kept: 48 × 3.1 MB at 1080p ≈ 150 MB, enough for stepping around one spot. */
const RAW_FRAMES = 48;
/** Full-frame decoders (result view, thumbnails) at once; more wait. */
const DECODERS = 2;
/** Page frames are scaled down to the seek proxy's width: the overlay is drawn in project pixels, the page scales it. */
const VIEW_WIDTH = PROXY_WIDTH;

/** A least-recently-used map of fixed size (Map keeps insertion order; a hit moves the key to the end). */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly size: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.size) this.map.delete(this.map.keys().next().value as K);
  }
  delete(k: K): void {
    this.map.delete(k);
  }
  clear(): void {
    this.map.clear();
  }
}

/**
 * Any frame of the reviewed input by index, as the decoder gives it to the pipeline (upright yuv420p,
 * or RGB for a photo), and as a JPEG for the page, plain or anonymized with the export's own
 * `anonymizeFrame`. Plain JPEGs come from the seek proxy (proxy.ts), which takes over `prebuilt` (the
 * analysis's file of every frame as a JPEG, from `faceblur analyze --seek-proxy`) when given. Full
 * frames (for the result view and thumbnails) are decoded by starting ffmpeg at the frame (SeekTime),
 * keeping the next CHUNK frames.
 */
export class FrameSource {
  private readonly raw = new Lru<number, Promise<Frame>>(RAW_FRAMES);
  private readonly jpegs = new Lru<string, Promise<Buffer>>(64);
  private readonly children = new ChildSet();
  /** Decoders running, and those waiting for one of the DECODERS slots. */
  private decoders = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly seekTime: SeekTime;
  private readonly proxy: SeekProxy | undefined;
  /** Resolves when the seek proxy holds every frame (at once for a photo). */
  readonly proxyBuilt: Promise<void>;

  constructor(
    private readonly tools: FfmpegTools,
    private readonly path: string,
    private readonly input: InputIdentity,
    prebuilt?: string,
  ) {
    this.seekTime = new SeekTime(tools, path, input.timestamps);
    if (input.kind === 'video') this.proxy = new SeekProxy(tools, path, input.frameCount, this.seekTime, prebuilt);
    this.proxyBuilt = this.proxy?.build() ?? Promise.resolve();
  }

  /** The frame `n` (0-based); the returned frame is shared: copy it before writing into it. */
  frame(n: number): Promise<Frame> {
    const hit = this.raw.get(n);
    if (hit) return hit;
    if (this.input.kind === 'image') {
      const p = this.decodePhoto();
      this.raw.set(n, p);
      return p;
    }
    return this.decodeFrom(n);
  }

  /**
   * The frame as a JPEG at most VIEW_WIDTH wide. With `regions`, a copy of the frame is anonymized
   * first, exactly as the export would; `key` names the regions for the cache (say, the project's revision).
   */
  jpeg(n: number, anonymize?: { regions: readonly Detection[]; settings: AnonymizeSettings; key: string }): Promise<Buffer> {
    const key = `${n}:${anonymize?.key ?? 'plain'}`;
    const hit = this.jpegs.get(key);
    if (hit) return hit;
    const p = anonymize ? this.render(n, anonymize) : this.plain(n);
    this.jpegs.set(key, p);
    p.catch(() => this.jpegs.delete(key));
    return p;
  }

  /** From the seek proxy (which starts decoding at n if nothing will reach it soon); decoded by seeking if the proxy failed. */
  private async plain(n: number): Promise<Buffer> {
    return (await this.proxy?.jpeg(n)) ?? this.render(n, undefined);
  }

  private render(n: number, anonymize: Parameters<FrameSource['jpeg']>[1]): Promise<Buffer> {
    return this.frame(n).then(async (f) => {
      const frame = anonymize ? copyFrame(f) : f;
      if (anonymize) anonymizeFrame(frame, anonymize.regions, anonymize.settings);
      const { default: sharp } = await import('sharp');
      const rgb = frameToRgb(frame);
      if (frame.width <= VIEW_WIDTH) return encodeJpeg(rgb, frame.width, frame.height, 85);
      return sharp(rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } }).resize({ width: VIEW_WIDTH }).jpeg({ quality: 85 }).toBuffer();
    });
  }

  /**
   * A crop of frame `n` as a JPEG `side` pixels square (for track thumbnails), `box` in frame pixels:
   * from the seek proxy's JPEG when it holds the frame (no decoder started), else from the decoded frame.
   */
  async crop(n: number, box: { x1: number; y1: number; x2: number; y2: number }, side = 64): Promise<Buffer> {
    const { default: sharp } = await import('sharp');
    const held = this.proxy?.has(n) ? await this.proxy.jpeg(n) : undefined;
    const f = held ? undefined : await this.frame(n);
    const image = held ? sharp(held) : sharp(frameToRgb(f!), { raw: { width: f!.width, height: f!.height, channels: 3 } });
    const width = held ? (await image.metadata()).width : f!.width;
    const height = held ? (await image.metadata()).height : f!.height;
    const k = width / this.input.width;
    const left = Math.min(width - 1, Math.max(0, Math.floor(box.x1 * k)));
    const top = Math.min(height - 1, Math.max(0, Math.floor(box.y1 * k)));
    const w = Math.max(1, Math.min(width - left, Math.ceil(box.x2 * k) - left));
    const h = Math.max(1, Math.min(height - top, Math.ceil(box.y2 * k) - top));
    return image.extract({ left, top, width: w, height: h }).resize(side, side, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer();
  }

  /** Ends any decoder still running and removes the seek proxy. */
  async close(): Promise<void> {
    await this.proxy?.close();
    this.children.killAll();
    this.raw.clear();
    this.jpegs.clear();
  }

  private async decodePhoto(): Promise<Frame> {
    const { default: sharp } = await import('sharp');
    const { data, info } = await sharp(this.path).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return rgbFrameFromInterleaved(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, info.channels);
  }

  private decodeFrom(n: number): Promise<Frame> {
    const { frameCount } = this.input;
    const count = Math.min(CHUNK, frameCount - n);
    const pending = Array.from({ length: count }, () => {
      let settle!: { resolve: (f: Frame) => void; reject: (e: unknown) => void };
      const promise = new Promise<Frame>((resolve, reject) => (settle = { resolve, reject }));
      promise.catch(() => undefined);
      return { promise, ...settle };
    });
    pending.forEach((p, i) => {
      // A chunk never replaces frames already cached or on their way.
      if (i === 0 || !this.raw.get(n + i)) this.raw.set(n + i, p.promise);
    });
    void (async () => {
      await this.slot();
      try {
        await this.decode(n, count, pending);
      } finally {
        this.decoders--;
        this.waiting.shift()?.();
      }
    })().catch((err: unknown) => {
      // A failed decode is retried on the next request rather than remembered.
      pending.forEach((p, i) => {
        p.reject(err);
        this.raw.delete(n + i);
      });
    });
    return pending[0]!.promise;
  }

  /** Waits for one of the DECODERS slots: thumbnails scrolled into view must not start dozens of ffmpeg at once. */
  private async slot(): Promise<void> {
    if (this.decoders >= DECODERS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.decoders++;
  }

  /** Decodes frames n..n+count-1 into `pending`. */
  private async decode(n: number, count: number, pending: { resolve: (f: Frame) => void }[]): Promise<void> {
    const { width, height, timestamps } = this.input;
    const ss = await this.seekTime.of(n);
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-ss', seconds(ss), '-i', this.path, '-map', '0:v:0', '-an', '-sn', '-dn',
      '-frames:v', String(count), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'];
    const proc = runFfmpeg(this.tools.ffmpeg, args, { stdin: false, stdout: true }, this.children, 'seeking');
    const size = frameByteLength('yuv420p', width, height);
    let buf: Buffer = Buffer.alloc(0);
    let got = 0;
    for await (const chunk of proc.stdout! as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= size && got < count) {
        const data = new Uint8Array(size);
        data.set(buf.subarray(0, size));
        buf = buf.subarray(size);
        pending[got]!.resolve(frameFromBuffer(data, 'yuv420p', width, height, n + got, timestamps[n + got]!));
        got++;
      }
    }
    await proc.exited;
    if (got < count) throw new Error(`the decoder ended before frame ${n + got}`);
  }
}

/** A writable copy of a frame (the cached one is shared between requests). */
function copyFrame(f: Frame): Frame {
  const planes = f.planes.map((p) => ({ ...p, data: p.data.slice() }));
  return { width: f.width, height: f.height, layout: f.layout, index: f.index, time: f.time, planes };
}
