import * as assert from 'node:assert/strict';
import { ExecutionsClient, type protos } from '@google-cloud/workflows';
import { ScaledClock } from '../../../local/workflows/clock';
import { localExecutionsClientOptions } from '../../../local/workflows/client';
import { WorkflowsService } from '../../../local/workflows/service';

type Execution = protos.google.cloud.workflows.executions.v1.IExecution;

process.env.METADATA_SERVER_DETECTION = 'none';

const PROJECT = 'demo-project';
const LOCATION = 'us-central1';
const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;

/**
 * The auth client google-gax's REST (fallback) path needs: it takes any object with
 * `getRequestHeaders` as the auth client, then sends every call through its `fetch(url, init)`.
 */
const fakeAuth = {
  getRequestHeaders: async () => new Headers({ Authorization: 'Bearer local' }),
  fetch: (url: string, init: RequestInit & { headers: Headers }) => {
    init.headers.set('Authorization', 'Bearer local');
    return fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal });
  },
};

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// REST shapes of https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows and
// https://cloud.google.com/workflows/docs/reference/executions/rest/v1/projects.locations.workflows.executions
describe('workflows conformance: REST API and the official client', () => {
  const service = new WorkflowsService({ clock: new ScaledClock(1000) });
  let base = '';
  let port = 0;
  let hostPort = '';

  before(async () => {
    const started = await service.start({ projectId: PROJECT, location: LOCATION, port: 0, endpoints: {} });
    base = started.endpoint;
    port = Number(new URL(base).port);
    hostPort = started.env.WORKFLOWS_EMULATOR_HOST;
    await service.deployWorkflow({
      workflowId: 'greeter',
      source: `
main:
  params: [args]
  steps:
    - greet:
        return: \${"Hello, " + args.name + " from " + sys.get_env("GREETING_SOURCE")}
`,
      userEnvVars: { GREETING_SOURCE: 'local' },
    });
    await service.deployWorkflow({
      workflowId: 'sleeper',
      source: `
- wait:
    call: sys.sleep
    args: {seconds: 3600}
- r:
    return: "woke"
`,
    });
    await service.deployWorkflow({ workflowId: 'failer', source: `- boom:\n    raise: {"message": "bad", "tags": ["Custom"]}\n` });
  });
  after(() => service.stop());

  it('workflows.create returns a done Operation with the Workflow; get, patch (new revision), list, delete', async () => {
    const created = await call(base, 'POST', `/v1/${PARENT}/workflows?workflowId=made-by-api`, {
      sourceContents: '- r:\n    return: 1\n',
      userEnvVars: { A: 'b' },
      description: 'first',
    });
    assert.equal(created.status, 200);
    assert.equal(created.body.done, true);
    const wf = created.body.response as Record<string, unknown>;
    assert.equal(wf.name, `${PARENT}/workflows/made-by-api`);
    assert.equal(wf.state, 'ACTIVE');
    assert.deepEqual(wf.userEnvVars, { A: 'b' });
    assert.match(wf.revisionId as string, /^000001-[0-9a-f]{3}$/);
    const op = await call(base, 'GET', `/v1/${created.body.name as string}`);
    assert.equal(op.body.done, true);

    const got = await call(base, 'GET', `/v1/${PARENT}/workflows/made-by-api`);
    assert.equal(got.body.sourceContents, '- r:\n    return: 1\n');

    const patched = await call(base, 'PATCH', `/v1/${PARENT}/workflows/made-by-api?updateMask=sourceContents`, {
      sourceContents: '- r:\n    return: 2\n',
    });
    const pw = patched.body.response as Record<string, unknown>;
    assert.match(pw.revisionId as string, /^000002-/);
    assert.deepEqual(pw.userEnvVars, { A: 'b' }, 'fields outside updateMask are kept');
    assert.equal(pw.description, 'first', 'fields outside updateMask are kept');

    // A field named in updateMask but absent from the body is cleared (FieldMask update semantics).
    const cleared = await call(base, 'PATCH', `/v1/${PARENT}/workflows/made-by-api?updateMask=description`, {});
    const cw = cleared.body.response as Record<string, unknown>;
    assert.equal(cw.description, '');
    assert.deepEqual(cw.userEnvVars, { A: 'b' });

    const list = await call(base, 'GET', `/v1/${PARENT}/workflows`);
    assert.ok((list.body.workflows as { name: string }[]).some((w) => w.name.endsWith('/made-by-api')));

    const dup = await call(base, 'POST', `/v1/${PARENT}/workflows?workflowId=made-by-api`, { sourceContents: '- r:\n    return: 1\n' });
    assert.equal(dup.status, 409);

    const del = await call(base, 'DELETE', `/v1/${PARENT}/workflows/made-by-api`);
    assert.equal(del.body.done, true);
    const gone = await call(base, 'GET', `/v1/${PARENT}/workflows/made-by-api`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body.error && Object.keys(gone.body.error as object).sort(), ['code', 'message', 'status']);
  });

  it('a deploy with an unsupported construct answers 400 INVALID_ARGUMENT naming the construct and line', async () => {
    const r = await call(base, 'POST', `/v1/${PARENT}/workflows?workflowId=bad`, {
      sourceContents:
        'main:\n  steps:\n    - ok:\n        assign:\n          - x: 1\n    - wait:\n        call: events.await_callback\n        args: {callback: "${x}"}\n',
    });
    assert.equal(r.status, 400);
    const err = r.body.error as { code: number; status: string; message: string };
    assert.equal(err.code, 400);
    assert.equal(err.status, 'INVALID_ARGUMENT');
    assert.match(err.message, /events\.await_callback/);
    assert.match(err.message, /line 7/);
  });

  it('user env vars with a reserved prefix (GOOGLE, WORKFLOWS) are refused (docs: workflows/docs/use-environment-variables)', async () => {
    const r = await call(base, 'POST', `/v1/${PARENT}/workflows?workflowId=reserved`, {
      sourceContents: '- r:\n    return: 1\n',
      userEnvVars: { GOOGLE_X: 'y' },
    });
    assert.equal(r.status, 400);
    assert.match((r.body.error as { message: string }).message, /GOOGLE_X/);
  });

  /** The official client in REST mode, exactly as the functions configure it against the local engine. */
  const restClient = (): ExecutionsClient =>
    new ExecutionsClient({
      projectId: PROJECT,
      apiEndpoint: '127.0.0.1',
      port,
      protocol: 'http',
      fallback: true,
      authClient: fakeAuth,
    } as never);

  /** Polls the execution through the client until it is no longer ACTIVE (1). */
  async function waitDone(client: ExecutionsClient, created: Execution): Promise<Execution> {
    let exec = created;
    for (let i = 0; i < 100 && (exec.state === 'ACTIVE' || exec.state === 1); i++) {
      await new Promise((r) => setTimeout(r, 10));
      [exec] = await client.getExecution({ name: created.name });
    }
    return exec;
  }

  it('the official ExecutionsClient (REST mode, unchanged) creates an execution, polls it and reads the result', async () => {
    const client = restClient();
    const parent = client.workflowPath(PROJECT, LOCATION, 'greeter');
    const [created] = await client.createExecution({ parent, execution: { argument: JSON.stringify({ name: 'Ada' }) } });
    assert.match(created.name ?? '', new RegExp(`^${parent}/executions/[0-9a-f-]{36}$`));
    const exec = await waitDone(client, created);
    assert.equal(exec.state, 'SUCCEEDED');
    assert.equal(JSON.parse(exec.result ?? ''), 'Hello, Ada from local');
    assert.equal(exec.argument, JSON.stringify({ name: 'Ada' }));
    assert.ok(exec.startTime && exec.endTime && exec.duration);
    assert.match(exec.workflowRevisionId ?? '', /^000001-/);

    const [list] = await client.listExecutions({ parent });
    assert.ok(list.some((e) => e.name === created.name));
    await client.close();
  });

  it('localExecutionsClientOptions(WORKFLOWS_EMULATOR_HOST) builds a working client', async () => {
    const client = new ExecutionsClient(localExecutionsClientOptions(hostPort, PROJECT) as never);
    const [created] = await client.createExecution({
      parent: client.workflowPath(PROJECT, LOCATION, 'greeter'),
      execution: { argument: '{"name":"Bo"}' },
    });
    await service.engine.executions.get(created.name!.split('/').pop()!)!.done;
    const [exec] = await client.getExecution({ name: created.name });
    assert.equal(JSON.parse(exec.result ?? ''), 'Hello, Bo from local');
    await client.close();
  });

  it('the official client: a failed execution carries error.payload, context and stackTrace', async () => {
    const client = restClient();
    const [created] = await client.createExecution({ parent: client.workflowPath(PROJECT, LOCATION, 'failer'), execution: {} });
    const exec = await waitDone(client, created);
    assert.equal(exec.state, 'FAILED');
    assert.deepEqual(JSON.parse(exec.error?.payload ?? ''), { message: 'bad', tags: ['Custom'] });
    assert.match(exec.error?.context ?? '', /boom/);
    assert.equal(exec.error?.stackTrace?.elements?.[0]?.step, 'boom');
    assert.equal(exec.error?.stackTrace?.elements?.[0]?.routine, 'main');
    await client.close();
  });

  it('the official client cancels an active execution; status.currentSteps shows where it is', async () => {
    const client = restClient();
    const [created] = await client.createExecution({ parent: client.workflowPath(PROJECT, LOCATION, 'sleeper'), execution: {} });
    await new Promise((r) => setTimeout(r, 20));
    const [running] = await client.getExecution({ name: created.name });
    assert.equal(running.state, 'ACTIVE');
    assert.deepEqual(
      running.status?.currentSteps?.map((s) => [s.routine, s.step]),
      [['main', 'wait']],
    );
    const [cancelled] = await client.cancelExecution({ name: created.name });
    assert.equal(cancelled.state, 'CANCELLED');
    await assert.rejects(client.cancelExecution({ name: created.name }));
    await client.close();
  });

  it('an endless loop of non-blocking steps does not freeze the API, and can be cancelled (docs: reference/executions/rest/v1/.../cancel)', async () => {
    await service.deployWorkflow({ workflowId: 'spinner', source: '- spin:\n    assign:\n      - x: 1\n    next: spin\n' });
    const created = await call(base, 'POST', `/v1/${PARENT}/workflows/spinner/executions`, {});
    await new Promise((r) => setTimeout(r, 50));
    const name = created.body.name as string;
    const got = await call(base, 'GET', `/v1/${name}`);
    assert.equal(got.body.state, 'ACTIVE');
    const cancelled = await call(base, 'POST', `/v1/${name}:cancel`, {});
    assert.equal(cancelled.body.state, 'CANCELLED');
    await service.engine.executions.get(name.split('/').pop()!)!.done;
  });

  it('executions.create validates the argument JSON; unknown executions are 404', async () => {
    const bad = await call(base, 'POST', `/v1/${PARENT}/workflows/greeter/executions`, { argument: '{not json' });
    assert.equal(bad.status, 400);
    const missing = await call(base, 'GET', `/v1/${PARENT}/workflows/greeter/executions/00000000-0000-0000-0000-000000000000`);
    assert.equal(missing.status, 404);
    assert.equal((missing.body.error as { status: string }).status, 'NOT_FOUND');
  });

  it('reset() deletes executions and keeps workflows', async () => {
    await call(base, 'POST', `/v1/${PARENT}/workflows/greeter/executions`, { argument: '{"name":"x"}' });
    await service.reset();
    const list = await call(base, 'GET', `/v1/${PARENT}/workflows/greeter/executions`);
    assert.deepEqual(list.body.executions, []);
    const wf = await call(base, 'GET', `/v1/${PARENT}/workflows/greeter`);
    assert.equal(wf.status, 200);
  });
});
