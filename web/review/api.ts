import type { ProjectPatch, ProjectView, ReviewState } from './model.js';

/** Every request carries the per-run token the page was opened with. */
const token = new URLSearchParams(location.search).get('token') ?? '';

export const withToken = (path: string, params: Record<string, string | number> = {}): string =>
  `${path}?${new URLSearchParams({ ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])), token })}`;

/** What the page says when the server cannot be reached: its process has ended (Ctrl+C in its terminal). */
const STOPPED = 'faceblur review has stopped: changes are no longer saved (run it again to go on)';

/**
 * fetch, with a refused connection said in words: the browser's own "Failed to fetch" names no
 * cause, and the only one on 127.0.0.1 is that faceblur review has ended.
 */
async function request(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new Error(STOPPED);
  }
}

async function check(res: Response): Promise<Response> {
  if (!res.ok) throw new Error((await res.text()).trim() || `${res.status} ${res.statusText}`);
  return res;
}

export const getState = async (): Promise<ReviewState> => (await check(await request(withToken('api/state')))).json();
export const getProject = async (): Promise<ProjectView> => (await check(await request(withToken('api/project')))).json();

/** What changed since `revision`, or undefined when the server no longer knows that revision (fetch the project then). */
export async function getChanges(revision: number): Promise<ProjectPatch | undefined> {
  const res = await request(withToken('api/changes', { since: revision }));
  return res.status === 410 ? undefined : (await check(res)).json();
}

/**
 * POSTs JSON to an API route; rejects with the server's one-line message. `since` (the page's
 * revision) asks for the changes an edit made, on the answer's `changes`.
 */
export async function post(path: string, body: unknown = {}, since?: number): Promise<ReviewState> {
  const res = await request(withToken(path, since === undefined ? {} : { since }), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await check(res)).json();
}

/** Frame `n` as a bitmap: plain, or anonymized by the export's own filter code. */
export async function getFrame(n: number, result: boolean): Promise<ImageBitmap> {
  const res = await check(await request(withToken('api/frame', { n, ...(result ? { result: 1 } : {}) })));
  return createImageBitmap(await res.blob());
}
