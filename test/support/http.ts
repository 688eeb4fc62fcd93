/** A response read whole: status, headers, and the body parsed as JSON when it is JSON. */
export interface ReadResponse {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function request(url: string, init: RequestInit & { json?: unknown } = {}): Promise<ReadResponse> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(url, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  let body: unknown = text;
  if (/json/.test(contentType) && text !== '') body = JSON.parse(text);
  return { status: res.status, headers: res.headers, contentType, text, body };
}

/** POST a raw string body with a content type (for malformed JSON and the like). */
export function postRaw(url: string, body: string, contentType = 'application/json'): Promise<ReadResponse> {
  return request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
}
