import { readBigQueryExport } from './config';
import { bigqueryDeliverer } from './delivery/bigqueryExport';
import { deliveryWorker } from './deliveryWorker';

/** The push target of the bigquery_export topic: each response as a row of forms.responses. */
export const bigqueryExportWorker = deliveryWorker('bigqueryExportWorker', bigqueryDeliverer(readBigQueryExport()));
