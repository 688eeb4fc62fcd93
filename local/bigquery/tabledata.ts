/**
 * `tabledata.list`: a table's rows in insertion order, in the `{f:[{v}]}` form, paged by
 * `maxResults` / `pageToken` (or `startIndex`), with `totalRows` as a string as in the API.
 */
import { columnName, type Catalog, type TableEntry } from './catalog';
import { quoteIdent } from './database';
import { BigQueryError } from './errors';
import { encodeRows, pageSize, pageStart, pageToken, type WireRow } from './rows';
import type { TimestampFormat } from './values';

/** The query-string options `tabledata.list` reads. */
export interface ListOptions extends TimestampFormat {
  maxResults?: string;
  pageToken?: string;
  startIndex?: string;
  selectedFields?: string;
}

/** The `tabledata.list` response body. */
export interface TableDataList {
  kind: 'bigquery#tableDataList';
  etag: string;
  totalRows: string;
  pageToken?: string;
  rows?: WireRow[];
}

/** Lists one page of a table's rows. */
export function listRows(catalog: Catalog, table: TableEntry, options: ListOptions): TableDataList {
  let indexes = table.schema.map((_, i) => i);
  if (options.selectedFields) {
    const wanted = options.selectedFields
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    for (const name of wanted) {
      if (!table.schema.some((f) => f.name.toLowerCase() === name)) {
        throw new BigQueryError('invalid', `Invalid field selection ${name}`);
      }
    }
    indexes = indexes.filter((i) => wanted.includes(table.schema[i]!.name.toLowerCase()));
  }
  const total = catalog.rowCount(table);
  const start = pageStart(options.pageToken, options.startIndex);
  const size = pageSize(options.maxResults);
  const limit = size === undefined ? -1 : size;
  const rows = indexes.length
    ? catalog.db.all(
        `SELECT ${indexes.map(columnName).join(', ')} FROM ${quoteIdent(table.sqlName)} ORDER BY rowid LIMIT ${limit} OFFSET ${start}`,
      )
    : [];
  const out: TableDataList = {
    kind: 'bigquery#tableDataList',
    etag: `"${table.lastModifiedTime.toString(36)}"`,
    totalRows: String(total),
  };
  const end = start + rows.length;
  if (size !== undefined && end < total && rows.length > 0) out.pageToken = pageToken(end);
  // BigQuery leaves `rows` out of an empty page rather than sending [].
  if (rows.length) {
    out.rows = encodeRows(
      indexes.map((i) => table.schema[i]!),
      rows,
      options,
    );
  }
  return out;
}
