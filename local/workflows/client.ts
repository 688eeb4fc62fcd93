/**
 * Options that point the official `@google-cloud/workflows` ExecutionsClient at the local engine
 * in REST mode, for tools, tests and any code that reads `WORKFLOWS_EMULATOR_HOST`.
 *
 *   const client = new ExecutionsClient(localExecutionsClientOptions(process.env.WORKFLOWS_EMULATOR_HOST!, projectId));
 *
 * Why an auth client of our own: google-gax's REST (fallback) path accepts any object with
 * `getRequestHeaders` as the auth client and sends every call through its `fetch(url, init)`;
 * offline there are no credentials to load, and looking for them would probe the metadata server.
 */
export function localExecutionsClientOptions(hostPort: string, projectId: string): Record<string, unknown> {
  const m = /^(?:http:\/\/)?([^:/]+):(\d+)\/?$/.exec(hostPort);
  if (!m) throw new Error(`WORKFLOWS_EMULATOR_HOST must be host:port, got "${hostPort}"`);
  return {
    projectId,
    apiEndpoint: m[1],
    port: Number(m[2]),
    protocol: 'http',
    fallback: true,
    authClient: localAuthClient(),
  };
}

/** The minimal auth client the REST transport needs; it sends `Authorization: Bearer local`. */
export function localAuthClient(): { getRequestHeaders(): Promise<Headers>; fetch(url: string, init: RequestInit): Promise<Response> } {
  return {
    getRequestHeaders: async () => new Headers({ Authorization: 'Bearer local' }),
    fetch: (url, init) => {
      const headers = new Headers(init.headers);
      headers.set('Authorization', 'Bearer local');
      return fetch(url, { method: init.method, headers, body: init.body, signal: init.signal });
    },
  };
}
