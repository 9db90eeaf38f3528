import type { Card, CardAction, CardElement } from '../../cards/model';
import type { AuditEntry } from '../../domain/audit';
import type { Locale } from '../../domain/locale';
import type { Translate } from '../../i18n';

/** How many entries a page of the journal shows. */
export const AUDIT_PAGE = 20;

/** Who acted, by person id: their display name (absent: an erased person, or one the bot no longer knows). */
export type Names = Map<string, string>;

/** The action in words, in the reader's language. */
export function actionWords(t: Translate, e: AuditEntry): string {
  return t(`audit.action.${e.action}`);
}

/** What the action was about, in words: a person's name, « idée n° 12 »… */
export function subjectWords(t: Translate, e: AuditEntry, names: Names): string {
  const i = e.subject.indexOf(':');
  const kind = i < 0 ? e.subject : e.subject.slice(0, i);
  const id = i < 0 ? '' : e.subject.slice(i + 1);
  if (kind === 'person') return names.get(id) ?? t('audit.erased');
  if (kind === 'email') return id;
  if (['idea', 'broadcast', 'event', 'consultation', 'engagement'].includes(kind)) return t(`audit.subject.${kind}`, { id });
  if (['ideas', 'engagements', 'audit'].includes(kind)) return t(`audit.subject.${kind}`);
  return e.subject;
}

/** The short facts of an entry, « role: pilote, axis: usager ». */
export function detailWords(e: AuditEntry): string {
  return Object.entries(e.detail ?? {})
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

export function whenWords(at: Date, timeZone: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(at);
}

/**
 * The journal: one line per entry (when, who, what, about what), newest first; « Plus anciens » when there
 * is more, and the export.
 */
export function journalCard(t: Translate, entries: AuditEntry[], names: Names, more: boolean, timeZone: string, locale: Locale, paged: boolean): Card {
  const elements: CardElement[] = [
    { type: 'header', text: t('audit.title') },
    { type: 'context', text: t('audit.intro', { tz: timeZone }) },
  ];
  if (entries.length === 0) elements.push({ type: 'text', text: paged ? t('audit.end') : t('audit.empty') });
  else
    elements.push({
      type: 'facts',
      facts: entries.map((e) => {
        const detail = detailWords(e);
        const who = names.get(e.actor) ?? t('audit.erased');
        const line = t('audit.line', { who, what: actionWords(t, e), subject: subjectWords(t, e, names) });
        return { label: whenWords(e.at, timeZone, locale), value: detail ? `${line} (${detail})` : line };
      }),
    });
  const actions: CardAction[] = [];
  if (more && entries.length) actions.push({ kind: 'submit', verb: 'audit.older', label: t('audit.older'), data: { before: String(entries[entries.length - 1].seq) } });
  actions.push({ kind: 'submit', verb: 'audit.export', label: t('audit.export') });
  elements.push({ type: 'actions', actions });
  return { fallbackText: t('audit.title'), elements };
}
