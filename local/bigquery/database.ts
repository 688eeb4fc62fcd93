/**
 * The embedded SQL engine: SQLite compiled to WebAssembly (`sql.js`), one in-memory database per
 * started server, so nothing touches disk and a restart starts empty, unless it is opened from
 * the bytes a previous run exported (the local cloud's data folder).
 */
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';
import type { StoredValue } from './values';

let engine: Promise<SqlJsStatic> | undefined;

/** Loads the WebAssembly module once per process; later calls reuse it. */
function loadEngine(): Promise<SqlJsStatic> {
  engine ??= initSqlJs();
  return engine;
}

/** A value sql.js can bind (bigint is bound as text; column affinity turns it back into an integer). */
export type BindValue = string | number | bigint | null;

// `get(params, {useBigInt})` exists in sql.js ≥ 1.9 but not in @types/sql.js; reading 64-bit
// integers as bigint is what keeps INT64 and TIMESTAMP exact.
interface BigIntStatement {
  bind(values: BindValue[]): boolean;
  step(): boolean;
  get(params: null, config: { useBigInt: boolean }): StoredValue[];
  getColumnNames(): string[];
  free(): boolean;
}

/** A thin typed wrapper over one sql.js database. */
export class SqlDatabase {
  private constructor(private readonly db: Database) {}

  /** Opens an in-memory database, fresh or from `exported` bytes, with the functions the translated SQL calls. */
  static async open(exported?: Uint8Array): Promise<SqlDatabase> {
    const SQL = await loadEngine();
    const db = new SQL.Database(exported);
    db.create_function('bq_like', (value: unknown, pattern: unknown) =>
      value === null || pattern === null ? null : likePattern(String(pattern)).test(String(value)) ? 1 : 0,
    );
    return new SqlDatabase(db);
  }

  /** Runs a statement that returns no rows. */
  run(sql: string, params: BindValue[] = []): void {
    this.db.run(sql, params as never);
  }

  /** Runs a query and returns every row, integers as bigint. */
  all(sql: string, params: BindValue[] = []): StoredValue[][] {
    const stmt = this.db.prepare(sql) as unknown as BigIntStatement;
    try {
      stmt.bind(params);
      const rows: StoredValue[][] = [];
      while (stmt.step()) rows.push(stmt.get(null, { useBigInt: true }));
      return rows;
    } finally {
      stmt.free();
    }
  }

  /** Runs `fn` in a transaction so a multi-row insert lands whole or not at all. */
  transaction<T>(fn: () => T): T {
    this.db.run('BEGIN');
    try {
      const out = fn();
      this.db.run('COMMIT');
      return out;
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
  }

  /** The whole database as an SQLite file's bytes (sql.js reopens it after, so call it only when done writing). */
  export(): Uint8Array {
    return this.db.export();
  }

  /** Frees the WebAssembly memory. Safe to call twice. */
  close(): void {
    try {
      this.db.close();
    } catch {
      // Already closed.
    }
  }
}

/** Quotes an identifier for SQLite. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const likeCache = new Map<string, RegExp>();

/**
 * GoogleSQL's LIKE as a regular expression: `%` any run of characters, `_` exactly one,
 * a backslash escapes the next character; case-sensitive, matched against the whole string.
 */
export function likePattern(pattern: string): RegExp {
  let re = likeCache.get(pattern);
  if (re) return re;
  let source = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) source += escapeRegExp(chars[++i]!);
    else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += escapeRegExp(c);
  }
  re = new RegExp(`^${source}$`, 'su');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(pattern, re);
  return re;
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
