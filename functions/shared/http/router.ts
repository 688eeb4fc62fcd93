import type { Request, Response } from '@google-cloud/functions-framework';
import { HttpError } from '../errors';
import type { Logger } from '../logger';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler gets: the request, the response, path parameters, and a logger that carries the trace. */
export interface RequestContext {
  req: Request;
  res: Response;
  params: Record<string, string>;
  log: Logger;
}

export interface Route {
  method: Method;
  /** Path relative to the function's URL: `/`, `/{id}`, `/{id}/upload-image`. */
  path: string;
  handle(ctx: RequestContext): Promise<void> | void;
}

interface CompiledRoute extends Route {
  segments: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * Routes by method and path. `/x` and `/x/` are the same path; an unknown path is a 404; a known
 * path with the wrong method is a 405 whose `Allow` lists the methods the path does take.
 */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map((r) => ({ ...r, segments: splitPath(r.path) }));
  }

  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path).map(decodeSegment);
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      // HEAD is answered as GET (Node drops the body), as every HTTP server is expected to.
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
      allowed.add(route.method);
    }
    if (allowed.size === 0) throw new HttpError('not_found', `No resource at ${path}.`);
    if (allowed.has('GET')) allowed.add('HEAD');
    const allow = [...allowed].join(', ');
    throw new HttpError('method_not_allowed', `${method} is not allowed here; use ${allow}.`, { headers: { Allow: allow } });
  }
}

function splitPath(path: string): string[] {
  return path
    .split('?')[0]
    .split('/')
    .filter((s) => s !== '');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError('bad_request', `The path segment "${segment}" is not valid percent-encoding.`);
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) params[p.slice(1, -1)] = actual[i];
    else if (p !== actual[i]) return undefined;
  }
  return params;
}

/** Convenience for single-resource functions: `res.status(status).json(body)` with the right type. */
export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json(body);
}
