import type { ProjectView, ReviewState } from './model.js';

/** Every request carries the per-run token the page was opened with. */
const token = new URLSearchParams(location.search).get('token') ?? '';

export const withToken = (path: string, params: Record<string, string | number> = {}): string =>
  `${path}?${new URLSearchParams({ ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])), token })}`;

async function check(res: Response): Promise<Response> {
  if (!res.ok) throw new Error((await res.text()).trim() || `${res.status} ${res.statusText}`);
  return res;
}

export const getState = async (): Promise<ReviewState> => (await check(await fetch(withToken('api/state')))).json();
export const getProject = async (): Promise<ProjectView> => (await check(await fetch(withToken('api/project')))).json();

/** POSTs JSON to an API route; rejects with the server's one-line message. */
export async function post(path: string, body: unknown = {}): Promise<ReviewState> {
  const res = await fetch(withToken(path), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await check(res)).json();
}

/** Frame `n` as a bitmap: plain, or anonymized by the export's own filter code. */
export async function getFrame(n: number, result: boolean): Promise<ImageBitmap> {
  const res = await check(await fetch(withToken('api/frame', { n, ...(result ? { result: 1 } : {}) })));
  return createImageBitmap(await res.blob());
}
