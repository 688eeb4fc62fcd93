import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bigquery } from '../shared/clients/bigquery';
import { HttpError } from '../shared/errors';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson } from '../shared/http/router';
import { validator } from '../shared/validation';
import { readProcessConfig } from './config';
import { readX } from './inputX';
import { processInputSchema } from './schemas';

const config = readProcessConfig();
const validate = validator<{ x: string }>(processInputSchema);

/**
 * Entry point `process` (the const has another name so it does not shadow Node's `process`).
 * `POST {"x"}` (or `?x=`): waits `PROCESS_DELAY_SECONDS` without blocking the instance, inserts
 * `{"input": x}` into BigQuery, and only then answers `"Success"`. A failed insert is a 502
 * problem, never "Success". The row carries an `insertId`, so a retry of the insert inside the
 * client library cannot add it twice.
 */
export const processInput = httpFunction('process', [
  {
    method: 'POST',
    path: '/',
    async handle({ req, res, log }) {
      const { x } = readX(req, validate);
      await sleep(config.delaySeconds * 1000);
      const table = bigquery().dataset(config.dataset).table(config.inputsTable);
      try {
        await table.insert([{ insertId: randomUUID(), json: { input: x } }], { raw: true });
      } catch (err) {
        throw new HttpError('upstream_failed', 'The input could not be recorded in BigQuery.', { cause: err });
      }
      log.info('input recorded', { event: 'input_recorded', table: `${config.dataset}.${config.inputsTable}` });
      sendJson(res, 200, 'Success');
    },
  },
]);
