import { bigquery } from '../../shared/clients/bigquery';
import { isPermanent } from '../../shared/clients/googleErrors';
import type { BigQueryExportConfig } from '../config';
import type { Deliverer } from './deliverer';

/**
 * `bigquery_export` at delivery: one streaming insert of the response's row, with the delivery id
 * as `insertId`, so a repeated attempt (a duplicate push, a crash before the state was recorded,
 * a replay) is de-duplicated by BigQuery rather than stored twice. Rows refused for their content
 * (`insertErrors`) can never succeed as they are: permanent. Other failures are retried.
 */
export function bigqueryDeliverer(config: BigQueryExportConfig): Deliverer {
  return {
    type: 'bigquery_export',
    async deliver({ delivery, response }) {
      const row = {
        insertId: delivery.id,
        json: {
          response_id: response.id,
          form_id: response.form_id,
          submitted_at: response.submitted_at,
          // A JSON column takes JSON text in the streaming API.
          answers: JSON.stringify(response.answers),
        },
      };
      try {
        await bigquery().dataset(config.dataset).table(config.table).insert([row], { raw: true });
        return { outcome: 'delivered' };
      } catch (err) {
        const e = err as { name?: string; errors?: { errors?: { message?: string }[] }[]; message?: string };
        if (e.name === 'PartialFailureError') {
          const reasons = (e.errors ?? [])
            .flatMap((r) => r.errors ?? [])
            .map((x) => x.message)
            .join('; ');
          return { outcome: 'permanent', error: `BigQuery refused the row: ${reasons}` };
        }
        return isPermanent(err)
          ? { outcome: 'permanent', error: `BigQuery: ${e.message}` }
          : { outcome: 'retry', error: `BigQuery: ${e.message}` };
      }
    },
  };
}
