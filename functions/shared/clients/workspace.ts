import type { drive_v3 } from '@googleapis/drive';
import type { sheets_v4 } from '@googleapis/sheets';
import { emulatorAuthClient } from './localAuth';

/**
 * Google Sheets and Drive clients, created (and their libraries loaded) on first use. In the
 * cloud they authenticate as the function's own service account through ADC (no key file);
 * with `SHEETS_EMULATOR_HOST` (the local cloud's Sheets and Drive API, `http://127.0.0.1:PORT`)
 * both send every call there, with a fixed-token auth client.
 */
const SCOPES = ['https://www.googleapis.com/auth/spreadsheets', 'https://www.googleapis.com/auth/drive.file'];

/** Each call gives up after this long; the callers treat a timeout as an outcome they must check. */
const TIMEOUT_MS = 30_000;

let sheetsClient: sheets_v4.Sheets | undefined;
let driveClient: drive_v3.Drive | undefined;

function options(): { rootUrl?: string; auth: unknown; timeout: number; retry: boolean } {
  const emulator = process.env.SHEETS_EMULATOR_HOST;
  if (emulator) return { rootUrl: emulator.replace(/\/*$/, '/'), auth: emulatorAuthClient(), timeout: TIMEOUT_MS, retry: false };
  const { GoogleAuth } = require('google-auth-library') as typeof import('google-auth-library');
  // No automatic retries: a retried append may add the rows twice; the Sheets worker decides.
  return { auth: new GoogleAuth({ scopes: SCOPES }), timeout: TIMEOUT_MS, retry: false };
}

export function sheets(): sheets_v4.Sheets {
  if (!sheetsClient) {
    const { sheets: create } = require('@googleapis/sheets') as typeof import('@googleapis/sheets');
    sheetsClient = create({ version: 'v4', ...options() } as sheets_v4.Options);
  }
  return sheetsClient;
}

export function drive(): drive_v3.Drive {
  if (!driveClient) {
    const { drive: create } = require('@googleapis/drive') as typeof import('@googleapis/drive');
    driveClient = create({ version: 'v3', ...options() } as drive_v3.Options);
  }
  return driveClient;
}
