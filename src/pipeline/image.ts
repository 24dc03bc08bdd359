import { extname } from 'node:path';
import type { OutputInfo, Sharp } from 'sharp';
import { UserError } from '../errors.js';
import { rgbFrameFromInterleaved, writeRgbInterleaved, type Frame } from '../media/frame.js';
import { projectRegionsAt } from '../project/regions.js';
import type { ReportWriter } from '../report.js';
import type { RunContext } from './context.js';
import { FaceStats } from './face-stats.js';
import type { JobResult } from './video.js';

/** Output encoders per extension, at high quality: the photo should change only where faces are. */
function encodeAs(img: Sharp, output: string): Sharp {
  switch (extname(output).toLowerCase()) {
    case '.jpg':
    case '.jpeg':
      return img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' });
    case '.png':
      return img.png();
    case '.webp':
      return img.webp({ quality: 95 });
    case '.tif':
    case '.tiff':
      return img.tiff({ quality: 95 });
    case '.avif':
      return img.avif({ quality: 80 });
    default:
      throw new UserError(`cannot write photos as ${extname(output) || 'a file without extension'}`);
  }
}

/**
 * A photo decoded upright (EXIF orientation applied) as an RGB(A) frame over `data`, the interleaved
 * pixels that the frame is written back into; `profiled` when it keeps its own ICC colour profile.
 * @throws UserError when sharp cannot read it, or it is animated (a WebP, AVIF or TIFF of several frames).
 */
export async function readPhoto(input: string): Promise<{ sharp: typeof import('sharp').default; data: Buffer; info: OutputInfo; frame: Frame; profiled: boolean }> {
  // Loaded on the first photo: a run of videos does without its 19 MB.
  const { default: sharp } = await import('sharp');
  let decoded: { data: Buffer; info: OutputInfo };
  // An RGB photo with its own colour profile (Display P3, Adobe RGB…) is anonymized in its own pixel
  // values and written with the same profile, so its colours stay exactly the input's; other photos
  // (CMYK, greyscale, no profile) are converted to sRGB, which also widens greyscale to three channels.
  let profiled = false;
  let frames = 1;
  try {
    const meta = await sharp(input, { failOn: 'error' }).metadata();
    frames = meta.pages ?? 1;
    profiled = Boolean(meta.icc) && meta.space === 'srgb';
    const decoder = sharp(input, { failOn: 'error' }).rotate();
    // Alpha, if any, stays as a fourth channel and is left untouched.
    decoded = await (profiled ? decoder.keepIccProfile() : decoder.toColourspace('srgb')).raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new UserError(`not a readable image (${(err as Error).message.split('\n')[0]})`);
  }
  // Only the first frame would come out, the rest lost without a word (a trial's 23-frame WebP);
  // ffmpeg 5 does not decode animated WebP, so it cannot go the GIF's way, as a video.
  if (frames > 1 && extname(input).toLowerCase() !== '.gif') {
    throw new UserError(`it holds ${frames} pictures (an animation, or pages), and faceblur would anonymize only the first: convert an animation to a video (MP4) or a GIF, or pages to one photo each, first`);
  }
  const { data, info } = decoded;
  return { sharp, data, info, frame: rgbFrameFromInterleaved(data, info.width, info.height, info.channels), profiled };
}

/**
 * Photos go through sharp: EXIF orientation is applied first so that detection sees the upright
 * picture, and the output carries no EXIF/XMP/IPTC (location, camera, time) unless --keep-metadata.
 */
export async function anonymizeImage(
  ctx: RunContext,
  input: string,
  temp: string,
  output: string,
  report: ReportWriter | undefined,
): Promise<JobResult> {
  const { sharp, data, info, frame, profiled } = await readPhoto(input);
  const rep = report?.beginFile({ input, output, kind: 'image', width: info.width, height: info.height });
  try {
    // Each face of a photo is its own track.
    const regions = ctx.project
      ? projectRegionsAt(ctx.project)(0)
      : (await ctx.processors.still.detect(frame)).map((d, i) => ({ ...d, kind: 'detected' as const, trackId: i }));
    const masks = ctx.processors.still.apply(frame, regions);
    const stats = new FaceStats(ctx.processors.still.threshold);
    stats.frame(0, regions);
    rep?.frame(0, 0, masks);
    ctx.preview?.show(frame, masks.length, performance.now());
    writeRgbInterleaved(frame, data, info.channels);
    const raw = { width: info.width, height: info.height, channels: info.channels };
    // To keep metadata or the colour profile, the anonymized pixels replace the original's inside its
    // own pipeline, which carries its EXIF, XMP and ICC data (keepIccProfile: the profile only, no EXIF
    // or GPS); rotate() has reset the orientation tag to match the pixels. Compositing adds an alpha
    // channel, removed again when the input had none.
    const over = () => {
      const img = sharp(input).rotate().composite([{ input: data, raw, blend: 'source' }]);
      return info.channels === 4 ? img : img.removeAlpha();
    };
    const img = ctx.encode.keepMetadata ? over().keepMetadata() : profiled ? over().keepIccProfile() : sharp(data, { raw });
    await encodeAs(img, output).toFile(temp);
    rep?.end({ status: 'ok', frames: 1 });
    return { frames: 1, faces: stats.summary() };
  } catch (err) {
    rep?.end({ status: 'failed', error: (err as Error).message, frames: 0 });
    throw err;
  }
}
