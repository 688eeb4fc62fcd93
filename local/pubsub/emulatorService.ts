import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { sdkComponentPath, startEmulator } from '../emulatorProcess';
import type { ProcessGroup } from '../processGroup';

/**
 * The Pub/Sub emulator of the Google Cloud SDK (`platform/pubsub-emulator`, Java) as a local
 * service, in its own process group like the Firestore emulator. It knows no product: whoever
 * wires the local cloud hands it the topics and push subscriptions to create (`declare`), once
 * the URLs they push to exist. `reset()` deletes and re-creates them, which drops every message
 * still queued or being retried.
 *
 * What the emulator does differently from the service (tried here; see the README): filters are
 * ignored, the push body has no `deliveryAttempt`, no OIDC token is sent, and the first retry
 * comes after about a second whatever the retry policy's minimum.
 */
export interface PushSubscription {
  name: string;
  topic: string;
  pushEndpoint: string;
  ackDeadlineSeconds: number;
  minimumBackoffSeconds: number;
  maximumBackoffSeconds: number;
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
}

export interface PubSubTopology {
  topics: string[];
  subscriptions: PushSubscription[];
}

export class PubSubEmulatorService implements LocalService {
  readonly name = 'pubsub';
  private group?: ProcessGroup;
  private base = '';
  private projectId = '';
  private topology: PubSubTopology = { topics: [], subscriptions: [] };

  constructor(private readonly logFile?: string) {}

  async start(context: LocalServiceContext): Promise<StartedService> {
    this.projectId = context.projectId;
    const emulator = await startEmulator({
      title: 'the Pub/Sub emulator',
      name: 'pubsub-emulator',
      port: context.port,
      command: (port) => {
        const script = sdkComponentPath('pubsub-emulator', 'bin', 'cloud-pubsub-emulator');
        if (script) return { command: script, args: [`--host=127.0.0.1`, `--port=${port}`] };
        return { command: 'gcloud', args: ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`] };
      },
      logFile: this.logFile,
    });
    this.group = emulator.group;
    this.base = `http://${emulator.host}/v1/projects/${this.projectId}`;
    // The client libraries' own switch: plain-text gRPC to this host, no credentials.
    return { endpoint: emulator.host, env: { PUBSUB_EMULATOR_HOST: emulator.host } };
  }

  /** Creates the topics, then the subscriptions (a dead-letter topic must exist before a policy names it). */
  async declare(topology: PubSubTopology): Promise<void> {
    this.topology = topology;
    for (const topic of topology.topics) await this.call('PUT', `/topics/${topic}`, {});
    for (const s of topology.subscriptions) {
      await this.call('PUT', `/subscriptions/${s.name}`, {
        topic: `projects/${this.projectId}/topics/${s.topic}`,
        pushConfig: { pushEndpoint: s.pushEndpoint },
        ackDeadlineSeconds: s.ackDeadlineSeconds,
        retryPolicy: { minimumBackoff: `${s.minimumBackoffSeconds}s`, maximumBackoff: `${s.maximumBackoffSeconds}s` },
        ...(s.deadLetter
          ? {
              deadLetterPolicy: {
                deadLetterTopic: `projects/${this.projectId}/topics/${s.deadLetter.topic}`,
                maxDeliveryAttempts: s.deadLetter.maxDeliveryAttempts,
              },
            }
          : {}),
      });
    }
  }

  async reset(): Promise<void> {
    if (!this.base) return;
    for (const s of this.topology.subscriptions) await this.call('DELETE', `/subscriptions/${s.name}`, undefined, [404]);
    for (const t of this.topology.topics) await this.call('DELETE', `/topics/${t}`, undefined, [404]);
    await this.declare(this.topology);
  }

  async stop(): Promise<void> {
    await this.group?.stop();
  }

  private async call(method: string, path: string, body: unknown, tolerated: number[] = []): Promise<void> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !tolerated.includes(res.status)) throw new Error(`Pub/Sub emulator: ${method} ${path}: ${res.status} ${text}`);
  }
}
