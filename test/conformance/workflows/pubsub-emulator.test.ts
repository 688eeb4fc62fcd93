import * as assert from 'node:assert/strict';
import { failure, result } from './harness';

const host = process.env.PUBSUB_EMULATOR_HOST;

/**
 * The Pub/Sub connector (https://cloud.google.com/workflows/docs/reference/googleapis/pubsub/v1/Overview)
 * against the Cloud SDK's Pub/Sub emulator, over its REST API. Runs only when PUBSUB_EMULATOR_HOST
 * is set (the local cloud starts the emulator); skipped otherwise.
 */
(host ? describe : describe.skip)('workflows conformance: Pub/Sub connector against the emulator', () => {
  const project = `wf-test-${Date.now()}`;

  it('topics.create, subscriptions.create, topics.publish (base64 data and attributes), subscriptions.pull and acknowledge, deletes', async () => {
    const r = await result(
      `
main:
  params: [args]
  steps:
    - init:
        assign:
          - topic: \${"projects/" + args.project + "/topics/orders"}
          - subscription: \${"projects/" + args.project + "/subscriptions/orders-pull"}
          - data: '\${base64.encode(json.encode({"order": 7}))}'
    - create_topic:
        call: googleapis.pubsub.v1.projects.topics.create
        args:
          name: \${topic}
    - create_subscription:
        call: googleapis.pubsub.v1.projects.subscriptions.create
        args:
          name: \${subscription}
          body:
            topic: \${topic}
    - publish:
        call: googleapis.pubsub.v1.projects.topics.publish
        args:
          topic: \${topic}
          body:
            messages:
              - data: \${data}
                attributes:
                  kind: order
        result: published
    - pull:
        call: googleapis.pubsub.v1.projects.subscriptions.pull
        args:
          subscription: \${subscription}
          body:
            maxMessages: 1
        result: pulled
    - ack:
        call: googleapis.pubsub.v1.projects.subscriptions.acknowledge
        args:
          subscription: \${subscription}
          body:
            ackIds: ['\${pulled.receivedMessages[0].ackId}']
    - delete_subscription:
        call: googleapis.pubsub.v1.projects.subscriptions.delete
        args:
          subscription: \${subscription}
    - delete_topic:
        call: googleapis.pubsub.v1.projects.topics.delete
        args:
          topic: \${topic}
    - done:
        return:
          ids: \${len(published.messageIds)}
          same_id: \${published.messageIds[0] == pulled.receivedMessages[0].message.messageId}
          order: \${json.decode(base64.decode(pulled.receivedMessages[0].message.data)).order}
          kind: \${pulled.receivedMessages[0].message.attributes.kind}
`,
      { project },
      { pubsub: host },
    );
    assert.deepEqual(r, { ids: 1, same_id: true, order: 7, kind: 'order' });
  });

  it('publishing to a topic that does not exist is an HttpError with the API status (404 NOT_FOUND)', async () => {
    const e = await failure(
      `
- publish:
    call: googleapis.pubsub.v1.projects.topics.publish
    args:
      topic: projects/${project}/topics/absent
      body:
        messages:
          - data: aGk=
`,
      undefined,
      { pubsub: host },
    );
    assert.deepEqual(e.tags, ['HttpError']);
    assert.equal(e.code, 404);
    assert.equal((e.body as { error: { status: string } }).error.status, 'NOT_FOUND');
  });
});
