/** The jobs page's side of serve's API (src/serve/api.ts): every request carries the page's token. */

export interface Job {
  id: string;
  name: string;
  kind: 'video' | 'photo';
  createdAt: string;
  expiresAt: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: number;
  message?: string;
  args: string[];
  outputSize?: number;
}

export interface OptionHelp {
  name: string;
  flag: string;
  help: string;
  default?: string;
  expects: string;
  /** The values of a fixed list (drawn as a menu). */
  choices?: string[];
  switchDefault?: boolean;
}

export interface ServerInfo {
  limits: { maxUploadBytes: number; maxDurationSeconds: number; retentionSeconds: number };
  options: OptionHelp[];
}

export interface UploadResult {
  jobs: Job[];
  errors: { name: string; status: number; error: string }[];
}

const token = new URLSearchParams(location.search).get('token') ?? '';

export const withToken = (path: string): string => `${path}?token=${encodeURIComponent(token)}`;

/** The server no longer takes this page's token (HTTP 401): serve restarted with a new one, or a session ended. */
export class SignedOut extends Error {}

async function json<T>(res: Response): Promise<T> {
  if (res.status === 401) throw new SignedOut();
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

export const getInfo = async (): Promise<ServerInfo> => json(await fetch(withToken('/api/options')));
/** The jobs, newest first, and (with --redis) how many workers are connected to the queue. */
export const getJobs = async (): Promise<{ jobs: Job[]; workers?: number }> => json(await fetch(withToken('/api/jobs')));

export async function deleteJob(id: string): Promise<void> {
  const res = await fetch(withToken(`/api/jobs/${id}`), { method: 'DELETE' });
  if (!res.ok) await json(res);
}

/**
 * Uploads one file (with the settings as JSON) by XMLHttpRequest, which reports upload progress
 * where fetch does not. Resolves with the server's answer, or status 0 when the connection failed.
 */
export function upload(file: File, settings: Record<string, unknown>, onProgress: (fraction: number) => void): Promise<{ status: number; body: Partial<UploadResult> & { error?: string } }> {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append('settings', JSON.stringify(settings));
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withToken('/api/jobs'));
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => resolve({ status: xhr.status, body: (xhr.response ?? {}) as Partial<UploadResult> });
    xhr.onerror = () => resolve({ status: 0, body: { error: 'the connection to the server failed' } });
    xhr.send(form);
  });
}
