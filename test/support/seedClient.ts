import { localEndpoints } from './endpoints';
import { request, type ReadResponse } from './http';

/**
 * A client written for the seed project's API (seed 003), as its end-to-end tests call it with a
 * `requests` session (`BaseUrlSession` on `--server_url`): paths `/accounts...` and `/audios...`
 * relative to one server, JSON bodies (`json=None` sends no body at all), `params=` as a query
 * string. The one server is the local cloud's gateway, as it is the `cloudfunctions.net` host
 * deployed: `pytest tests/e2e --server_url=<gateway>` sends exactly these requests.
 */
export interface SeedSession {
  /** The URL the session sends `path` to. */
  url(path: string, params?: Record<string, string>): string;
  get(path: string, params?: Record<string, string>): Promise<ReadResponse>;
  post(path: string, json: unknown): Promise<ReadResponse>;
  put(path: string, json: unknown): Promise<ReadResponse>;
  delete(path: string): Promise<ReadResponse>;
}

export function seedSession(): SeedSession {
  const url = (path: string, params?: Record<string, string>): string => {
    if (!/^\/(accounts|audios)(\/|$)/.test(path)) throw new Error(`the seed has no path ${path}`);
    const query = params && Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
    return `${localEndpoints().gateway}${path}${query}`;
  };
  // Python's `requests` sends no body and no Content-Type for json=None.
  const send = (method: string, path: string, json: unknown): Promise<ReadResponse> =>
    json === null || json === undefined ? request(url(path), { method }) : request(url(path), { method, json });
  return {
    url,
    get: (path, params) => request(url(path, params)),
    post: (path, json) => send('POST', path, json),
    put: (path, json) => send('PUT', path, json),
    delete: (path) => request(url(path), { method: 'DELETE' }),
  };
}

/** `POST /reset` on the local cloud's control server; the seed's flows start from an empty server. */
export async function resetLocalCloud(): Promise<string[]> {
  const res = await fetch(`${localEndpoints().control}/reset`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`reset failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { reset: string[] }).reset;
}

/** The seed's assertion helpers (tests/helpers/requests_assertion.py), same semantics. */
export const seedAssert = {
  ok(res: ReadResponse): ReadResponse {
    if (!(res.status === 200 || String(res.status)[0] === '2')) throw new Error(`expected 2xx, got ${res.status}: ${res.text}`);
    return res;
  },
  badRequest(res: ReadResponse): ReadResponse {
    if (res.status !== 400) throw new Error(`expected 400, got ${res.status}: ${res.text}`);
    return res;
  },
  notFound(res: ReadResponse): ReadResponse {
    if (res.status !== 404) throw new Error(`expected 404, got ${res.status}: ${res.text}`);
    return res;
  },
  resourcesCount(res: ReadResponse, count: number): ReadResponse {
    if (!Array.isArray(res.body) || res.body.length !== count) throw new Error(`expected ${count} resources, got ${res.text}`);
    return res;
  },
  noResources(res: ReadResponse): ReadResponse {
    return seedAssert.resourcesCount(res, 0);
  },
};
