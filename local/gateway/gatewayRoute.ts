/**
 * How the front door maps a request to a function, as `https://REGION-PROJECT.cloudfunctions.net`
 * does deployed: the first path segment is the function's deployed name, and the function sees
 * the rest of the path (at least `/`) with the query string unchanged.
 */
export type GatewayRoute =
  { kind: 'function'; name: string; path: string } | { kind: 'root' } | { kind: 'unknown'; segment: string; suggestion?: string };

/**
 * `names` maps each function's deployed name (`increment-tag`) to its entry point (`incrementTag`).
 * An entry point used where the deployed name belongs is unknown, as it is deployed, with the
 * right path suggested.
 */
export function gatewayRoute(url: string, names: ReadonlyMap<string, string>): GatewayRoute {
  const queryAt = url.indexOf('?');
  const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  const match = /^\/+([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return { kind: 'root' };
  const [, segment, rest] = match;
  const name = names.get(segment);
  if (name) return { kind: 'function', name, path: (rest ?? '/') + query };
  const suggestion = [...names].find(([, entryPoint]) => entryPoint.toLowerCase() === segment.toLowerCase())?.[0];
  return { kind: 'unknown', segment, suggestion };
}
