import type { Card, CardAction, CardElement } from '../../cards/model';
import { link } from '../../cards/text';
import { EVENT_KINDS, type EventKind, type FeedbackSummary, type ProgrammeEvent, type Registration, type RegistrationState } from '../../domain/events';
import { pick, type Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Programme } from '../../domain/programme';
import { wallClock } from '../../domain/time';
import type { Translate } from '../../i18n';
import type { Form } from '../reply';
import { audienceChoices } from '../common';
import { axisLabel } from '../ideas/screens';

const EMOJI: Record<EventKind, string> = { explorer: '🧭', creer: '💡', tester: '🧪', off: '🎉', academie: '🎓' };

/**
 * Where a card is shown: one person's own view, or a card many people see (an announcement in a channel).
 * 'agenda' marks a click from the agenda, answered with the agenda itself.
 */
export type EventCardContext = 'own' | 'shared' | 'agenda';

export function kindLabel(t: Translate, kind: EventKind): string {
  return t(`events.kind.${kind}`);
}

/** "mardi 1 décembre 2026, 09:00 – 17:00", or both dates when it spans several days. */
export function whenText(event: Pick<ProgrammeEvent, 'startsAt' | 'endsAt'>, timeZone: string, locale: Locale): string {
  const tag = locale === 'fr' ? 'fr-FR' : 'en-GB';
  const full = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: 'full', timeStyle: 'short' });
  const time = new Intl.DateTimeFormat(tag, { timeZone, timeStyle: 'short' });
  const sameDay = wallClock(event.startsAt, timeZone).date === wallClock(event.endsAt, timeZone).date;
  return sameDay ? `${full.format(event.startsAt)} – ${time.format(event.endsAt)}` : `${full.format(event.startsAt)} → ${full.format(event.endsAt)}`;
}

function placesText(t: Translate, e: ProgrammeEvent): string {
  const base = e.capacity === undefined ? t('events.placesUnlimited', { count: e.registered }) : t('events.places', { registered: e.registered, capacity: e.capacity });
  return e.waiting > 0 ? `${base} · ${t('events.waitingCount', { count: e.waiting })}` : base;
}

function title(t: Translate, e: ProgrammeEvent): string {
  return `${EMOJI[e.kind]} ${kindLabel(t, e.kind)} · ${e.title}`;
}

export function eventFacts(t: Translate, programme: Programme, e: ProgrammeEvent, timeZone: string, locale: Locale): CardElement {
  const facts = [{ label: t('events.facts.when'), value: whenText(e, timeZone, locale) }];
  if (e.place) facts.push({ label: t('events.facts.place'), value: e.place });
  if (e.link) facts.push({ label: t('events.facts.online'), value: link(t('events.facts.join'), e.link) });
  if (e.axisId) facts.push({ label: t('events.facts.axis'), value: axisLabel(programme, e.axisId, locale) });
  if (e.trainer) facts.push({ label: t('events.facts.trainer'), value: e.trainer.name });
  if (e.communityId) {
    const c = programme.communities.find((x) => x.id === e.communityId);
    facts.push({ label: t('events.facts.community'), value: c ? pick(c.name, locale) : e.communityId });
  }
  facts.push({ label: t('events.facts.places'), value: placesText(t, e) });
  return { type: 'facts', facts };
}

function stateLine(t: Translate, e: ProgrammeEvent, state: RegistrationState | undefined, now: Date): string | undefined {
  if (e.state === 'cancelled') return `❌ ${t('events.cancelledLine')}`;
  if (state === 'registered') return `✅ ${t('events.youAreRegistered')}`;
  if (state === 'waiting') return `⏳ ${t('events.youAreWaiting')}`;
  if (e.startsAt.getTime() <= now.getTime()) return t('events.closedLine');
  return undefined;
}

/** "Je participe" / "Je ne participe plus" and the calendar file, for one person; organisers' tools. */
function eventActions(t: Translate, e: ProgrammeEvent, state: RegistrationState | undefined, now: Date, context: EventCardContext, organiser: boolean): CardAction[] {
  const id = String(e.id);
  const actions: CardAction[] = [];
  const open = e.state === 'scheduled' && e.startsAt.getTime() > now.getTime();
  if (open) {
    if (context === 'shared' || !state) {
      const full = e.capacity !== undefined && e.registered >= e.capacity;
      actions.push({ kind: 'submit', verb: 'event.register', label: full ? t('events.joinWaitlist') : t('events.register'), style: 'primary', data: { id, c: context } });
    }
    if (context === 'own' && state) actions.push({ kind: 'submit', verb: 'event.unregister', label: t('events.unregister'), style: 'danger', data: { id, c: context } });
  }
  if (e.state === 'scheduled' && (state === 'registered' || context === 'shared')) actions.push({ kind: 'submit', verb: 'event.ics', label: t('events.icsButton'), data: { id } });
  if (organiser && context === 'own') {
    actions.push({ kind: 'submit', verb: 'event.registrants', label: t('events.registrantsButton'), data: { id } });
    if (e.state === 'scheduled' && e.endsAt.getTime() > now.getTime()) actions.push({ kind: 'submit', verb: 'event.edit', label: t('events.editButton'), data: { id } });
    if (e.startsAt.getTime() <= now.getTime()) actions.push({ kind: 'submit', verb: 'event.results', label: t('events.resultsButton'), data: { id } });
  }
  return actions;
}

export interface EventView {
  event: ProgrammeEvent;
  state?: RegistrationState;
  context: EventCardContext;
  organiser: boolean;
}

/** One event, in full. */
export function eventCard(t: Translate, programme: Programme, v: EventView, timeZone: string, locale: Locale, now: Date, intro?: string): Card {
  const e = v.event;
  const elements: CardElement[] = [];
  if (intro) elements.push({ type: 'text', text: intro });
  elements.push({ type: 'header', text: title(t, e) });
  if (e.description) elements.push({ type: 'text', text: e.description });
  elements.push(eventFacts(t, programme, e, timeZone, locale));
  const line = v.context === 'own' ? stateLine(t, e, v.state, now) : undefined;
  if (line) elements.push({ type: 'text', text: line });
  if (e.state === 'cancelled' && e.cancelReason) elements.push({ type: 'context', text: t('events.cancelReason', { reason: e.cancelReason }) });
  const actions = eventActions(t, e, v.state, now, v.context, v.organiser);
  if (actions.length) elements.push({ type: 'actions', actions });
  elements.push({ type: 'context', text: t('events.number', { id: e.id }) });
  return { fallbackText: intro ? `${intro} ${e.title}` : `${kindLabel(t, e.kind)} · ${e.title} · ${whenText(e, timeZone, locale)}`, elements };
}

/** The agenda: upcoming events with one click to register or withdraw. */
export function agendaCard(
  t: Translate,
  programme: Programme,
  events: ProgrammeEvent[],
  mine: Map<number, RegistrationState>,
  timeZone: string,
  locale: Locale,
  now: Date,
  organiser: boolean,
  intro?: string,
  /** Clicks answer with this agenda brought up to date (false on the Slack Home tab, refreshed on its own). */
  inPlace = true,
): Card {
  const elements: CardElement[] = [];
  if (intro) elements.push({ type: 'text', text: intro });
  elements.push({ type: 'header', text: t('events.agendaTitle') });
  if (events.length === 0) elements.push({ type: 'text', text: t('events.agendaEmpty') });
  for (const e of events) {
    const state = mine.get(e.id);
    const lines = [`**${title(t, e)}**`, whenText(e, timeZone, locale)];
    const where = [
      e.place,
      e.link ? link(t('events.facts.join'), e.link) : undefined,
      e.axisId ? t('events.axisShort', { axis: axisLabel(programme, e.axisId, locale) }) : undefined,
    ].filter(Boolean);
    if (where.length) lines.push(where.join(' · '));
    const status = stateLine(t, e, state, now);
    lines.push(`_${placesText(t, e)}_${status ? ` · ${status}` : ''}`);
    elements.push({ type: 'text', text: lines.join('\n') });
    // clicked here, "Je participe" answers with this agenda, brought up to date
    const actions = eventActions(t, e, state, now, 'own', false).map((a) =>
      inPlace && a.kind === 'submit' && (a.verb === 'event.register' || a.verb === 'event.unregister') ? { ...a, data: { ...a.data, c: 'agenda' } } : a,
    );
    actions.push({ kind: 'submit', verb: 'event.view', label: t('events.detailsButton'), data: { id: String(e.id) } });
    elements.push({ type: 'actions', actions });
  }
  if (organiser)
    elements.push({
      type: 'actions',
      actions: [
        { kind: 'submit', verb: 'event.new', label: t('events.newButton'), style: 'primary' },
        { kind: 'submit', verb: 'event.history', label: t('events.historyButton') },
      ],
    });
  return { fallbackText: intro ?? t('events.agendaTitle'), elements };
}

/** A reminder: "Rappel : la journée Créer, c'est demain". */
export function reminderCard(t: Translate, programme: Programme, e: ProgrammeEvent, offsetMinutes: number, registered: boolean, timeZone: string, locale: Locale, now: Date): Card {
  const intro = `⏰ ${t('events.reminder.intro', { when: offsetText(t, offsetMinutes), kind: kindLabel(t, e.kind), title: e.title })}`;
  return eventCard(
    t,
    programme,
    { event: e, state: registered ? 'registered' : undefined, context: registered ? 'own' : 'shared', organiser: false },
    timeZone,
    locale,
    now,
    intro,
  );
}

export function offsetText(t: Translate, minutes: number): string {
  if (minutes % 1440 === 0) return t('events.reminder.days', { count: minutes / 1440 });
  if (minutes % 60 === 0) return t('events.reminder.hours', { count: minutes / 60 });
  return t('events.reminder.minutes', { count: minutes });
}

/** « Votre avis nous intéresse » : a 1–5 rating and a comment. */
export function feedbackPollCard(t: Translate, e: ProgrammeEvent, values: { rating?: string; comment?: string } = {}): Card {
  const elements: CardElement[] = [];
  elements.push({ type: 'header', text: t('events.feedback.title') });
  elements.push({ type: 'text', text: t('events.feedback.intro', { kind: kindLabel(t, e.kind), title: e.title }) });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'rating',
      label: t('events.feedback.ratingLabel'),
      style: 'expanded',
      required: true,
      choices: [5, 4, 3, 2, 1].map((n) => ({ title: t(`events.feedback.rating${n}`), value: String(n) })),
      value: values.rating,
    },
  });
  elements.push({ type: 'input', input: { kind: 'text', id: 'comment', label: t('events.feedback.commentLabel'), multiline: true, maxLength: 1000, value: values.comment } });
  return {
    fallbackText: t('events.feedback.fallback', { title: e.title }),
    elements,
    submit: { verb: 'event.feedback', label: t('events.feedback.submit'), data: { id: String(e.id) } },
    requiredMessage: t('forms.required'),
  };
}

export function feedbackForm(t: Translate, e: ProgrammeEvent, values: { rating?: string; comment?: string } = {}): Form {
  const card = feedbackPollCard(t, e, values);
  return {
    verb: 'event.feedback',
    title: t('events.feedback.formTitle'),
    submitLabel: t('events.feedback.submit'),
    closeLabel: t('events.close'),
    card,
    data: { id: String(e.id) },
  };
}

/** Count, average, distribution; comments come as a file. */
export function resultsCard(t: Translate, e: ProgrammeEvent, s: FeedbackSummary, intro?: string): Card {
  const elements: CardElement[] = [];
  if (intro) elements.push({ type: 'text', text: intro });
  elements.push({ type: 'header', text: t('events.results.title', { title: e.title }) });
  if (s.count === 0) {
    elements.push({ type: 'text', text: t('events.results.none') });
    return { fallbackText: t('events.results.title', { title: e.title }), elements };
  }
  const max = Math.max(...s.distribution);
  const bars = [5, 4, 3, 2, 1].map((n) => {
    const c = s.distribution[n - 1];
    const bar = max > 0 ? '█'.repeat(Math.round((c / max) * 12)) : '';
    return `${'★'.repeat(n)}${'☆'.repeat(5 - n)}  ${bar} ${c}`;
  });
  elements.push({
    type: 'facts',
    facts: [
      { label: t('events.results.count'), value: String(s.count) },
      {
        label: t('events.results.average'),
        value: t('events.results.averageValue', { average: (s.average ?? 0).toLocaleString(t('events.numberLocale'), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }),
      },
      { label: t('events.results.comments'), value: String(s.comments.length) },
    ],
  });
  elements.push({ type: 'text', text: bars.join('\n') });
  for (const c of s.comments.slice(0, 5)) {
    const comment = c.comment.length > 280 ? `${c.comment.slice(0, 279)}…` : c.comment;
    elements.push({ type: 'context', text: `${'★'.repeat(c.rating)} ${t('events.results.quote', { comment })}` });
  }
  if (s.comments.length)
    elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'event.comments', label: t('events.results.exportComments'), data: { id: String(e.id) } }] });
  const average = (s.average ?? 0).toLocaleString(t('events.numberLocale'), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return { fallbackText: t('events.results.fallback', { title: e.title, count: s.count, average }), elements };
}

export function registrantsCard(t: Translate, e: ProgrammeEvent, registrations: Array<Registration & { person: Person | null }>): Card {
  const registered = registrations.filter((r) => r.state === 'registered');
  const waiting = registrations.filter((r) => r.state === 'waiting');
  const names = (list: typeof registrations) =>
    list
      .slice(0, 60)
      .map((r, i) => `${i + 1}. ${r.person?.displayName ?? '—'}`)
      .join('\n') + (list.length > 60 ? `\n${t('events.andMore', { count: list.length - 60 })}` : '');
  const elements: CardElement[] = [{ type: 'header', text: t('events.registrantsTitle', { title: e.title }) }];
  elements.push({ type: 'text', text: `**${t('events.registeredHeading', { count: registered.length })}**\n${registered.length ? names(registered) : '—'}` });
  if (waiting.length) elements.push({ type: 'text', text: `**${t('events.waitingHeading', { count: waiting.length })}**\n${names(waiting)}` });
  elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'event.export', label: t('events.exportButton'), data: { id: String(e.id) } }] });
  return { fallbackText: t('events.registrantsTitle', { title: e.title }), elements };
}

export function historyCard(t: Translate, events: ProgrammeEvent[], timeZone: string, locale: Locale): Card {
  const elements: CardElement[] = [{ type: 'header', text: t('events.historyTitle') }];
  if (!events.length) elements.push({ type: 'text', text: t('events.historyEmpty') });
  for (const e of events) {
    elements.push({
      type: 'text',
      text: `**${title(t, e)}**${e.state === 'cancelled' ? ` · ${t('events.cancelledLine')}` : ''}\n${whenText(e, timeZone, locale)} · _${placesText(t, e)}_`,
    });
    elements.push({
      type: 'actions',
      actions: [
        { kind: 'submit', verb: 'event.results', label: t('events.resultsButton'), data: { id: String(e.id) } },
        { kind: 'submit', verb: 'event.registrants', label: t('events.registrantsButton'), data: { id: String(e.id) } },
      ],
    });
  }
  return { fallbackText: t('events.historyTitle'), elements };
}

export interface EventFormValues {
  kind?: string;
  title?: string;
  description?: string;
  startDate?: string;
  startTime?: string;
  endDate?: string;
  endTime?: string;
  place?: string;
  link?: string;
  capacity?: string;
  axis?: string;
  audience?: string;
  /** The community whose agenda it is on ('none' or blank: none). */
  community?: string;
  /** An academy session's trainer: the platform's user id from the people picker. */
  trainer?: string;
  announce?: string;
}

/** Values of the form for an existing event (editing). */
export function formValuesOf(e: ProgrammeEvent, timeZone: string): EventFormValues {
  const start = wallClock(e.startsAt, timeZone);
  const end = wallClock(e.endsAt, timeZone);
  const audience =
    e.audience.kind === 'axis' ? `axis:${e.audience.axisId}` : e.audience.kind === 'channel' ? `channel:${e.audience.platform}:${e.audience.channel}` : e.audience.kind;
  return {
    kind: e.kind,
    title: e.title,
    description: e.description,
    startDate: start.date,
    startTime: start.time,
    endDate: end.date,
    endTime: end.time,
    place: e.place,
    link: e.link,
    capacity: e.capacity === undefined ? '' : String(e.capacity),
    axis: e.axisId ?? '',
    audience,
    community: e.communityId ?? '',
    trainer: e.trainer ? e.trainer.id.slice(e.trainer.id.lastIndexOf('/') + 1) : undefined,
  };
}

/** The organisers' form: create (with an optional announcement) or change an event. */
export function eventForm(
  t: Translate,
  programme: Programme,
  locale: Locale,
  timeZone: string,
  values: EventFormValues,
  editing: number | undefined,
  communities: ReadonlyArray<{ id: string; name: string }> = [],
): Form {
  const elements: CardElement[] = [];
  elements.push({ type: 'text', text: editing ? t('events.form.editIntro') : t('events.form.intro') });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'kind',
      label: t('events.form.kind'),
      style: 'compact',
      required: true,
      choices: EVENT_KINDS.map((k) => ({ title: kindLabel(t, k), value: k })),
      value: values.kind ?? 'creer',
    },
  });
  elements.push({ type: 'input', input: { kind: 'text', id: 'title', label: t('events.form.title'), maxLength: 120, required: true, value: values.title } });
  // an academy session's trainer, chosen with the platform's people picker
  elements.push({
    type: 'input',
    input: { kind: 'person', id: 'trainer', label: t('events.form.trainer'), placeholder: t('events.form.trainerPlaceholder'), value: values.trainer },
  });
  elements.push({ type: 'input', input: { kind: 'text', id: 'description', label: t('events.form.description'), multiline: true, maxLength: 2000, value: values.description } });
  elements.push({ type: 'input', input: { kind: 'date', id: 'startDate', label: t('events.form.startDate'), required: true, value: values.startDate } });
  elements.push({
    type: 'input',
    input: { kind: 'time', id: 'startTime', label: t('events.form.startTime', { tz: timeZone }), required: true, value: values.startTime ?? '09:00' },
  });
  elements.push({ type: 'input', input: { kind: 'date', id: 'endDate', label: t('events.form.endDate'), value: values.endDate } });
  elements.push({ type: 'input', input: { kind: 'time', id: 'endTime', label: t('events.form.endTime'), required: true, value: values.endTime ?? '17:00' } });
  elements.push({ type: 'input', input: { kind: 'text', id: 'place', label: t('events.form.place'), maxLength: 200, value: values.place } });
  elements.push({ type: 'input', input: { kind: 'text', id: 'link', label: t('events.form.link'), maxLength: 1000, value: values.link } });
  elements.push({ type: 'input', input: { kind: 'text', id: 'capacity', label: t('events.form.capacity'), maxLength: 7, value: values.capacity } });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'axis',
      label: t('events.form.axis'),
      style: 'compact',
      choices: [{ title: t('events.form.noAxis'), value: 'none' }, ...programme.axes.map((a) => ({ title: `${a.number} · ${pick(a.name, locale)}`, value: a.id }))],
      value: values.axis || 'none',
    },
  });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'audience',
      label: t('events.form.audience'),
      style: 'compact',
      choices: [
        ...audienceChoices(t, programme, locale, communities),
        ...(values.audience?.startsWith('channel:') ? [{ title: values.audience.split(':').slice(2).join(':'), value: values.audience }] : []),
      ],
      value: values.audience || 'everyone',
    },
  });
  elements.push({
    type: 'input',
    input: {
      kind: 'choice',
      id: 'community',
      label: t('events.form.community'),
      style: 'compact',
      choices: [{ title: t('events.form.noCommunity'), value: 'none' }, ...communities.map((c) => ({ title: c.name, value: c.id }))],
      value: values.community || 'none',
    },
  });
  if (!editing) elements.push({ type: 'input', input: { kind: 'toggle', id: 'announce', label: t('events.form.announce'), value: values.announce === 'true' } });
  const verb = 'event.submit';
  const data: Record<string, string> = editing ? { id: String(editing) } : {};
  const heading = editing ? t('events.form.editTitle') : t('events.form.newTitle');
  return {
    verb,
    title: heading,
    submitLabel: editing ? t('events.form.save') : t('events.form.create'),
    closeLabel: t('events.close'),
    card: { fallbackText: heading, elements, submit: { verb, label: editing ? t('events.form.save') : t('events.form.create'), data }, requiredMessage: t('forms.required') },
    data,
  };
}
