import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

/** Writes a copy of the default programme with the given organisers and pilots; returns its path. */
export function programmeWith(options: { organisers?: string[]; pilots?: Record<string, string[]> }): string {
  const doc = parse(readFileSync(path.join(__dirname, '../../programme/default.yaml'), 'utf8'));
  doc.organisers = options.organisers ?? [];
  for (const axis of doc.axes) axis.pilots = options.pilots?.[axis.id] ?? [];
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ensemble-prog-')), 'programme.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}
