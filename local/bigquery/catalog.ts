/**
 * Datasets and tables: their metadata in memory and their rows in one SQLite table each.
 * The SQLite table is named `t<N>` with columns `c0..cN`, so BigQuery names (case-insensitive
 * columns, hyphenated projects) never have to survive SQLite's quoting rules.
 */
import { BigQueryError } from './errors';
import { SqlDatabase, quoteIdent } from './database';
import { normalizeSchema, type FieldSchema } from './schema';

/** A dataset and the tables in it. */
export interface DatasetEntry {
  projectId: string;
  datasetId: string;
  location: string;
  description?: string;
  friendlyName?: string;
  labels?: Record<string, string>;
  creationTime: number;
  tables: Map<string, TableEntry>;
}

/** A table: its schema, where its rows live, and the insertIds it has already accepted. */
export interface TableEntry {
  projectId: string;
  datasetId: string;
  tableId: string;
  location: string;
  schema: FieldSchema[];
  /** The SQLite table holding the rows. */
  sqlName: string;
  description?: string;
  friendlyName?: string;
  labels?: Record<string, string>;
  creationTime: number;
  lastModifiedTime: number;
  /** `insertId`s seen by `insertAll`; BigQuery de-duplicates on them best-effort, we always do. */
  insertIds: Set<string>;
  /** Accepted, checked against the schema and reported back; storage is not partitioned locally. */
  timePartitioning?: { type: string; field?: string; expirationMs?: string };
  clustering?: { fields: string[] };
}

const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
// Letters, marks, digits, connectors and dashes; spaces (which BigQuery allows) are left out so
// every table stays addressable from the SQL subset we translate.
const TABLE_ID = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}]{1,1024}$/u;
/** The location reported for resources created without one. */
export const DEFAULT_LOCATION = 'US';

/** The SQLite column holding the i-th schema field. */
export function columnName(index: number): string {
  return `c${index}`;
}

/** SQLite column type per BigQuery type; the affinity is what makes bound bigint text an integer. */
function sqliteType(field: FieldSchema): string {
  if (field.mode === 'REPEATED') return 'TEXT';
  switch (field.type) {
    case 'INTEGER':
    case 'BOOLEAN':
    case 'TIMESTAMP':
      return 'INTEGER';
    case 'FLOAT':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

function optionalLabels(body: Record<string, unknown>): Record<string, string> | undefined {
  const v = body.labels;
  return typeof v === 'object' && v !== null ? (v as Record<string, string>) : undefined;
}

/** Every dataset and table of the local BigQuery, across projects. */
/** The catalog's metadata as JSON, beside the database's bytes in a data folder. */
export interface CatalogSnapshot {
  nextTable: number;
  datasets: (Omit<DatasetEntry, 'tables'> & { tables: (Omit<TableEntry, 'insertIds'> & { insertIds: string[] })[] })[];
}

export class Catalog {
  private readonly datasets = new Map<string, DatasetEntry>();
  private nextTable = 0;

  constructor(readonly db: SqlDatabase) {}

  /** Every dataset and table as JSON; their rows are in the database. */
  snapshot(): CatalogSnapshot {
    return {
      nextTable: this.nextTable,
      datasets: [...this.datasets.values()].map((d) => ({
        ...d,
        tables: [...d.tables.values()].map((t) => ({ ...t, insertIds: [...t.insertIds] })),
      })),
    };
  }

  /** Takes back a snapshot's datasets and tables, over a database opened from the same save. */
  restore(snapshot: CatalogSnapshot): void {
    this.nextTable = snapshot.nextTable;
    for (const d of snapshot.datasets) {
      const tables = new Map(d.tables.map((t) => [t.tableId, { ...t, insertIds: new Set(t.insertIds) }]));
      this.datasets.set(Catalog.key(d.projectId, d.datasetId), { ...d, tables });
    }
  }

  private static key(projectId: string, datasetId: string): string {
    return `${projectId}:${datasetId}`;
  }

  /** `datasets.insert`. @throws 409 duplicate, 400 invalid. */
  createDataset(projectId: string, body: Record<string, unknown>): DatasetEntry {
    const ref = (body.datasetReference ?? {}) as Record<string, unknown>;
    const datasetId = ref.datasetId;
    if (typeof datasetId !== 'string' || !DATASET_ID.test(datasetId)) {
      throw new BigQueryError(
        'invalid',
        `Invalid dataset ID "${String(datasetId)}". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.`,
      );
    }
    if (ref.projectId !== undefined && ref.projectId !== projectId) {
      throw new BigQueryError(
        'invalid',
        `datasetReference.projectId ${String(ref.projectId)} does not match the project in the URL (${projectId}).`,
      );
    }
    const key = Catalog.key(projectId, datasetId);
    if (this.datasets.has(key)) {
      throw new BigQueryError('duplicate', `Already Exists: Dataset ${projectId}:${datasetId}`);
    }
    const entry: DatasetEntry = {
      projectId,
      datasetId,
      location: optionalString(body, 'location') ?? DEFAULT_LOCATION,
      description: optionalString(body, 'description'),
      friendlyName: optionalString(body, 'friendlyName'),
      labels: optionalLabels(body),
      creationTime: Date.now(),
      tables: new Map(),
    };
    this.datasets.set(key, entry);
    return entry;
  }

  /** `datasets.get`. @throws 404 notFound. */
  getDataset(projectId: string, datasetId: string): DatasetEntry {
    const entry = this.datasets.get(Catalog.key(projectId, datasetId));
    if (!entry) throw new BigQueryError('notFound', `Not found: Dataset ${projectId}:${datasetId}`);
    return entry;
  }

  /** Whether a dataset exists. */
  hasDataset(projectId: string, datasetId: string): boolean {
    return this.datasets.has(Catalog.key(projectId, datasetId));
  }

  /** Whether a table exists. */
  hasTable(projectId: string, datasetId: string, tableId: string): boolean {
    return this.datasets.get(Catalog.key(projectId, datasetId))?.tables.has(tableId) ?? false;
  }

  /** `datasets.list`, in creation order. */
  listDatasets(projectId: string): DatasetEntry[] {
    return [...this.datasets.values()].filter((d) => d.projectId === projectId);
  }

  /** `datasets.delete`. @throws 404 notFound, 400 resourceInUse when not empty without deleteContents. */
  deleteDataset(projectId: string, datasetId: string, deleteContents: boolean): void {
    const entry = this.getDataset(projectId, datasetId);
    if (entry.tables.size > 0 && !deleteContents) {
      throw new BigQueryError('resourceInUse', `Dataset ${projectId}:${datasetId} is still in use`);
    }
    for (const table of entry.tables.values()) this.db.run(`DROP TABLE ${quoteIdent(table.sqlName)}`);
    this.datasets.delete(Catalog.key(projectId, datasetId));
  }

  /** `tables.insert`. @throws 404 for a missing dataset, 409 duplicate, 400 invalid. */
  createTable(projectId: string, datasetId: string, body: Record<string, unknown>): TableEntry {
    const dataset = this.getDataset(projectId, datasetId);
    const ref = (body.tableReference ?? {}) as Record<string, unknown>;
    const tableId = ref.tableId;
    if (typeof tableId !== 'string' || !TABLE_ID.test(tableId)) {
      throw new BigQueryError('invalid', `Invalid table ID "${String(tableId)}".`);
    }
    if ((ref.datasetId !== undefined && ref.datasetId !== datasetId) || (ref.projectId !== undefined && ref.projectId !== projectId)) {
      throw new BigQueryError('invalid', 'tableReference does not match the dataset in the URL.');
    }
    for (const unsupported of ['view', 'materializedView', 'externalDataConfiguration']) {
      if (body[unsupported] !== undefined) {
        throw new BigQueryError('notImplemented', `The local BigQuery does not support ${unsupported} tables.`);
      }
    }
    if (dataset.tables.has(tableId)) {
      throw new BigQueryError('duplicate', `Already Exists: Table ${projectId}:${datasetId}.${tableId}`);
    }
    const schemaBody = body.schema as { fields?: unknown } | undefined;
    const schema = normalizeSchema(schemaBody?.fields ?? []);
    const layout = tableLayout(body, schema);
    const sqlName = `t${this.nextTable++}`;
    // A table without columns still needs one in SQLite; `_empty` is never read.
    const columns = schema.length ? schema.map((f, i) => `${columnName(i)} ${sqliteType(f)}`).join(', ') : '_empty INTEGER';
    this.db.run(`CREATE TABLE ${quoteIdent(sqlName)} (${columns})`);
    const now = Date.now();
    const entry: TableEntry = {
      projectId,
      datasetId,
      tableId,
      location: dataset.location,
      schema,
      sqlName,
      description: optionalString(body, 'description'),
      friendlyName: optionalString(body, 'friendlyName'),
      labels: optionalLabels(body),
      creationTime: now,
      lastModifiedTime: now,
      insertIds: new Set(),
      ...layout,
    };
    dataset.tables.set(tableId, entry);
    return entry;
  }

  /**
   * `tables.patch` / `tables.update`: description, friendlyName, labels, and schema changes
   * BigQuery allows in place (new NULLABLE or REPEATED columns at the end, REQUIRED relaxed to
   * NULLABLE, new column descriptions). @throws 400 invalid for any other schema change.
   */
  patchTable(projectId: string, datasetId: string, tableId: string, body: Record<string, unknown>): TableEntry {
    const table = this.getTable(projectId, datasetId, tableId);
    const schemaBody = body.schema as { fields?: unknown } | undefined;
    if (schemaBody?.fields !== undefined) {
      const next = normalizeSchema(schemaBody.fields);
      const mismatch = (why: string): BigQueryError =>
        new BigQueryError('invalid', `Provided Schema does not match Table ${projectId}:${datasetId}.${tableId}. ${why}`);
      table.schema.forEach((old, i) => {
        const now = next[i];
        if (!now || now.name.toLowerCase() !== old.name.toLowerCase()) {
          throw mismatch(`Field ${old.name} is missing in new schema (the local BigQuery also needs existing fields to keep their order).`);
        }
        if (now.type !== old.type) throw mismatch(`Field ${old.name} has changed type from ${old.type} to ${now.type}`);
        const relaxed = old.mode === 'REQUIRED' && now.mode === 'NULLABLE';
        if (now.mode !== old.mode && !relaxed) throw mismatch(`Field ${old.name} has changed mode from ${old.mode} to ${now.mode}`);
      });
      const added = next.slice(table.schema.length);
      for (const f of added) {
        if (f.mode === 'REQUIRED') throw mismatch(`Cannot add required fields to an existing schema. (field: ${f.name})`);
      }
      added.forEach((f, i) => {
        this.db.run(`ALTER TABLE ${quoteIdent(table.sqlName)} ADD COLUMN ${columnName(table.schema.length + i)} ${sqliteType(f)}`);
      });
      table.schema = next;
    }
    if (typeof body.description === 'string') table.description = body.description;
    if (typeof body.friendlyName === 'string') table.friendlyName = body.friendlyName;
    const labels = optionalLabels(body);
    if (labels) table.labels = labels;
    table.lastModifiedTime = Date.now();
    return table;
  }

  /** `datasets.patch` / `datasets.update`: description, friendlyName and labels. */
  patchDataset(projectId: string, datasetId: string, body: Record<string, unknown>): DatasetEntry {
    const dataset = this.getDataset(projectId, datasetId);
    if (typeof body.description === 'string') dataset.description = body.description;
    if (typeof body.friendlyName === 'string') dataset.friendlyName = body.friendlyName;
    const labels = optionalLabels(body);
    if (labels) dataset.labels = labels;
    return dataset;
  }

  /** `tables.get`. @throws 404 notFound for the dataset or the table. */
  getTable(projectId: string, datasetId: string, tableId: string): TableEntry {
    const table = this.getDataset(projectId, datasetId).tables.get(tableId);
    if (!table) throw new BigQueryError('notFound', `Not found: Table ${projectId}:${datasetId}.${tableId}`);
    return table;
  }

  /** `tables.list`, in creation order. */
  listTables(projectId: string, datasetId: string): TableEntry[] {
    return [...this.getDataset(projectId, datasetId).tables.values()];
  }

  /** `tables.delete`. */
  deleteTable(projectId: string, datasetId: string, tableId: string): void {
    const table = this.getTable(projectId, datasetId, tableId);
    this.db.run(`DROP TABLE ${quoteIdent(table.sqlName)}`);
    this.getDataset(projectId, datasetId).tables.delete(tableId);
  }

  /** The number of rows stored in a table. */
  rowCount(table: TableEntry): number {
    const [[count] = [0]] = this.db.all(`SELECT COUNT(*) FROM ${quoteIdent(table.sqlName)}`);
    return Number(count);
  }

  /** Empties every table and forgets every insertId, keeping datasets, tables and schemas. */
  truncateAll(): void {
    for (const dataset of this.datasets.values()) {
      for (const table of dataset.tables.values()) {
        this.db.run(`DELETE FROM ${quoteIdent(table.sqlName)}`);
        table.insertIds.clear();
      }
    }
  }
}

/** The REST `Dataset` resource. */
export function datasetResource(d: DatasetEntry): Record<string, unknown> {
  return {
    kind: 'bigquery#dataset',
    etag: `"${d.creationTime.toString(36)}"`,
    id: `${d.projectId}:${d.datasetId}`,
    selfLink: `/bigquery/v2/projects/${d.projectId}/datasets/${d.datasetId}`,
    datasetReference: { datasetId: d.datasetId, projectId: d.projectId },
    ...(d.friendlyName !== undefined ? { friendlyName: d.friendlyName } : {}),
    ...(d.description !== undefined ? { description: d.description } : {}),
    ...(d.labels !== undefined ? { labels: d.labels } : {}),
    location: d.location,
    type: 'DEFAULT',
    creationTime: String(d.creationTime),
    lastModifiedTime: String(d.creationTime),
  };
}

/**
 * A table's `timePartitioning` and `clustering`, checked as BigQuery checks them: a partitioning
 * field must be a TIMESTAMP or DATE column, clustering fields (at most four) must be columns.
 */
function tableLayout(body: Record<string, unknown>, schema: FieldSchema[]): Pick<TableEntry, 'timePartitioning' | 'clustering'> {
  const out: Pick<TableEntry, 'timePartitioning' | 'clustering'> = {};
  const partitioning = body.timePartitioning as { type?: unknown; field?: unknown; expirationMs?: unknown } | undefined;
  if (partitioning !== undefined) {
    const type = String(partitioning.type ?? 'DAY');
    if (!['HOUR', 'DAY', 'MONTH', 'YEAR'].includes(type)) throw new BigQueryError('invalid', `Invalid time partitioning type ${type}.`);
    if (partitioning.field !== undefined) {
      const field = schema.find((f) => f.name.toLowerCase() === String(partitioning.field).toLowerCase());
      if (!field)
        throw new BigQueryError(
          'invalid',
          `The field specified for time partitioning can only be of type TIMESTAMP, DATE or DATETIME. The type found is: missing.`,
        );
      if (field.type !== 'TIMESTAMP' && field.type !== 'DATE') {
        throw new BigQueryError(
          'invalid',
          `The field specified for time partitioning can only be of type TIMESTAMP, DATE or DATETIME. The type found is: ${field.type}.`,
        );
      }
    }
    out.timePartitioning = { type, ...(partitioning.field !== undefined ? { field: String(partitioning.field) } : {}) };
  }
  const clustering = body.clustering as { fields?: unknown } | undefined;
  if (clustering !== undefined) {
    const fields = Array.isArray(clustering.fields) ? clustering.fields.map(String) : [];
    if (fields.length === 0 || fields.length > 4) throw new BigQueryError('invalid', 'Clustering must name one to four fields.');
    for (const name of fields) {
      if (!schema.some((f) => f.name.toLowerCase() === name.toLowerCase())) {
        throw new BigQueryError('invalid', `The field ${name} specified for clustering cannot be found in the schema.`);
      }
    }
    out.clustering = { fields };
  }
  return out;
}

/** The REST `Table` resource; `numRows` is a string as in the API. */
export function tableResource(t: TableEntry, numRows: number): Record<string, unknown> {
  return {
    kind: 'bigquery#table',
    etag: `"${t.lastModifiedTime.toString(36)}"`,
    id: `${t.projectId}:${t.datasetId}.${t.tableId}`,
    selfLink: `/bigquery/v2/projects/${t.projectId}/datasets/${t.datasetId}/tables/${t.tableId}`,
    tableReference: { projectId: t.projectId, datasetId: t.datasetId, tableId: t.tableId },
    ...(t.friendlyName !== undefined ? { friendlyName: t.friendlyName } : {}),
    ...(t.description !== undefined ? { description: t.description } : {}),
    ...(t.labels !== undefined ? { labels: t.labels } : {}),
    schema: { fields: t.schema.map((f) => ({ ...f })) },
    ...(t.timePartitioning ? { timePartitioning: t.timePartitioning } : {}),
    ...(t.clustering ? { clustering: t.clustering } : {}),
    numBytes: '0',
    numLongTermBytes: '0',
    numRows: String(numRows),
    creationTime: String(t.creationTime),
    lastModifiedTime: String(t.lastModifiedTime),
    type: 'TABLE',
    location: t.location,
  };
}
