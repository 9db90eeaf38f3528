import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import { type Consultation, gridCells, type StoredAnswer } from '../../domain/consultations';
import type { Translate } from '../../i18n';
import { csvFile } from '../csv';

/** The default questionnaire shipped with the project (the 5 ambitions grid of the seeds). */
export const TEMPLATE_FILE = path.join(projectRoot(), 'programme', 'consultations', 'cinq-ambitions.yaml');

export function templateSource(): string {
  return readFileSync(TEMPLATE_FILE, 'utf8');
}

/**
 * The free-text answers as CSV, one row per answer: question, item and prompt for a grid, the text, and
 * the day (no finer time is kept, and no name: for an anonymous consultation there is none to give).
 */
export function freeTextCsv(t: Translate, c: Consultation, answers: StoredAnswer[], submitted: Set<string>): Buffer {
  const labels = new Map<string, { question: string; cell: string }>();
  for (const q of c.questions) {
    if (q.type === 'short' || q.type === 'long') labels.set(q.id, { question: q.text, cell: '' });
    if (q.type === 'grid') for (const cell of gridCells(q)) labels.set(cell.key, { question: q.text, cell: `${cell.item} · ${cell.prompt}` });
  }
  const rows: Array<Array<string | number>> = [[t('consultations.csv.question'), t('consultations.csv.cell'), t('consultations.csv.answer'), t('consultations.csv.day')]];
  const order = [...labels.keys()];
  const sorted = answers
    .filter((a) => labels.has(a.question) && submitted.has(a.responseId))
    .sort((a, b) => order.indexOf(a.question) - order.indexOf(b.question) || a.day.localeCompare(b.day));
  for (const a of sorted) {
    const l = labels.get(a.question);
    if (l) rows.push([l.question, l.cell, a.value, a.day]);
  }
  return csvFile(rows);
}
