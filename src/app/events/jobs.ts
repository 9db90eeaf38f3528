import type { Card } from '../../cards/model';
import type { Recipient } from '../../domain/broadcast-service';
import type { NewOutboxMessage } from '../../domain/delivery';
import { eventSources, type ProgrammeEvent, type RegistrationState, type ScheduledJob } from '../../domain/events';
import type { EventsService } from '../../domain/events-service';
import type { Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Clock, Store } from '../../domain/ports';
import type { NotificationKind } from '../../domain/notifications';
import type { Logger } from '../../logger';
import type { Notice } from '../notices';
import { outgoingPayload } from '../../cards/outgoing';
import { eventIcs, icsName } from './files';
import { eventCard, feedbackPollCard, kindLabel, reminderCard, resultsCard } from './screens';
import type { Services } from '../services';
import type { JobHandler } from '../job-runner';

const CHUNK = 1000;

/**
 * Turns due event jobs (announcements, reminders, feedback polls, results for the organiser) into
 * outbox messages, one per recipient, rendered in each person's language. A job is claimed with a
 * lease; message keys are derived from the job, so a job redone after a crash queues nobody twice.
 */
export class EventJobRunner implements JobHandler {
  constructor(
    private readonly s: Services,
    private readonly events: EventsService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private get store(): Store {
    return this.s.store;
  }

  /** Queues the messages of one due event job; returns how many. */
  async run(job: ScheduledJob): Promise<number> {
    const id = Number(job.ref.split(':')[1]);
    const event = await this.store.events.get(id);
    const now = this.clock.now();
    if (!event) return 0;
    if (job.kind === 'event.cancelled') {
      const registrants = await this.events.registrantsOf(event);
      // the calendar entry comes again, cancelled (METHOD:CANCEL, a higher SEQUENCE): calendars remove it
      const ics = await this.queueIcs(job, eventSources.changes(id), event, registrants, now);
      return (
        ics +
        (await this.queue(
          job,
          eventSources.changes(id),
          registrants.map(({ person }) => ({ kind: 'person', person })),
          'service',
          perLocale((locale) => {
            const t = this.s.i18n.forLocale(locale);
            const intro = `❌ ${t('events.cancelledNotice', { kind: kindLabel(t, event.kind), title: event.title })}`;
            return eventCard(t, this.s.programme, { event, context: 'own', organiser: false }, this.s.timezone, locale, now, intro);
          }),
        ))
      );
    }
    if (event.state === 'cancelled') return 0;
    switch (job.kind) {
      case 'event.changed': {
        // a later change has its own notice: this one would only repeat it
        const later = (await this.store.jobs.forRef(job.ref)).some((j) => j.kind === 'event.changed' && j.param > job.param);
        if (later) return 0;
        const registrants = await this.events.registrantsOf(event);
        const states = new Map(registrants.map((r) => [r.person.id, r.state]));
        const cache = new Map<string, Card>();
        // those holding a place get the calendar entry again, its SEQUENCE higher: calendars update it
        const ics = await this.queueIcs(job, eventSources.changes(id), event, registrants, now);
        return (
          ics +
          (await this.queue(
            job,
            eventSources.changes(id),
            registrants.map(({ person }) => ({ kind: 'person', person })),
            'service',
            (locale, person) => {
              const state = person ? states.get(person.id) : undefined;
              const k = `${locale}:${state}`;
              if (!cache.has(k)) {
                const t = this.s.i18n.forLocale(locale);
                const intro = `📣 ${t('events.changedNotice', { kind: kindLabel(t, event.kind), title: event.title })}`;
                cache.set(k, eventCard(t, this.s.programme, { event, state, context: 'own', organiser: false }, this.s.timezone, locale, now, intro));
              }
              return cache.get(k) as Card;
            },
          ))
        );
      }
      case 'event.announce': {
        const recipients = await this.events.audienceOf(event);
        return this.queue(job, eventSources.announce(id), recipients, 'broadcasts', (locale) => this.announceCard(event, locale, now));
      }
      case 'event.reminder': {
        // A reminder that could not go before the start (the bot was down) would only be noise,
        // and one overtaken by a closer reminder would give the wrong delay.
        if (event.startsAt.getTime() <= now.getTime() || this.events.reminderSuperseded(event, job.param, now)) return 0;
        const { recipients, registered } = await this.events.reminderRecipients(event);
        const cache = new Map<string, Card>();
        return this.queue(job, eventSources.reminders(id), recipients, 'eventReminders', (locale, person) => {
          const isRegistered = person ? registered.has(person.id) : false;
          const k = `${locale}:${isRegistered}`;
          if (!cache.has(k)) {
            const t = this.s.i18n.forLocale(locale);
            cache.set(k, reminderCard(t, this.s.programme, event, job.param, isRegistered, this.s.timezone, locale, now));
          }
          return cache.get(k) as Card;
        });
      }
      case 'event.feedback': {
        const attendees = await this.events.attendees(event);
        return this.queue(
          job,
          eventSources.feedback(id),
          attendees.map((person) => ({ kind: 'person', person })),
          'eventReminders',
          perLocale((locale) => feedbackPollCard(this.s.i18n.forLocale(locale), event)),
        );
      }
      case 'event.results': {
        const creator = await this.store.people.get(event.createdBy);
        if (!creator) return 0;
        const { summary } = await this.events.summary(id);
        const t = this.s.i18n.forLocale(creator.locale ?? this.s.defaultLocale);
        const card = resultsCard(t, event, summary, `📊 ${t('events.results.intro', { kind: kindLabel(t, event.kind), title: event.title })}`);
        return this.queue(job, eventSources.feedback(id), [{ kind: 'person', person: creator }], 'service', () => card);
      }
      case 'event.promoted': {
        // a place given to someone waiting: they are told, and get the calendar entry
        const person = job.subject ? await this.store.people.get(job.subject) : null;
        if (!person || (await this.events.stateOf({ person, roles: [] }, id)) !== 'registered') return 0;
        const locale = person.locale ?? this.s.defaultLocale;
        const t = this.s.i18n.forLocale(locale);
        const intro = `🎉 ${t('events.promotedNotice', { kind: kindLabel(t, event.kind), title: event.title })}`;
        const card = eventCard(t, this.s.programme, { event, state: 'registered', context: 'own', organiser: false }, this.s.timezone, locale, now, intro);
        const ics = outgoingPayload({
          kind: 'file',
          file: {
            name: icsName(event, this.s.timezone),
            mime: 'text/calendar',
            base64: eventIcs(event, kindLabel(t, event.kind), now, this.s.installationId).toString('base64'),
            comment: t('events.icsComment', { title: event.title }),
          },
        });
        return this.s.notices.queue(
          [
            { person, key: `${job.key}:card`, card },
            { person, key: `${job.key}:ics`, payload: ics },
          ],
          { source: eventSources.changes(id), kind: 'service' },
        );
      }
      default:
        return 0;
    }
  }

  /** The event's calendar entry, as it is now, to each registrant holding a place (after a change or a cancellation). */
  private async queueIcs(job: ScheduledJob, source: string, event: ProgrammeEvent, registrants: Array<{ person: Person; state: RegistrationState }>, now: Date): Promise<number> {
    const notices: Notice[] = [];
    for (const { person, state } of registrants) {
      if (state !== 'registered') continue;
      const t = this.s.i18n.forLocale(person.locale ?? this.s.defaultLocale);
      const file = {
        name: icsName(event, this.s.timezone),
        mime: 'text/calendar',
        base64: eventIcs(event, kindLabel(t, event.kind), now, this.s.installationId).toString('base64'),
        comment: t('events.icsUpdated', { title: event.title }),
      };
      notices.push({ person, key: `${job.key}:${person.id}:ics`, payload: outgoingPayload({ kind: 'file', file }) });
    }
    return notices.length ? this.s.notices.queue(notices, { source, kind: 'service' }) : 0;
  }

  private announceCache = new Map<string, Card>();

  private announceCard(event: ProgrammeEvent, locale: Locale, now: Date): Card {
    const k = `${event.id}:${event.version}:${locale}`;
    let out = this.announceCache.get(k);
    if (!out) {
      const t = this.s.i18n.forLocale(locale);
      const card: Card = eventCard(
        t,
        this.s.programme,
        { event, context: 'shared', organiser: false },
        this.s.timezone,
        locale,
        now,
        `📣 ${t('events.announceIntro', { kind: kindLabel(t, event.kind) })}`,
      );
      out = card;
      if (this.announceCache.size > 50) this.announceCache.clear();
      this.announceCache.set(k, out);
    }
    return out;
  }

  /**
   * People through the Notices gate (their preferences for `kind`), channels directly (they have none).
   * Keys are derived from the job: a job redone after a crash queues nobody twice.
   */
  private async queue(job: ScheduledJob, source: string, recipients: Recipient[], kind: NotificationKind, cardFor: (locale: Locale, person?: Person) => Card): Promise<number> {
    const now = this.clock.now();
    const notices: Notice[] = [];
    const channels: NewOutboxMessage[] = [];
    for (const r of recipients) {
      if (r.kind === 'person') notices.push({ person: r.person, key: `${job.key}:${r.person.id}`, card: cardFor(r.person.locale ?? this.s.defaultLocale, r.person) });
      else
        channels.push({
          key: `${job.key}:${r.platform}:${r.channel}`,
          source,
          platform: r.platform,
          target: { kind: 'channel', platform: r.platform, channel: r.channel },
          payload: JSON.stringify(cardFor(this.s.defaultLocale)),
          dueAt: now,
        });
    }
    let added = notices.length ? await this.s.notices.queue(notices, { source, kind }) : 0;
    for (let i = 0; i < channels.length; i += CHUNK) added += await this.store.outbox.enqueue(channels.slice(i, i + CHUNK), now);
    this.log.info({ job: job.key, recipients: recipients.length, queued: added }, 'event job queued');
    return added;
  }
}

/** One card per language, built once. */
function perLocale(build: (locale: Locale) => Card): (locale: Locale) => Card {
  const cards = new Map<Locale, Card>();
  return (locale) => {
    let card = cards.get(locale);
    if (!card) {
      card = build(locale);
      cards.set(locale, card);
    }
    return card;
  };
}
