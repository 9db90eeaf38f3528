import { stringify } from 'csv-stringify/sync';
import type { Idea } from '../../domain/ideas';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';

/** Local date-time in the bot's time zone, "2026-03-01 10:00". */
function localTime(d: Date | undefined, timeZone: string): string {
  if (!d) return '';
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return f.format(d);
}

/**
 * The ideas as CSV for spreadsheets used in French administrations: ";" separated, UTF-8 with BOM.
 * Anonymous ideas have no author, whatever the reader's role.
 */
export function ideasCsv(ideas: Idea[], names: Map<string, string>, programme: Programme, t: Translate, timeZone: string): Buffer {
  const rows = ideas.map((i) => {
    const axis = programme.axes.find((a) => a.id === i.axisId);
    return [
      i.id,
      i.title,
      i.description,
      axis ? `${axis.number} · ${axis.name.fr}` : i.axisId,
      t(`ideas.status.${i.status}`),
      i.supportCount,
      i.hashtags.map((h) => `#${h}`).join(' '),
      i.anonymous ? '' : (names.get(i.authorId) ?? ''),
      i.anonymous ? 'oui' : 'non',
      localTime(i.createdAt, timeZone),
      localTime(i.updatedAt, timeZone),
      i.answer ?? '',
      i.hidden ? i.hidden.reason : '',
      i.mergedInto ?? '',
    ];
  });
  const header = [
    'numero',
    'titre',
    'description',
    'axe',
    'statut',
    'soutiens',
    'hashtags',
    'auteur',
    'anonyme',
    'cree_le',
    'mis_a_jour_le',
    'reponse',
    'masquee_motif',
    'fusionnee_dans',
  ];
  // escape_formulas: a cell starting with = + - @ (a title, a name) is not run by the spreadsheet
  const text = stringify([header, ...rows], { delimiter: ';', quoted_match: /[;"\n\r]/, escape_formulas: true });
  return Buffer.concat([Buffer.from('\uFEFF', 'utf8'), Buffer.from(text, 'utf8')]);
}
