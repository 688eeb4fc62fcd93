import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalCloud } from '../../local/cloud';
import { localDatasets } from '../../local/wiring';
import { localLogDir } from '../support/endpoints';
import { request } from '../support/http';

/** A real 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** The pipeline's dataset as the local cloud creates it (the one with the workflow's results table). */
const PIPELINE_DATASET = localDatasets().find((d) => d.tables.some((t) => t.tableId === 'results'))!.datasetId;

/** The functions the checks below call (and the two the pipeline workflow calls). */
const USED = new Set(['incrementTag', 'tagStats', 'accounts', 'isValidInput', 'process', 'triggerWorkflow', 'checkStatus']);

/**
 * `LOCAL_CLOUD_DATA`: a local cloud with a data folder saves Firestore (the emulator's own
 * export), the local BigQuery, the local Storage and the Workflows executions when it stops, and
 * the next one with the same folder starts with them. A cloud of its own (beside the run's), on
 * free ports, so the URLs change between the two starts as they may between two `make dev`s.
 */
describe('local cloud data kept between runs', function () {
  this.timeout(300_000);
  let dataDir: string;
  let cloud: LocalCloud | undefined;
  const start = (): Promise<LocalCloud> =>
    LocalCloud.start({
      dataDir,
      functions: [...USED],
      logDir: path.join(localLogDir(), 'persistence'),
      settings: { PROCESS_DELAY_SECONDS: '0' },
    });

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-data-'));
  });
  after(async () => {
    await cloud?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads back a tag total, an account with its image, a BigQuery row and a finished execution after a stop and a start', async () => {
    cloud = await start();
    let gateway = cloud.endpoints.gateway;
    const added = await request(`${gateway}/increment-tag`, { method: 'POST', json: { name: 'kept_tag', value: 6 } });
    assert.equal(added.status, 200, added.text);
    const account = await request(`${gateway}/accounts`, {
      method: 'POST',
      json: { name: 'Kept Between', email: 'kept@example.com', address: '1 Data Folder' },
    });
    assert.equal(account.status, 201, account.text);
    const id = account.body.id as string;
    const form = new FormData();
    form.append('image', new Blob([PNG], { type: 'image/png' }), 'kept.png');
    const uploaded = await request(`${gateway}/accounts/${id}/upload-image`, { method: 'POST', body: form });
    assert.equal(uploaded.status, 200, uploaded.text);
    const triggered = await request(`${gateway}/trigger-workflow`, { method: 'POST', json: { x: 'kept' } });
    assert.equal(triggered.status, 202, triggered.text);
    const execution = triggered.body.execution_id as string;
    const finished = await finishedRun(gateway, execution);
    assert.equal(finished.state, 'SUCCEEDED', JSON.stringify(finished));
    await cloud.stop();
    cloud = undefined;
    assert.deepEqual(fs.readdirSync(dataDir).sort(), ['bigquery', 'firestore', 'storage', 'workflows']);
    // One export per Firestore database: the tag counter's, the accounts' and the pipeline's data are each in their own.
    for (const database of ['tags', 'accounts', 'pipeline'])
      assert.ok(fs.readdirSync(path.join(dataDir, 'firestore')).includes(database), `no export of the ${database} database`);

    cloud = await start();
    gateway = cloud.endpoints.gateway;
    assert.equal((await request(`${gateway}/tag-stats`)).body.kept_tag, 6);
    const read = await request(`${gateway}/accounts/${id}`);
    assert.equal(read.status, 200, read.text);
    // The link is built from the function's URL, which changed; the image's generation did not.
    const { image_hosted_link: link, ...fields } = read.body as Record<string, string>;
    const { image_hosted_link: linkBefore, ...fieldsBefore } = uploaded.body as Record<string, string>;
    assert.deepEqual(fields, fieldsBefore);
    assert.equal(new URL(link).search, new URL(linkBefore).search);
    const image = await fetch(`${gateway}/accounts/${id}/image`);
    assert.equal(image.status, 200);
    assert.ok(Buffer.from(await image.arrayBuffer()).equals(PNG), 'the image came back changed');
    const rows = await request(
      `${cloud.endpoints.bigquery as string}/bigquery/v2/projects/${cloud.endpoints.project}/datasets/${PIPELINE_DATASET}/tables/results/data`,
    );
    assert.equal(rows.status, 200, rows.text);
    assert.ok(
      (rows.body.rows as { f: { v: unknown }[] }[]).some((r) => r.f[0].v === 'kept'),
      `no results row for "kept": ${rows.text}`,
    );
    assert.deepEqual(await finishedRun(gateway, execution), finished);
  });
});

async function finishedRun(gateway: string, id: string): Promise<{ state: string; result?: unknown }> {
  for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
    const res = await request(`${gateway}/check-status?id=${encodeURIComponent(id)}`);
    assert.equal(res.status, 200, res.text);
    if (res.body.state !== 'ACTIVE' && res.body.state !== 'QUEUED') return res.body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`execution ${id} still running after 90 s`);
}
