import type { Request, Response } from '@google-cloud/functions-framework';
import { HttpError } from '../errors';
import { queryValues } from './query';

/** The query parameters a paged list reads, besides its own filters. */
export const PAGE_PARAMETERS = ['limit', 'page_token'] as const;

export interface PageRequest {
  limit: number;
  /** Where the previous page ended, as its `Link: rel="next"` said; absent for the first page. */
  pageToken?: string;
}

export interface Page<T> {
  items: T[];
  /** The token of the next page, when there is one. */
  next?: string;
}

export interface PageLimits {
  /** Items on a page when `limit` is not given: more than an honest client's list holds. */
  defaultLimit: number;
  maxLimit: number;
}

export const DEFAULT_PAGE_LIMITS: PageLimits = { defaultLimit: 100, maxLimit: 1000 };

/**
 * `?limit=` (1 to `maxLimit`) and `?page_token=`, each at most once; 400 otherwise. The token's
 * own form is checked by the list that issued it.
 */
export function readPageRequest(req: Request, limits: PageLimits = DEFAULT_PAGE_LIMITS): PageRequest {
  const once = (name: string): string | undefined => {
    const values = queryValues(req, name);
    if (values.length > 1) {
      throw new HttpError('validation_failed', `Query parameter ${name} must be given once.`, {
        errors: [{ pointer: `#/query/${name}`, detail: 'must be given once' }],
      });
    }
    return values[0];
  };
  const limitText = once('limit');
  const pageToken = once('page_token');
  let limit = limits.defaultLimit;
  if (limitText !== undefined) {
    limit = /^\d{1,7}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= limits.maxLimit)) {
      throw new HttpError(
        'validation_failed',
        `Query parameter limit must be an integer from 1 to ${limits.maxLimit}, got "${limitText}".`,
        {
          errors: [{ pointer: '#/query/limit', detail: `must be an integer from 1 to ${limits.maxLimit}` }],
        },
      );
    }
  }
  return pageToken === undefined || pageToken === '' ? { limit } : { limit, pageToken };
}

/**
 * Sends a page as the bare JSON array the seed's clients read, with `Link: <…>; rel="next"` when
 * more follow. The link is a query-only reference (RFC 3986 §5.2: it keeps the request's own
 * path), so it holds whatever host or path prefix (a gateway) the client came through; every
 * other query parameter (the filters) is kept.
 */
export function sendPage<T>(req: Request, res: Response, page: Page<T>, limit: number): void {
  if (page.next !== undefined) {
    const query = new URL(req.originalUrl ?? req.url, 'http://query.invalid').searchParams;
    query.set('limit', String(limit));
    query.set('page_token', page.next);
    res.setHeader('Link', `<?${query.toString()}>; rel="next"`);
  }
  res.status(200).json(page.items);
}
