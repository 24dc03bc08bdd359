import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, usageError } from '../errors.js';
import type { FfmpegTools } from '../media/ffmpeg.js';

/** What ffmpeg is told to open for `faceblur cam`. */
export interface CaptureSource {
  input: string;
  inputArgs: string[];
  /** A camera device (as opposed to a file or a URL), whose failures get camera-specific messages. */
  camera: boolean;
  label: string;
}

type Platform = NodeJS.Platform;
const CAMERA_FORMAT: Partial<Record<Platform, string>> = { linux: 'v4l2', darwin: 'avfoundation', win32: 'dshow' };
const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

function cameraFormat(platform: Platform): string {
  const f = CAMERA_FORMAT[platform];
  if (!f) throw usageError(`faceblur cam has no camera input for ${platform}; give --device a file or a stream URL`);
  return f;
}

/** Refuses early, in plain words, when this ffmpeg was built without the platform's camera input. */
export function checkCameraSupport(tools: FfmpegTools, platform: Platform = process.platform): void {
  const format = cameraFormat(platform);
  const out = spawnSync(tools.ffmpeg, ['-hide_banner', '-devices'], { encoding: 'utf8' });
  // Lines look like " DE video4linux2,v4l2 Video4Linux2 output device": D marks an input.
  if (!new RegExp(`^\\s*D\\S*\\s+(?:\\w+,)*${format}\\b`, 'm').test(out.stdout ?? '')) {
    throw usageError(`this ffmpeg (${tools.ffmpeg}) cannot open cameras: it was built without ${format} input; install your system's ffmpeg`);
  }
}

export function captureSource(
  o: { device?: string | undefined; size?: [number, number] | undefined; fps?: number | undefined },
  tools: FfmpegTools,
  platform: Platform = process.platform,
): CaptureSource {
  const device = o.device;
  if (device && isUrl(device)) {
    const rtsp = /^rtsps?:/i.test(device) ? ['-rtsp_transport', 'tcp'] : [];
    return { input: device, inputArgs: [...rtsp, '-fflags', 'nobuffer'], camera: false, label: device };
  }
  // A file plays at its own frame rate (-re), as a camera would deliver it.
  if (device && existsSync(device) && statSync(device).isFile()) return { input: device, inputArgs: ['-re'], camera: false, label: device };
  checkCameraSupport(tools, platform);
  const format = cameraFormat(platform);
  const want = [...(o.size ? ['-video_size', `${o.size[0]}x${o.size[1]}`] : []), ...(o.fps ? ['-framerate', String(o.fps)] : [])];
  if (platform === 'linux') {
    const path = device ?? '/dev/video0';
    if (!existsSync(path)) throw new UserError(`camera ${path} not found; see faceblur cam --list-devices`);
    return { input: path, inputArgs: ['-f', format, ...want], camera: true, label: path };
  }
  if (platform === 'darwin') {
    // avfoundation refuses to open without a rate the camera supports; 30 is the one every Mac camera has.
    const name = device ?? '0';
    return { input: `${name}:none`, inputArgs: ['-f', format, ...(o.fps ? [] : ['-framerate', '30']), ...want], camera: true, label: `camera ${name}` };
  }
  const name = device ?? listCameras(tools, platform)[0]?.id;
  if (!name) throw new UserError('no camera found; see faceblur cam --list-devices');
  return { input: `video=${name}`, inputArgs: ['-f', format, ...want], camera: true, label: name };
}

export interface Camera {
  id: string;
  name: string;
}

/** The cameras ffmpeg can open: /dev/video* on Linux, else ffmpeg's own device listing. */
export function listCameras(tools: FfmpegTools, platform: Platform = process.platform): Camera[] {
  if (platform === 'linux') {
    const sys = '/sys/class/video4linux';
    if (!existsSync(sys)) return [];
    return readdirSync(sys)
      .filter((n) => /^video\d+$/.test(n))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
      .map((n) => {
        let name = n;
        try {
          name = readFileSync(join(sys, n, 'name'), 'utf8').trim();
        } catch {
          // no name exposed
        }
        return { id: `/dev/${n}`, name };
      });
  }
  const format = cameraFormat(platform);
  const args = platform === 'darwin' ? ['-f', format, '-list_devices', 'true', '-i', ''] : ['-list_devices', 'true', '-f', format, '-i', 'dummy'];
  const err = spawnSync(tools.ffmpeg, ['-hide_banner', ...args], { encoding: 'utf8' }).stderr ?? '';
  if (platform === 'darwin') {
    const video = err.split(/AVFoundation audio devices/)[0] ?? '';
    return [...video.matchAll(/\]\s*\[(\d+)\]\s*(.+)$/gm)].map((m) => ({ id: m[1]!, name: m[2]!.trim() }));
  }
  return [...err.matchAll(/"([^"]+)"\s*\(video\)/g)].map((m) => ({ id: m[1]!, name: m[1]! }));
}

/** Turns ffmpeg's complaint about a camera into advice. */
export function cameraError(source: CaptureSource, ffmpegMessage: string): string {
  const m = ffmpegMessage;
  if (!source.camera) return `cannot read ${source.label}: ${m.replace(/^decoding failed: /, '')}`;
  if (/No such file or directory|not found|Could not find|does not exist/i.test(m)) return `camera ${source.label} not found; see faceblur cam --list-devices`;
  if (/busy/i.test(m)) return `camera ${source.label} is busy: another program is using it`;
  if (/Permission denied|not permitted/i.test(m)) return `no permission to open camera ${source.label} (on Linux, join the 'video' group)`;
  return `cannot open camera ${source.label}: ${m.replace(/^decoding failed: /, '')}`;
}
