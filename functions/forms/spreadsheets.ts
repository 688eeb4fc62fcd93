import { drive, sheets } from '../shared/clients/workspace';
import { DEFAULT_SHEET } from './plugins/asyncPlugins';

/**
 * Creates the spreadsheet of a `sheets_export` task that names none: one sheet, `Responses`,
 * with the header row written, then shared (writer) with the form's owner and with the Sheets
 * worker's service account, which appends the rows as itself. The spreadsheet is owned by the
 * forms function's service account (it counts against that account's Drive storage; an owner
 * who prefers to own it shares their own spreadsheet with the worker instead).
 */
export async function createSpreadsheet(title: string, header: string[], shareWith: string[]): Promise<string> {
  const created = await sheets().spreadsheets.create({
    requestBody: { properties: { title }, sheets: [{ properties: { title: DEFAULT_SHEET } }] },
    fields: 'spreadsheetId',
  });
  const id = created.data.spreadsheetId;
  if (!id) throw new Error('spreadsheets.create answered without a spreadsheetId');
  await sheets().spreadsheets.values.update({
    spreadsheetId: id,
    range: `'${DEFAULT_SHEET}'!A1`,
    valueInputOption: 'RAW',
    requestBody: { values: [header] },
  });
  for (const [index, emailAddress] of shareWith.entries()) {
    await drive().permissions.create({
      fileId: id,
      // The owner (first) is told by email; the worker's service account has no inbox.
      sendNotificationEmail: index === 0,
      requestBody: { type: 'user', role: 'writer', emailAddress },
    });
  }
  return id;
}
