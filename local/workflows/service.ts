import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalService, LocalServiceContext, StartedService } from '../service';
import { WorkflowsApiServer } from './api/server';
import { Clock } from './clock';
import { DeployInput, WorkflowRecord, WorkflowsEngine } from './engine';
import { restoreExecutions, saveExecutions, type SavedExecution } from './executionSnapshot';
import { closeIdleConnections } from './stdlib/http';

const EXECUTIONS_FILE = 'executions.json';

/** Options for tests and tools; the orchestrator needs none. */
export interface WorkflowsServiceOptions {
  /** Clock for sleeps and back-off (tests pass a ScaledClock). */
  clock?: Clock;
}

/**
 * The local Cloud Workflows engine as a LocalService: answers the Workflows v1 and Workflow
 * Executions v1 REST APIs on 127.0.0.1, runs executions in-process, and reaches Firestore (the
 * emulator) and BigQuery (the local one) for the connectors.
 *
 * Start-up: `start(ctx)` needs `ctx.endpoints.firestore` (`host:port`) and
 * `ctx.endpoints.bigquery` (base URL) when workflows use those connectors; then
 * `deployWorkflow({workflowId, source, userEnvVars})` for each workflow.
 */
export class WorkflowsService implements LocalService {
  readonly name = 'workflows';
  private engineRef?: WorkflowsEngine;
  private server?: WorkflowsApiServer;
  private baseUrl?: string;

  constructor(private readonly options: WorkflowsServiceOptions = {}) {}

  /** The engine (available after start). */
  get engine(): WorkflowsEngine {
    if (!this.engineRef) throw new Error('WorkflowsService is not started');
    return this.engineRef;
  }

  async start(context: LocalServiceContext): Promise<StartedService> {
    if (this.baseUrl) throw new Error('WorkflowsService already started');
    this.engineRef = new WorkflowsEngine({
      projectId: context.projectId,
      location: context.location,
      firestore: context.endpoints.firestore,
      bigquery: context.endpoints.bigquery,
      storage: context.endpoints.storage,
      pubsub: context.endpoints.pubsub,
      clock: this.options.clock,
    });
    if (context.restoreFrom) {
      const saved = JSON.parse(fs.readFileSync(path.join(context.restoreFrom, EXECUTIONS_FILE), 'utf8')) as SavedExecution[];
      restoreExecutions(this.engineRef, saved);
    }
    this.server = new WorkflowsApiServer(this.engineRef);
    this.baseUrl = await this.server.listen(context.port);
    const hostPort = this.baseUrl.replace(/^http:\/\//, '');
    return {
      endpoint: this.baseUrl,
      // For clients: `new ExecutionsClient({apiEndpoint: '127.0.0.1', port, protocol: 'http', fallback: true, ...})`.
      env: { WORKFLOWS_EMULATOR_HOST: hostPort },
      extra: { workflows_parent: this.engineRef.parent },
    };
  }

  /**
   * Deploys (creates or replaces) a workflow. Throws a DeployError naming the construct and line
   * when the source has a syntax error or uses something this engine does not support.
   */
  async deployWorkflow(input: DeployInput): Promise<WorkflowRecord> {
    return this.engine.deploy(input);
  }

  /** Cancels and deletes every execution; deployed workflows stay. */
  async reset(): Promise<void> {
    await this.engineRef?.reset();
  }

  /** The executions (workflows are deployed from their files at every start, so they are not saved). */
  async save(dir: string): Promise<void> {
    if (!this.engineRef) return;
    fs.writeFileSync(path.join(dir, EXECUTIONS_FILE), JSON.stringify(await saveExecutions(this.engineRef)));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.baseUrl = undefined;
    await this.engineRef?.reset();
    await server?.close();
    closeIdleConnections();
  }
}
