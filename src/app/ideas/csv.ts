import type { Idea } from '../../domain/ideas';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';
import { csvFile, localTime } from '../csv';

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
  return csvFile([header, ...rows]);
}
