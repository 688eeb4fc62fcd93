/**
 * Rows in the REST wire form `{"f": [{"v": ...}, ...]}`: every scalar is a string (or null),
 * a REPEATED column is `{"v": [{"v": ...}, ...]}`. Also the page tokens that `tabledata.list`
 * and `jobs.getQueryResults` hand out.
 */
import { BigQueryError } from './errors';
import type { FieldSchema } from './schema';
import { elementText, formatScalar, type StoredValue, type TimestampFormat } from './values';

/** One cell of a REST row. */
export interface Cell {
  v: string | null | Cell[];
}

/** One REST row. */
export interface WireRow {
  f: Cell[];
}

/** Encodes one stored value of a column (REPEATED columns are stored as a JSON array of texts). */
export function encodeCell(field: Pick<FieldSchema, 'type' | 'mode'>, stored: StoredValue, format: TimestampFormat): Cell {
  if (field.mode === 'REPEATED') {
    // BigQuery never returns NULL for an array: a missing array reads back as [].
    const items = stored === null ? [] : (JSON.parse(String(stored)) as (string | null)[]);
    return { v: items.map((item) => ({ v: formatScalar(field.type, item, format) })) };
  }
  return { v: formatScalar(field.type, stored, format) };
}

/** Encodes stored rows for a schema. */
export function encodeRows(
  fields: readonly Pick<FieldSchema, 'type' | 'mode'>[],
  rows: readonly StoredValue[][],
  format: TimestampFormat,
): WireRow[] {
  return rows.map((row) => ({ f: fields.map((field, i) => encodeCell(field, row[i] ?? null, format)) }));
}

/** Stores a REPEATED column's elements as one JSON array of texts. */
export function storeRepeated(elements: StoredValue[]): string {
  return JSON.stringify(elements.map(elementText));
}

/** An opaque page token for the row offset where the next page starts. */
export function pageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

/**
 * The row offset a page starts at, from `pageToken` or else `startIndex`.
 * @throws 400 invalid for a token this server did not issue.
 */
export function pageStart(token: string | undefined, startIndex: string | undefined): number {
  if (token) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m) throw new BigQueryError('invalid', `Invalid page token: ${token}`);
    return Number(m[1]);
  }
  if (startIndex !== undefined && startIndex !== '') {
    if (!/^\d+$/.test(startIndex)) throw new BigQueryError('invalid', `Invalid startIndex: ${startIndex}`);
    return Number(startIndex);
  }
  return 0;
}

/**
 * The page size from `maxResults`; BigQuery caps a page by size (~10 MB) rather than rows,
 * so without `maxResults` every remaining row comes in one page.
 */
export function pageSize(maxResults: unknown): number | undefined {
  if (maxResults === undefined || maxResults === null || maxResults === '') return undefined;
  const n = Number(maxResults);
  if (!Number.isInteger(n) || n < 0) throw new BigQueryError('invalid', `Invalid maxResults: ${String(maxResults)}`);
  return n;
}
