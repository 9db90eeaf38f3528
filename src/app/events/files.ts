import type * as Ics from 'ics';
import type { FeedbackSummary, ProgrammeEvent, Registration } from '../../domain/events';
import type { Person } from '../../domain/people';
import type { Translate } from '../../i18n';
import { csvFile as csv, localTime } from '../csv';

/** The calendar library is loaded on first use (a registration), not at start. */
let ics: typeof Ics | undefined;

export function registrantsCsv(registrations: Array<Registration & { person: Person | null }>, t: Translate, timeZone: string): Buffer {
  return csv([
    ['rang', 'nom', 'email', 'plateforme', 'statut', 'inscrit_le'],
    ...registrations.map((r, i) => [
      i + 1,
      r.person?.displayName ?? '',
      r.person?.email ?? '',
      r.person?.platform ?? '',
      t(`events.registration.${r.state}`),
      localTime(r.at, timeZone),
    ]),
  ]);
}

/** Feedback comments, without names: the poll says answers are read together. */
export function commentsCsv(summary: FeedbackSummary, timeZone: string): Buffer {
  return csv([['note', 'commentaire', 'le'], ...summary.comments.map((c) => [c.rating, c.comment, localTime(c.at, timeZone)])]);
}

/**
 * A calendar entry (RFC 5545) for an event; its SEQUENCE follows the event's changes, so a calendar
 * that has it takes a later one as its update, and a cancelled event's entry (METHOD:CANCEL) removes
 * it. `installation` makes the UID unique to this installation (the same event number exists elsewhere).
 */
export function eventIcs(event: ProgrammeEvent, kindLabel: string, at: Date, installation: string): Buffer {
  const cancelled = event.state === 'cancelled';
  const attributes = {
    uid: `ensemble-event-${event.id}.${installation}@ensemble`,
    method: cancelled ? 'CANCEL' : 'PUBLISH',
    title: `${kindLabel} · ${event.title}`,
    description: [event.description, event.link].filter(Boolean).join('\n\n') || undefined,
    location: event.place || event.link || undefined,
    url: event.link || undefined,
    start: event.startsAt.getTime(),
    startInputType: 'utc' as const,
    startOutputType: 'utc' as const,
    end: event.endsAt.getTime(),
    endInputType: 'utc' as const,
    endOutputType: 'utc' as const,
    sequence: event.version,
    status: event.state === 'cancelled' ? ('CANCELLED' as const) : ('CONFIRMED' as const),
    productId: 'ensemble',
    lastModified: event.updatedAt.getTime(),
    // DTSTAMP from the injected clock (the library supports it; its types do not list it)
    ...({ timestamp: at.getTime() } as object),
  };
  ics ??= require('ics') as typeof Ics;
  const { createEvent } = ics;
  let { error, value } = createEvent(attributes);
  // the library's URL rule is stricter than the WHATWG parser that checked the link: keep it in the description
  if (error && attributes.url) ({ error, value } = createEvent({ ...attributes, url: undefined }));
  if (error || !value) throw error ?? new Error('calendar entry could not be built');
  return Buffer.from(value, 'utf8');
}

/** "creer-2026-12-01-12.ics" */
export function icsName(event: ProgrammeEvent, timeZone: string): string {
  return `${event.kind}-${localTime(event.startsAt, timeZone).slice(0, 10)}-${event.id}.ics`;
}
