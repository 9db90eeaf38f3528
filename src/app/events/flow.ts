import type { Card } from '../../cards/model';
import { DomainError, FieldError } from '../../domain/errors';
import type { ProgrammeEvent, Trainer } from '../../domain/events';
import { personId } from '../../domain/people';
import type { EventsService } from '../../domain/events-service';
import type { Actor } from '../../domain/people-service';
import { textCard } from '../common';
import { communityChoices } from '../communities/flow';
import { cardReply, type FileOut, type Form, type Reply } from '../reply';
import type { Services } from '../services';
import { numberToken } from '../words';
import { commentsCsv, eventIcs, icsName, registrantsCsv } from './files';
import {
  agendaCard,
  eventCard,
  eventForm,
  feedbackForm,
  formValuesOf,
  historyCard,
  kindLabel,
  registrantsCard,
  resultsCard,
  type EventCardContext,
  type EventFormValues,
} from './screens';

/** "12", "n°12" → 12. */
export function parseEventNumber(word: string | undefined): number {
  const n = numberToken(word);
  if (n === null) throw new DomainError('event.notFound', { id: (word ?? '').slice(0, 12) });
  return n;
}

/** Upcoming events the agenda shows. */
const AGENDA_SIZE = 10;

/** Events in chat: agenda, one-click registration, organisers' form, registrants, feedback. */
export class EventsFlow {
  constructor(
    private readonly s: Services,
    private readonly events: EventsService,
    /** Wakes the delivery engine: an announcement, a notice or a place given is due now. */
    private readonly wake: () => void,
  ) {}

  t(actor: Actor) {
    return this.ctx(actor).t;
  }

  private ctx(actor: Actor) {
    const locale = actor.person.locale ?? this.s.defaultLocale;
    return { locale, t: this.s.i18n.forLocale(locale), now: this.s.clock.now(), tz: this.s.timezone };
  }

  async agenda(actor: Actor): Promise<Reply> {
    return cardReply(await this.agendaView(actor));
  }

  private async agendaView(actor: Actor, intro?: string): Promise<Card> {
    const { t, locale, now, tz } = this.ctx(actor);
    const { events, mine } = await this.events.agenda(actor, AGENDA_SIZE);
    return agendaCard(t, this.s.programme, events, mine, tz, locale, now, this.events.canManage(actor), intro);
  }

  /** The App Home's part: the next three events. */
  async next(actor: Actor): Promise<Reply> {
    const { t, locale, now, tz } = this.ctx(actor);
    const { events, mine } = await this.events.agenda(actor, 3);
    return cardReply(agendaCard(t, this.s.programme, events, mine, tz, locale, now, false, undefined, false));
  }

  async view(actor: Actor, id: number, intro?: string): Promise<Reply> {
    const { t, locale, now, tz } = this.ctx(actor);
    const event = await this.events.get(id);
    const state = await this.events.stateOf(actor, id);
    return cardReply(eventCard(t, this.s.programme, { event, state, context: 'own', organiser: this.events.canManage(actor) }, tz, locale, now, intro));
  }

  async open(actor: Actor): Promise<Reply> {
    this.events.checkOrganiser(actor);
    const { t, locale, tz } = this.ctx(actor);
    return { kind: 'form', form: eventForm(t, this.s.programme, locale, tz, {}, undefined, await communityChoices(this.s, locale)) };
  }

  async edit(actor: Actor, id: number): Promise<Reply> {
    const event = await this.events.forEdit(actor, id);
    const { t, locale, tz } = this.ctx(actor);
    return { kind: 'form', form: eventForm(t, this.s.programme, locale, tz, formValuesOf(event, tz), id, await communityChoices(this.s, locale)) };
  }

  /** The form as it was submitted, to show a refusal next to its field. */
  async formAgain(actor: Actor, data: Record<string, string>, values: EventFormValues): Promise<Form> {
    const { t, locale, tz } = this.ctx(actor);
    return eventForm(t, this.s.programme, locale, tz, values, data.id ? parseEventNumber(data.id) : undefined, await communityChoices(this.s, locale));
  }

  /** An academy session's trainer, from the platform's people picker (a user id of the organiser's own workspace or tenant). */
  private async trainerOf(actor: Actor, picked: string | undefined): Promise<Trainer | undefined> {
    const user = (picked ?? '').trim();
    if (!user) return undefined;
    if (!/^[A-Za-z0-9-]{2,64}$/.test(user)) throw new FieldError('event.trainer.invalid', 'trainer');
    const identity = { platform: actor.person.platform, tenant: actor.person.id.slice(actor.person.id.indexOf(':') + 1).split('/')[0], user };
    const person = (await this.s.store.people.get(personId(identity))) ?? (await this.s.store.people.record(identity, this.s.clock.now()));
    return { id: person.id, name: person.displayName || user };
  }

  /** The organisers' form, for a new event or a change. */
  async submit(actor: Actor, data: Record<string, string>, values: EventFormValues): Promise<Reply> {
    const { t, locale, tz, now } = this.ctx(actor);
    const editing = data.id ? parseEventNumber(data.id) : undefined;
    const input = {
      kind: values.kind ?? '',
      title: values.title ?? '',
      description: values.description,
      startDate: values.startDate ?? '',
      startTime: values.startTime ?? '',
      endDate: values.endDate,
      endTime: values.endTime ?? '',
      place: values.place,
      link: values.link,
      capacity: values.capacity,
      axis: values.axis === 'none' ? '' : values.axis,
      audience: values.audience,
      community: values.community === 'none' ? '' : values.community,
      trainer: values.kind === 'academie' ? await this.trainerOf(actor, values.trainer) : undefined,
    };
    if (editing === undefined) {
      const event = await this.events.create(actor, input, values.announce === 'true');
      const intro = t(values.announce === 'true' ? 'events.createdAnnounced' : 'events.created', { id: event.id });
      this.wake(); // an announcement is due now
      return cardReply(eventCard(t, this.s.programme, { event, context: 'own', organiser: true }, tz, locale, now, intro), { replace: true });
    }
    const change = await this.events.update(actor, editing, input);
    this.wake(); // the registrants' notice, and the places the capacity gave, are due now
    const intro = t('events.updated', { id: change.event.id, count: change.moved ? change.event.registered + change.event.waiting : 0 });
    return cardReply(eventCard(t, this.s.programme, { event: change.event, context: 'own', organiser: true }, tz, locale, now, intro), { replace: true });
  }

  async cancel(actor: Actor, id: number, reason: string): Promise<Reply> {
    const { t } = this.ctx(actor);
    const { event, told } = await this.events.cancel(actor, id, reason);
    await this.s.audit.record(actor.person.id, 'event.cancel', `event:${event.id}`, { told });
    this.wake(); // the registrants' notices are due now
    return cardReply(textCard(t('events.cancelDone', { id, title: event.title, count: told })), { replace: true });
  }

  /** "Je participe": the card updates (in place on one's own card), and the calendar entry comes with it. */
  async register(actor: Actor, data: Record<string, string>): Promise<Reply> {
    const { t, locale, now, tz } = this.ctx(actor);
    const id = parseEventNumber(data.id);
    const { event, state, already, promoted } = await this.events.register(actor, id);
    if (promoted.length) this.wake(); // those given a place on the way are told (a job)
    const key = already ? (state === 'registered' ? 'events.alreadyRegistered' : 'events.alreadyWaiting') : state === 'registered' ? 'events.registeredNow' : 'events.waitingNow';
    const intro = `${state === 'registered' ? '✅' : '⏳'} ${t(key, { title: event.title })}`;
    const file = state === 'registered' && !already ? this.icsFileOrNone(actor, event) : undefined;
    if (data.c === 'agenda') return { kind: 'card', card: await this.agendaView(actor, intro), replace: true, file };
    const card = eventCard(t, this.s.programme, { event, state, context: 'own', organiser: this.events.canManage(actor) }, tz, locale, now, intro);
    const shared = (data.c as EventCardContext | undefined) === 'shared';
    return { kind: 'card', card, replace: !shared, file };
  }

  async unregister(actor: Actor, data: Record<string, string>): Promise<Reply> {
    const { t, locale, now, tz } = this.ctx(actor);
    const id = parseEventNumber(data.id);
    const { event, was, promoted } = await this.events.unregister(actor, id);
    if (promoted) this.wake(); // the person given the place is told (a job)
    const intro = was ? t('events.unregisteredNow', { title: event.title }) : t('events.notRegistered', { title: event.title });
    if (data.c === 'agenda') return cardReply(await this.agendaView(actor, intro), { replace: true });
    const card = eventCard(t, this.s.programme, { event, context: 'own', organiser: this.events.canManage(actor) }, tz, locale, now, intro);
    return cardReply(card, { replace: (data.c as EventCardContext | undefined) !== 'shared' });
  }

  /** The registration stands even if its calendar file cannot be built; the button offers it again. */
  private icsFileOrNone(actor: Actor, event: ProgrammeEvent): FileOut | undefined {
    try {
      return this.icsFile(actor, event);
    } catch (e) {
      this.s.log.warn({ err: e, event: event.id }, 'calendar file could not be built');
      return undefined;
    }
  }

  private icsFile(actor: Actor, event: ProgrammeEvent): FileOut {
    const { t, tz, now } = this.ctx(actor);
    return {
      name: icsName(event, tz),
      mime: 'text/calendar',
      content: eventIcs(event, kindLabel(t, event.kind), now, this.s.installationId),
      comment: t('events.icsComment', { title: event.title }),
    };
  }

  async ics(actor: Actor, id: number): Promise<Reply> {
    const event = await this.events.get(id);
    if (event.state === 'cancelled') throw new DomainError('event.cancelled', { title: event.title });
    return { kind: 'file', file: this.icsFile(actor, event) };
  }

  async registrants(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const { event, registrations } = await this.events.registrants(actor, id);
    return cardReply(registrantsCard(t, event, registrations));
  }

  async export(actor: Actor, id: number): Promise<Reply> {
    const { t, tz } = this.ctx(actor);
    const { event, registrations } = await this.events.registrants(actor, id);
    await this.s.audit.record(actor.person.id, 'export.registrations', `event:${event.id}`, { count: registrations.length });
    return {
      kind: 'file',
      file: {
        name: `inscrits-${event.id}.csv`,
        mime: 'text/csv',
        content: registrantsCsv(registrations, t, tz),
        comment: t('events.exportComment', { title: event.title, count: registrations.length }),
      },
    };
  }

  async results(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const { event, summary } = await this.events.feedbackSummary(actor, id);
    return cardReply(resultsCard(t, event, summary));
  }

  async comments(actor: Actor, id: number): Promise<Reply> {
    const { t, tz } = this.ctx(actor);
    const { event, summary } = await this.events.feedbackSummary(actor, id);
    await this.s.audit.record(actor.person.id, 'export.feedback', `event:${event.id}`, { count: summary.comments.length });
    return {
      kind: 'file',
      file: {
        name: `avis-${event.id}.csv`,
        mime: 'text/csv',
        content: commentsCsv(summary, tz),
        comment: t('events.commentsComment', { title: event.title, count: summary.comments.length }),
      },
    };
  }

  async history(actor: Actor): Promise<Reply> {
    const { t, locale, tz } = this.ctx(actor);
    return cardReply(historyCard(t, await this.events.history(actor, 10), tz, locale));
  }

  /** Opens the poll as a form (Slack: a modal from the poll's button; Teams: the card itself carries the inputs). */
  async feedbackOpen(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const event = await this.events.get(id);
    return { kind: 'form', form: feedbackForm(t, event) };
  }

  async feedback(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Reply> {
    const { t } = this.ctx(actor);
    const id = parseEventNumber(data.id);
    // Slack shows the poll in a message as a button: the click opens the form as a modal.
    if (!('rating' in values) && !('comment' in values)) return this.feedbackOpen(actor, id);
    const rating = /^[1-5]$/.test(values.rating ?? '') ? Number(values.rating) : NaN;
    const { event, first } = await this.events.giveFeedback(actor, id, rating, values.comment);
    return cardReply(textCard(t(first ? 'events.feedback.thanks' : 'events.feedback.updated', { title: event.title })), { replace: true });
  }

  /** The poll as it was answered, to show a refusal next to its field. */
  async feedbackAgain(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Form> {
    const event = await this.events.get(parseEventNumber(data.id));
    return feedbackForm(this.ctx(actor).t, event, { rating: values.rating, comment: values.comment });
  }
}
