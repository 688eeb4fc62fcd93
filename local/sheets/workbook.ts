/**
 * Spreadsheets in memory for the local Sheets API: sheets of rows of cells, the A1 ranges the
 * kit uses (`'Sheet'!A1`, `Sheet!A:A`, `Sheet!1:1`, `A1:C10`) and the two writes it makes
 * (`values.update` at a range, `values.append` after the last row with data).
 */
export type Cell = string | number | boolean;

export interface Spreadsheet {
  id: string;
  title: string;
  sheets: Map<string, Cell[][]>;
  permissions: { id: string; type: string; role: string; emailAddress?: string }[];
}

export interface A1Range {
  sheet: string;
  /** 0-based, inclusive; undefined = unbounded. */
  startRow?: number;
  endRow?: number;
  startCol?: number;
  endCol?: number;
}

export class RangeError400 extends Error {}

const CELL = /^([A-Z]*)(\d*)$/;

function column(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}

export function columnLetters(index: number): string {
  let out = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/** Parses an A1 range; a range without a sheet name is on `firstSheet`. */
export function parseRange(text: string, firstSheet: string): A1Range {
  const bang = text.lastIndexOf('!');
  let sheet = bang >= 0 ? text.slice(0, bang) : firstSheet;
  const cells = bang >= 0 ? text.slice(bang + 1) : text;
  if (/^'.*'$/.test(sheet)) sheet = sheet.slice(1, -1).replace(/''/g, "'");
  if (bang < 0 && !/^[A-Z]*\d*(:[A-Z]*\d*)?$/i.test(cells)) return { sheet: text };
  const [from, to] = cells.toUpperCase().split(':');
  const a = CELL.exec(from ?? '');
  const b = to === undefined ? a : CELL.exec(to);
  if (!a || !b) throw new RangeError400(`Unable to parse range: ${text}`);
  const range: A1Range = { sheet };
  if (a[1]) range.startCol = column(a[1]);
  if (a[2]) range.startRow = Number(a[2]) - 1;
  if (b[1]) range.endCol = column(b[1]);
  if (b[2]) range.endRow = Number(b[2]) - 1;
  return range;
}

export function formatRange(sheet: string, startRow: number, startCol: number, rows: number, cols: number): string {
  const quoted = /^[A-Za-z0-9_]+$/.test(sheet) ? sheet : `'${sheet.replace(/'/g, "''")}'`;
  const end = `${columnLetters(startCol + Math.max(cols, 1) - 1)}${startRow + Math.max(rows, 1)}`;
  return `${quoted}!${columnLetters(startCol)}${startRow + 1}:${end}`;
}

/** The cells of `range`, rows trimmed of trailing empty cells and trailing empty rows, as Sheets answers. */
export function readRange(rows: Cell[][], range: A1Range): Cell[][] {
  const startRow = range.startRow ?? 0;
  const endRow = Math.min(range.endRow ?? rows.length - 1, rows.length - 1);
  const startCol = range.startCol ?? 0;
  const out: Cell[][] = [];
  for (let r = startRow; r <= endRow; r++) {
    const row = rows[r] ?? [];
    const endCol = Math.min(range.endCol ?? row.length - 1, row.length - 1);
    const slice = row.slice(startCol, endCol + 1);
    while (slice.length > 0 && slice[slice.length - 1] === '') slice.pop();
    out.push(slice);
  }
  while (out.length > 0 && out[out.length - 1].length === 0) out.pop();
  return out;
}

/** Writes `values` with their top-left cell at the range's start. */
export function writeRange(rows: Cell[][], range: A1Range, values: Cell[][]): void {
  const startRow = range.startRow ?? 0;
  const startCol = range.startCol ?? 0;
  values.forEach((line, i) => {
    const row = (rows[startRow + i] ??= []);
    line.forEach((value, j) => {
      while (row.length < startCol + j) row.push('');
      row[startCol + j] = value;
    });
  });
  for (let r = 0; r < rows.length; r++) rows[r] ??= [];
}

/** The index of the first row after the last one holding any data. */
export function nextFreeRow(rows: Cell[][]): number {
  for (let r = rows.length - 1; r >= 0; r--) if (rows[r]?.some((c) => c !== '')) return r + 1;
  return 0;
}
