import { wfError } from '../errors';
import { CallContext } from '../stdlib/registry';
import { ConnectorMethod, restMethods } from './rest';

function base(ctx: CallContext): string {
  const host = ctx.endpoints.pubsub;
  if (!host) throw wfError('ConnectionFailedError', 'the Pub/Sub emulator is not configured for the local Workflows engine');
  return host.startsWith('http') ? host.replace(/\/$/, '') : `http://${host}`;
}

const method = restMethods('googleapis.pubsub.v1.projects', base);

/**
 * The Pub/Sub connector methods this engine runs against the Pub/Sub emulator's REST API
 * (`PUBSUB_EMULATOR_HOST`), with the arguments of
 * https://cloud.google.com/workflows/docs/reference/googleapis/pubsub/v1/Overview. Message data
 * is base64 text, as the API has it (`base64.encode(text.encode(s))`).
 */
export const pubsubConnectors: ConnectorMethod[] = [
  method('topics.publish', 'POST', '/v1/{topic}:publish', { body: true }),
  // Google's connector_pubsub sample creates a topic with no body: an empty Topic.
  method('topics.create', 'PUT', '/v1/{name}', { body: true, bodyOptional: true }),
  method('topics.get', 'GET', '/v1/{topic}'),
  method('topics.delete', 'DELETE', '/v1/{topic}'),
  method('subscriptions.create', 'PUT', '/v1/{name}', { body: true }),
  method('subscriptions.pull', 'POST', '/v1/{subscription}:pull', { body: true }),
  method('subscriptions.acknowledge', 'POST', '/v1/{subscription}:acknowledge', { body: true }),
  method('subscriptions.delete', 'DELETE', '/v1/{subscription}'),
];
