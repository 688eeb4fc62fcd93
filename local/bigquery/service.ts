/**
 * The local BigQuery as a piece of the local cloud: starts the REST server, provisions the
 * datasets and tables it is handed (the local cloud hands it the manifest's, with the same schema
 * files Terraform reads), and tells function processes how to reach it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../paths';
import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { loadSchemaFile } from './schema';
import type { CatalogSnapshot } from './catalog';
import { BigQueryServer, type SavedBigQuery } from './server';

/** A table to create at start, from a Terraform schema file. */
export interface ProvisionedTable {
  tableId: string;
  /** A path relative to the repository root (e.g. `infra/schemas/results.json`), or absolute. */
  schemaFile: string;
  description?: string;
  /** As Terraform gives them (`time_partitioning`, `clustering`). */
  timePartitioning?: { type: string; field?: string };
  clustering?: { fields: string[] };
}

/** A dataset to create at start, with its tables. */
export interface ProvisionedDataset {
  datasetId: string;
  location?: string;
  description?: string;
  tables: ProvisionedTable[];
}

/** What BigQueryService provisions. */
export interface BigQueryServiceOptions {
  datasets: ProvisionedDataset[];
}

/**
 * `LocalService` for BigQuery. Each start gets a fresh in-memory database; `reset()` empties
 * the tables but keeps the datasets and tables, as Terraform would have left them.
 *
 * The environment it hands out is `BIGQUERY_EMULATOR_HOST=http://127.0.0.1:PORT`, with the
 * scheme: `@google-cloud/bigquery` uses the value verbatim as its base URL.
 */
export class BigQueryService implements LocalService {
  readonly name = 'bigquery';
  private server?: BigQueryServer;

  constructor(private readonly options: BigQueryServiceOptions) {}

  /** The running server (for tests and the orchestrator's diagnostics). */
  get running(): BigQueryServer | undefined {
    return this.server;
  }

  async start(context: LocalServiceContext): Promise<StartedService> {
    if (this.server) throw new Error('bigquery: already started');
    // Read every schema first, so a broken file stops start-up with its name before a port is taken.
    const datasets = this.options.datasets.map((d) => ({
      ...d,
      tables: d.tables.map((t) => ({
        ...t,
        fields: loadSchemaFile(path.isAbsolute(t.schemaFile) ? t.schemaFile : repoPath(t.schemaFile)),
      })),
    }));
    const server = await BigQueryServer.start(context.port, context.restoreFrom ? readSaved(context.restoreFrom) : undefined);
    this.server = server;
    /** Creates whatever provisioned dataset or table is missing. */
    const provision = (): void => {
      for (const d of datasets) {
        if (!server.catalog.hasDataset(context.projectId, d.datasetId)) {
          server.catalog.createDataset(context.projectId, {
            datasetReference: { projectId: context.projectId, datasetId: d.datasetId },
            ...(d.location ? { location: d.location } : {}),
            ...(d.description ? { description: d.description } : {}),
          });
        }
        for (const t of d.tables) {
          if (server.catalog.hasTable(context.projectId, d.datasetId, t.tableId)) continue;
          server.catalog.createTable(context.projectId, d.datasetId, {
            tableReference: { projectId: context.projectId, datasetId: d.datasetId, tableId: t.tableId },
            schema: { fields: t.fields },
            ...(t.description ? { description: t.description } : {}),
            ...(t.timePartitioning ? { timePartitioning: t.timePartitioning } : {}),
            ...(t.clustering ? { clustering: t.clustering } : {}),
          });
        }
      }
    };
    provision();
    server.afterReset = provision;
    const endpoint = server.url;
    const started: StartedService = {
      endpoint,
      env: {
        BIGQUERY_EMULATOR_HOST: endpoint,
        // Keeps google-auth-library from probing 169.254.169.254 before each call; with no
        // credentials it then sends the request unauthenticated, which is what we want.
        METADATA_SERVER_DETECTION: 'none',
      },
    };
    if (datasets[0]) started.extra = { bigquery_dataset: datasets[0].datasetId };
    return started;
  }

  /**
   * Empties every table and forgets every job. Tables created at run time stay (a function may
   * have created one and remember that it exists); a provisioned dataset or table that a test
   * deleted is created again, so the state is at least what `terraform apply` leaves.
   */
  async reset(): Promise<void> {
    this.server?.reset();
  }

  /** `catalog.json` (datasets, tables, schemas, insertIds) and `rows.sqlite` (every row). */
  async save(dir: string): Promise<void> {
    if (!this.server) return;
    const { catalog, database } = this.server.save();
    fs.writeFileSync(path.join(dir, 'rows.sqlite'), database);
    fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }
}

function readSaved(dir: string): SavedBigQuery {
  return {
    catalog: JSON.parse(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8')) as CatalogSnapshot,
    database: fs.readFileSync(path.join(dir, 'rows.sqlite')),
  };
}
