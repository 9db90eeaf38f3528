import type * as CsvStringify from 'csv-stringify/sync';

/** csv-stringify is loaded on first use (an export), not at start. */
let stringify: typeof CsvStringify.stringify | undefined;

/**
 * A CSV file for the spreadsheets used in French administrations: ";"-separated, UTF-8 with BOM, and a
 * cell starting with = + - @ (a title, a name, a comment) escaped so the spreadsheet does not run it.
 */
export function csvFile(rows: Array<Array<string | number>>): Buffer {
  stringify ??= (require('csv-stringify/sync') as typeof CsvStringify).stringify;
  const text = stringify(rows, { delimiter: ';', quoted_match: /[;"\n\r]/, escape_formulas: true });
  return Buffer.concat([Buffer.from('\uFEFF', 'utf8'), Buffer.from(text, 'utf8')]);
}

/** Local date-time in the bot's time zone, "2026-03-01 10:00"; empty when there is none. */
export function localTime(d: Date | undefined, timeZone: string): string {
  if (!d) return '';
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d);
}
