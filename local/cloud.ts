import * as fs from 'node:fs';
import * as path from 'node:path';
import { deployName, type FunctionEntry } from '../manifest/manifest';
import { ControlServer } from './control/controlServer';
import { FaultPlan } from './faults/faultPlan';
import { FaultProxy } from './faults/faultProxy';
import { BigQueryService } from './bigquery/service';
import { FirestoreEmulatorService } from './firestore/emulatorService';
import { FunctionProcess } from './functions/functionProcess';
import { GatewayServer } from './gateway/gatewayServer';
import { repoPath } from './paths';
import { PubSubEmulatorService } from './pubsub/emulatorService';
import { SchedulerService } from './scheduler/service';
import { SheetsService } from './sheets/service';
import { StorageService } from './storage/service';
import type { Endpoints, LocalService } from './service';
import {
  localBuckets,
  localDatabases,
  localDatasets,
  localEnv,
  localFunctions,
  localPubSub,
  localSchedules,
  localWorkflows,
  variablesFromEnvNames,
  type LocalContext,
} from './wiring';
import { WorkflowsService } from './workflows/service';

/**
 * The local cloud: the emulated Google services side by side, every function of the manifest in
 * its own Functions Framework process behind a fault-injecting proxy at its own base URL, and a
 * control server. What runs, with which environment, and what each service is handed (datasets,
 * buckets, workflows, topics, schedules) comes from the manifest through `wiring.ts`. `make dev` runs it in the foreground; `local/withCloud.ts` wraps test runs in it.
 */
export interface LocalCloudOptions {
  projectId?: string;
  location?: string;
  /** First of a block of fixed ports (control, services, then functions); dynamic ports when absent. */
  basePort?: number;
  /** Where function and emulator logs go. */
  logDir?: string;
  /** Echo function output to this process's stdout (make dev). */
  echoLogs?: boolean;
  /**
   * Settings by environment variable name, for every function and workflow that reads the
   * Terraform variable behind it (tests shorten PROCESS_DELAY_SECONDS this way; see `wiring.ts`).
   */
  settings?: Record<string, string>;
  /** Only these functions, by entry point (all by default). */
  functions?: readonly string[];
  /** The local Sheets API's per-user write quota (Google's: 60 a minute). */
  sheetsWritesPerMinute?: number;
  /**
   * Where data is kept between runs (`make dev` with `LOCAL_CLOUD_DATA`): each service starts
   * from what it saved in `<dataDir>/<service>/`, if anything, and saves there when the cloud stops.
   */
  dataDir?: string;
}

/** The gateway's port after `basePort` in make dev: below the functions' (+10 on), above the services'. */
const GATEWAY_PORT_OFFSET = 9;

export type { Endpoints };

export class LocalCloud {
  readonly faults = new FaultPlan();
  private services: LocalService[] = [];
  private processes: FunctionProcess[] = [];
  private proxies: FaultProxy[] = [];
  private control?: ControlServer;
  private gateway?: GatewayServer;
  endpoints!: Endpoints;
  /** The standard emulator variables (FIRESTORE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST, ...) every function gets. */
  readonly serviceEnv: Record<string, string> = {};
  /** Each function's environment as this cloud set it (beyond this process's own), to run one alone the same way. */
  readonly functionEnvs: Record<string, Record<string, string>> = {};

  /** Set once every piece is up: only a cloud that started saves its data (a failed start must not overwrite it). */
  private booted = false;

  private constructor(
    private readonly options: Required<Omit<LocalCloudOptions, 'basePort' | 'dataDir' | 'functions' | 'settings'>> & {
      basePort?: number;
      dataDir?: string;
      functions: FunctionEntry[];
      variables: Record<string, string>;
    },
  ) {}

  static async start(options: LocalCloudOptions = {}): Promise<LocalCloud> {
    const cloud = new LocalCloud({
      projectId: options.projectId ?? 'local-project',
      location: options.location ?? 'us-central1',
      basePort: options.basePort,
      logDir: options.logDir ?? repoPath('.local', 'logs'),
      echoLogs: options.echoLogs ?? false,
      variables: variablesFromEnvNames(options.settings ?? {}),
      functions: localFunctions(options.functions),
      sheetsWritesPerMinute: options.sheetsWritesPerMinute ?? 60,
      dataDir: options.dataDir,
    });
    try {
      await cloud.boot();
    } catch (err) {
      await cloud.stop();
      throw err;
    }
    return cloud;
  }

  /**
   * The port for the server at `offset`: fixed after `basePort` (make dev, stable URLs), or 0
   * (a throwaway cloud) so each server binds whatever port the kernel picks, with no probe
   * beforehand that another process could race.
   */
  private port(offset: number): number {
    return this.options.basePort === undefined ? 0 : this.options.basePort + offset;
  }

  private async boot(): Promise<void> {
    const { projectId, location, logDir } = this.options;
    fs.mkdirSync(logDir, { recursive: true });
    this.endpoints = { project: projectId, location, gateway: '', functions: {}, control: '' };

    // Services first, in order: later ones (the Workflows engine) need earlier ones' endpoints.
    const serviceEnv = this.serviceEnv;
    const plugged = this.pluggedServices();
    for (const [index, service] of plugged.entries()) {
      const started = await service.start({
        projectId,
        location,
        port: this.port(1 + index),
        endpoints: this.endpointStrings(),
        faults: this.faults,
        restoreFrom: this.savedData(service.name),
      });
      this.services.push(service);
      this.endpoints[service.name] = started.endpoint;
      Object.assign(this.endpoints, started.extra ?? {});
      Object.assign(serviceEnv, started.env);
    }

    // Public URLs first (the gateway, then the proxies), so each function's environment can name them.
    const definitions = this.options.functions;
    this.gateway = new GatewayServer(
      new Map(definitions.map((d) => [deployName(d.name), d.name])),
      (name) => this.endpoints.functions[name],
    );
    this.endpoints.gateway = await this.gateway.listen(this.port(GATEWAY_PORT_OFFSET));
    // Each proxy learns its function's port once the function listens (the kernel picks it).
    for (const [index, definition] of definitions.entries()) {
      const proxy = new FaultProxy(definition.name, this.faults);
      this.proxies.push(proxy);
      this.endpoints.functions[definition.name] = await proxy.listen(this.port(10 + index));
    }
    const baseEnv = {
      GOOGLE_CLOUD_PROJECT: projectId,
      METADATA_SERVER_DETECTION: 'none',
      NODE_ENV: 'production',
      // As Terraform sets it to the cloudfunctions.net host: the docs' server and problem type links.
      PUBLIC_BASE_URL: this.endpoints.gateway,
      ...serviceEnv,
    };
    this.processes = await Promise.all(
      definitions.map((definition, index) =>
        FunctionProcess.start(definition, {
          env: (this.functionEnvs[definition.name] = {
            ...baseEnv,
            ...localEnv(definition.env, this.context()),
          }),
          logFile: path.join(logDir, `${definition.name}.log`),
          echo: this.options.echoLogs,
        }).then((started) => {
          this.proxies[index].targetPort = started.port;
          return started;
        }),
      ),
    );

    await this.deployWorkflows();
    await this.declarePushTargets();

    this.control = new ControlServer(this.faults, {
      endpoints: () => this.endpoints,
      functionNames: () => definitions.map((d) => d.name),
      faultableServices: () => this.services.filter((s) => s instanceof SheetsService).map((s) => s.name),
      functionEnv: (name) => this.functionEnvs[name],
      reset: () => this.reset(),
    });
    this.endpoints.control = await this.control.listen(this.port(0));
    this.booted = true;
  }

  /** The folder a service saved its data in on a previous run, if there is one. */
  private savedData(service: string): string | undefined {
    const dir = this.options.dataDir && path.join(this.options.dataDir, service);
    return dir && fs.existsSync(dir) ? dir : undefined;
  }

  /** Saves a service's data into `<dataDir>/<service>/`, replacing the previous save only once this one is whole. */
  private async save(service: LocalService): Promise<void> {
    if (!service.save || !this.options.dataDir) return;
    const target = path.join(this.options.dataDir, service.name);
    const next = `${target}.saving`;
    fs.rmSync(next, { recursive: true, force: true });
    fs.mkdirSync(next, { recursive: true });
    await service.save(path.resolve(next));
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(next, target);
  }

  /** The services this cloud runs, in start order: the Workflows engine's connectors need the endpoints of the services before it. */
  private pluggedServices(): LocalService[] {
    return [
      new FirestoreEmulatorService(path.join(this.options.logDir, 'firestore-emulator.log'), localDatabases()),
      new BigQueryService({ datasets: localDatasets() }),
      new StorageService(localBuckets(this.options.projectId)),
      // Before the Workflows engine, which is handed the endpoints started before it (its Pub/Sub connector).
      new PubSubEmulatorService(path.join(this.options.logDir, 'pubsub-emulator.log')),
      new WorkflowsService(),
      new SheetsService(this.options.sheetsWritesPerMinute),
      new SchedulerService(),
    ];
  }

  /**
   * Pub/Sub subscriptions and scheduler jobs call functions, so they are created once the
   * functions' URLs (their fault proxies) exist, from the manifest Terraform reads too.
   */
  private async declarePushTargets(): Promise<void> {
    const urls = this.endpoints.functions;
    for (const service of this.services) {
      if (service instanceof PubSubEmulatorService) await service.declare(localPubSub(urls));
      if (service instanceof SchedulerService) service.declare(localSchedules(urls));
    }
  }

  /** What the manifest's env sources resolve against here. */
  private context(): LocalContext {
    return {
      projectId: this.options.projectId,
      location: this.options.location,
      functionUrls: this.endpoints.functions,
      baseUrl: this.endpoints.gateway,
      variables: this.options.variables,
    };
  }

  /** Deploys the manifest's workflows with the env vars Terraform would give them; a workflow the engine refuses stops start-up. */
  private async deployWorkflows(): Promise<void> {
    const engine = this.services.find((s): s is WorkflowsService => s instanceof WorkflowsService);
    if (!engine) return;
    for (const deployment of localWorkflows(this.context())) {
      const source = fs.readFileSync(repoPath(deployment.sourceFile), 'utf8');
      try {
        await engine.deployWorkflow({ workflowId: deployment.workflowId, source, userEnvVars: deployment.userEnvVars });
      } catch (err) {
        throw new Error(`${deployment.sourceFile} was refused by the local Workflows engine: ${(err as Error).message}`);
      }
    }
  }

  private endpointStrings(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.endpoints).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  }

  /** Wipes every service's data and disarms all faults; returns the names of what was reset. */
  async reset(): Promise<string[]> {
    this.faults.clear();
    await Promise.all(this.services.map((s) => s.reset()));
    return this.services.map((s) => s.name);
  }

  /**
   * Stops everything this cloud started, children first, so nothing writes while the services
   * save their data (with `dataDir`), each just before it stops: the Workflows engine before
   * Firestore and BigQuery, so no execution writes to them after they saved. Safe to call twice.
   * A failed save still stops everything, then rejects naming it.
   */
  async stop(): Promise<void> {
    const saving = this.booted;
    this.booted = false;
    await this.control?.close();
    await this.gateway?.close();
    await Promise.all(this.proxies.map((p) => p.close()));
    await Promise.all(this.processes.map((p) => p.stop()));
    const failed: string[] = [];
    for (const service of [...this.services].reverse()) {
      if (saving) await this.save(service).catch((err: Error) => failed.push(`${service.name}: ${err.message}`));
      await service.stop().catch(() => undefined);
    }
    this.processes = [];
    this.proxies = [];
    this.services = [];
    if (failed.length > 0) throw new Error(`could not save the data of ${failed.join('; ')}`);
  }

  /** Writes the endpoints document where tests and scripts look for it. */
  writeEndpoints(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(this.endpoints, null, 2) + '\n');
  }
}
