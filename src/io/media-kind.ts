import { extname } from 'node:path';
import { VIDEO_EXTENSIONS } from '../media/container.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif'];

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());
}

export function isMediaPath(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return IMAGE_EXTENSIONS.includes(ext) || VIDEO_EXTENSIONS.includes(ext);
}

/**
 * Photo formats faceblur does not read, by extension. sharp's prebuilt libvips reads HEIF only as
 * AVIF (decoding HEVC needs a patent-licensed codec it does not ship), and no part of faceblur reads
 * BMP or camera raw files. A trial's folder of iPhone photos was left out without a word.
 */
const UNREAD_PHOTOS: Record<string, string> = {
  '.heic': 'HEIC', '.heif': 'HEIF', '.bmp': 'BMP',
  '.dng': 'camera raw (DNG)', '.cr2': 'camera raw (CR2)', '.cr3': 'camera raw (CR3)', '.nef': 'camera raw (NEF)', '.arw': 'camera raw (ARW)', '.orf': 'camera raw (ORF)', '.rw2': 'camera raw (RW2)', '.raf': 'camera raw (RAF)',
};

/** JPEG under other extensions than .jpg and .jpeg. */
const JPEG_ALIASES = new Set(['.jfif', '.jpe']);

/**
 * Why a file with this extension is a photo faceblur cannot take as it is, and what to do, or
 * undefined: `.heic` → "HEIC photos are not a format faceblur reads: …", `.jfif` → "a JPEG named
 * .jfif: rename it .jpg".
 */
export function unreadPhotoReason(path: string): string | undefined {
  const ext = extname(path).toLowerCase();
  if (JPEG_ALIASES.has(ext)) return `a JPEG named ${ext}, an extension faceblur does not go by: rename it .jpg`;
  const format = UNREAD_PHOTOS[ext];
  const how = format?.startsWith('HEI') ? ' (heif-convert, or export them from the phone or the Photos app as JPEG)' : '';
  return format && `${format} photos are not a format faceblur reads: convert them to JPEG or PNG first${how}`;
}
