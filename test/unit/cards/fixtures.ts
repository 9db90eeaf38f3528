/** Representative cards shared by the card renderer tests. */
import path from 'node:path';
import { link, type Card, type CardElement, type Verb } from '../../../src/cards';
import { agendaCard, eventCard, eventForm, feedbackPollCard, registrantsCard, reminderCard, resultsCard } from '../../../src/app/events/screens';
import { answerForm, hideForm, ideaForm, mergeForm } from '../../../src/app/ideas/screens';
import { broadcastForm } from '../../../src/app/broadcasts/screens';
import type { Idea } from '../../../src/domain/ideas';
import { loadProgramme } from '../../../src/config/programme';

/** The renderers pass any verb through; these fixtures use some that no route of the bot handles. */
export const anyVerb = (name: string) => name as Verb;
import type { ProgrammeEvent } from '../../../src/domain/events';
import { I18n } from '../../../src/i18n';

export const menuCard: Card = {
  fallbackText: 'Ensemble menu: ideas, events and surveys',
  elements: [
    { type: 'header', text: 'Welcome to **Ensemble**' },
    {
      type: 'text',
      text: `Share **ideas**, join _events_ and answer surveys.\nRead the ${link('charter', 'https://example.org/charter?a=1&b=2')} first.`,
    },
    {
      type: 'facts',
      facts: [
        { label: 'Open ideas', value: '12' },
        { label: 'Next event', value: '**Town hall** on 2025-03-04' },
        { label: 'Survey', value: '_Mobility 2030_' },
      ],
    },
    { type: 'image', url: 'https://example.org/banner.png', alt: 'Participation banner' },
    { type: 'divider' },
    { type: 'context', text: 'You are signed in as a citizen. <b>not html</b>' },
    { type: 'text', text: 'Answers are anonymous.', muted: true },
    {
      type: 'actions',
      actions: [
        { kind: 'submit', verb: 'idea.list', label: 'Browse ideas', style: 'primary' },
        { kind: 'submit', verb: 'idea.support', label: 'Support idea 1', data: { ideaId: 'i-1' } },
        { kind: 'submit', verb: 'idea.support', label: 'Support idea 2', data: { ideaId: 'i-2' } },
        { kind: 'submit', verb: 'idea.support', label: 'Support idea 3', data: { ideaId: 'i-3' } },
        { kind: 'submit', verb: anyVerb('idea.withdraw'), label: 'Withdraw my idea', style: 'danger', data: { ideaId: 'i-9' } },
        { kind: 'url', label: 'Open the website', url: 'https://example.org' },
        { kind: 'url', label: 'Privacy', url: 'https://example.org/privacy' },
      ],
    },
    { type: 'actions', actions: [{ kind: 'submit', verb: 'help.show', label: 'Help' }] },
  ],
};

export const formCard: Card = {
  fallbackText: 'Propose an idea',
  requiredMessage: 'This field is required.',
  elements: [
    { type: 'header', text: 'Propose an idea' },
    { type: 'text', text: 'Fields marked as required must be filled in.' },
    { type: 'input', input: { kind: 'text', id: 'title', label: 'Title', placeholder: 'A short title', maxLength: 80, required: true } },
    {
      type: 'input',
      input: { kind: 'text', id: 'description', label: 'Description', multiline: true, maxLength: 2000, value: 'Draft text' },
    },
    { type: 'input', input: { kind: 'number', id: 'budget', label: 'Budget (EUR)', min: 0, max: 100000, value: 500 } },
    { type: 'input', input: { kind: 'date', id: 'start', label: 'Start date', value: '2025-05-01', required: true } },
    { type: 'input', input: { kind: 'time', id: 'meetingTime', label: 'Meeting time', value: '18:30' } },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'district',
        label: 'District',
        choices: [
          { title: 'North', value: 'north' },
          { title: 'South', value: 'south' },
          { title: 'Centre', value: 'centre' },
        ],
        style: 'compact',
        placeholder: 'Pick a district',
        value: 'south',
        required: true,
      },
    },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'themes',
        label: 'Themes',
        multiple: true,
        choices: [
          { title: 'Mobility', value: 'mobility' },
          { title: 'Housing', value: 'housing' },
          { title: 'Culture', value: 'culture' },
        ],
        value: 'mobility,culture',
      },
    },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'visibility',
        label: 'Visibility',
        style: 'expanded',
        choices: [
          { title: 'Public', value: 'public' },
          { title: 'Only the team', value: 'team' },
        ],
        value: 'public',
      },
    },
    {
      type: 'input',
      input: {
        kind: 'choice',
        id: 'channels',
        label: 'Notify me by',
        style: 'expanded',
        multiple: true,
        choices: [
          { title: 'Chat', value: 'chat' },
          { title: 'E-mail', value: 'email' },
        ],
      },
    },
    { type: 'input', input: { kind: 'toggle', id: 'anonymous', label: 'Publish anonymously', value: true } },
    { type: 'input', input: { kind: 'toggle', id: 'newsletter', label: 'Subscribe to the newsletter' } },
    { type: 'actions', actions: [{ kind: 'submit', verb: anyVerb('idea.cancel'), label: 'Cancel' }] },
  ],
  submit: { verb: anyVerb('idea.create'), label: 'Send my idea', data: { programme: 'p-1' } },
};

export const refreshCard: Card = {
  fallbackText: 'Idea i-1: 42 supporters',
  elements: [
    { type: 'header', text: 'Bike lanes on Main Street' },
    { type: 'facts', facts: [{ label: 'Supporters', value: '42' }] },
    { type: 'actions', actions: [{ kind: 'submit', verb: 'idea.support', label: 'Support', data: { ideaId: 'i-1' } }] },
  ],
  refresh: { verb: 'idea.view', data: { ideaId: 'i-1' }, userIds: ['29:user-a', '29:user-b'] },
};

export const refreshCardWithoutUsers: Card = {
  fallbackText: 'Poll',
  elements: [{ type: 'text', text: 'Poll results' }],
  refresh: { verb: anyVerb('poll.view') },
};

const paragraph = `Participation & <transparency> matter: the **council** publishes every _decision_ with its ${link('minutes', 'https://example.org/m')}. `;

export const longCard: Card = {
  fallbackText: 'All the results',
  elements: [
    { type: 'header', text: 'H'.repeat(400) },
    // ~12,000 characters with escapable characters, spread over lines.
    { type: 'text', text: Array.from({ length: 100 }, (_, i) => `${i + 1}. ${paragraph}`).join('\n') },
    // One unbroken 5,000-character word.
    { type: 'text', text: 'x'.repeat(5000) },
    {
      type: 'facts',
      facts: Array.from({ length: 60 }, (_, i) => ({
        label: `Fact ${i + 1}`,
        value: i === 0 ? 'v'.repeat(2500) : `Value ${i + 1} & more`,
      })),
    },
    { type: 'context', text: 'c'.repeat(3500) },
    {
      type: 'actions',
      actions: Array.from({ length: 30 }, (_, i) => ({
        kind: 'submit' as const,
        verb: anyVerb('page.show'),
        label: `Page ${i + 1} `.repeat(12),
        data: { page: String(i + 1) },
      })),
    },
  ],
};

/** A card that overflows Slack's 50 message blocks (and 100 modal blocks). */
export const hugeCard: Card = {
  fallbackText: 'Huge',
  elements: Array.from({ length: 120 }, (_, i): CardElement => ({ type: 'text', text: `Line ${i + 1}` })),
};

export const allCards: Record<string, Card> = {
  menu: menuCard,
  form: formCard,
  refresh: refreshCard,
  refreshWithoutUsers: refreshCardWithoutUsers,
  long: longCard,
  huge: hugeCard,
  ...eventScreens(),
};

/** The real screens and forms of events, ideas and broadcasts, in French, with the longest content the domain allows. */
function eventScreens(): Record<string, Card> {
  const t = new I18n('fr').forLocale('fr');
  const programme = loadProgramme(path.join(__dirname, '../../../programme/default.yaml'));
  const tz = 'Europe/Paris';
  const now = new Date('2026-11-23T08:00:00Z');
  const event = (id: number): ProgrammeEvent => ({
    id,
    kind: (['explorer', 'creer', 'tester', 'off'] as const)[id % 4],
    title: 'T'.repeat(120),
    description: 'D'.repeat(2000),
    startsAt: new Date(now.getTime() + id * 86_400_000),
    endsAt: new Date(now.getTime() + id * 86_400_000 + 8 * 3_600_000),
    place: 'P'.repeat(200),
    link: 'https://visio.exemple.fr/salle',
    capacity: 30,
    axisId: 'usager',
    audience: { kind: 'everyone' },
    state: 'scheduled',
    createdBy: 'slack:T1/U1',
    createdAt: now,
    updatedAt: now,
    version: 1,
    registered: 30,
    waiting: 4,
  });
  const events = Array.from({ length: 10 }, (_, i) => event(i + 1));
  const idea: Idea = {
    id: 7,
    title: 'I'.repeat(120),
    description: 'D'.repeat(2000),
    axisId: 'usager',
    hashtags: ['accueil'],
    anonymous: false,
    authorId: 'slack:T1/U1',
    status: 'proposee',
    supportCount: 3,
    createdAt: now,
    updatedAt: now,
  };
  const mine = new Map([
    [1, 'registered' as const],
    [2, 'waiting' as const],
  ]);
  const registrations = Array.from({ length: 80 }, (_, i) => ({
    eventId: 1,
    personId: `p${i}`,
    state: (i < 70 ? 'registered' : 'waiting') as 'registered' | 'waiting',
    at: now,
    person: null,
  }));
  const summary = {
    count: 12,
    average: 4.3,
    distribution: [1, 0, 2, 3, 6] as [number, number, number, number, number],
    comments: Array.from({ length: 8 }, () => ({ rating: 4, comment: 'C'.repeat(1000), at: now })),
  };
  return {
    agenda: agendaCard(t, programme, events, mine, tz, 'fr', now, true),
    event: eventCard(t, programme, { event: events[0], state: 'registered', context: 'own', organiser: true }, tz, 'fr', now, 'Intro'),
    eventShared: eventCard(t, programme, { event: events[1], context: 'shared', organiser: false }, tz, 'fr', now),
    reminder: reminderCard(t, programme, events[2], 1440, true, tz, 'fr', now),
    feedbackPoll: feedbackPollCard(t, events[0]),
    results: resultsCard(t, events[0], summary, 'Intro'),
    registrants: registrantsCard(t, events[0], registrations),
    eventForm: eventForm(t, programme, 'fr', tz, {}, undefined).card,
    ideaForm: ideaForm(t, programme, 'fr').card,
    answerForm: answerForm(t, idea).card,
    hideForm: hideForm(t, idea).card,
    mergeForm: mergeForm(t, idea).card,
    broadcastForm: broadcastForm(t, programme, 'fr', tz).card,
  };
}
