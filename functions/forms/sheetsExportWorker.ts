import { readSheetsConfig } from './config';
import { sheetsDeliverer } from './delivery/sheetsExport';
import { deliveryWorker } from './deliveryWorker';

/** The push target of the sheets_export topic: rows appended in batches per spreadsheet. */
export const sheetsExportWorker = deliveryWorker('sheetsExportWorker', sheetsDeliverer(readSheetsConfig()));
