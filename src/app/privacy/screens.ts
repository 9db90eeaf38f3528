import type { Card, CardElement } from '../../cards/model';
import { type Locale, pick } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { PersonData } from '../../domain/privacy';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';

export interface View {
  t: Translate;
  programme: Programme;
  locale: Locale;
}

/** « Confidentialité »: the privacy notice, made of the programme's fields (Art. 13 GDPR). */
export function noticeCard({ t, programme, locale }: View): Card {
  const p = programme.privacy;
  const r = p.retention;
  const controller = p.controller ?? programme.organisation;
  const purposes = p.purposes?.length ? p.purposes.map((x) => pick(x, locale)) : [t('privacy.notice.defaultPurpose')];
  const dpo = [p.dpo?.name, p.dpo?.email, p.dpo?.url].filter(Boolean).join(' · ') || t('privacy.notice.dpoUnknown', { controller });
  const elements: CardElement[] = [
    { type: 'header', text: t('privacy.notice.title') },
    { type: 'text', text: t('privacy.notice.intro', { programme: pick(programme.name, locale) }) },
    {
      type: 'facts',
      facts: [
        { label: t('privacy.notice.controller'), value: controller },
        { label: t('privacy.notice.dpo'), value: dpo },
        { label: t('privacy.notice.basis'), value: t('privacy.notice.basisText') },
      ],
    },
    { type: 'text', text: `**${t('privacy.notice.purposes')}**\n${purposes.map((x) => `• ${x}`).join('\n')}` },
    { type: 'text', text: `**${t('privacy.notice.stored')}**\n${t('privacy.notice.storedText')}` },
    {
      type: 'text',
      text: `**${t('privacy.notice.durations')}**\n${[
        t('privacy.notice.durationProfile', { months: r.inactiveMonths, days: r.inactiveNoticeDays }),
        t('privacy.notice.durationMessages', { days: r.deliveredMessagesDays }),
        t('privacy.notice.durationFeedback', { months: r.feedbackCommentsMonths }),
        t('privacy.notice.durationDrafts', { days: r.draftsDays }),
        t('privacy.notice.durationAudit', { months: r.auditMonths }),
      ]
        .map((x) => `• ${x}`)
        .join('\n')}`,
    },
    { type: 'text', text: `**${t('privacy.notice.rights')}**\n${t('privacy.notice.rightsText')}` },
    {
      type: 'actions',
      actions: [
        { kind: 'submit', verb: 'privacy.export', label: t('privacy.myData') },
        { kind: 'submit', verb: 'privacy.eraseConfirm', label: t('privacy.eraseMine'), style: 'danger' },
      ],
    },
  ];
  return { fallbackText: t('privacy.notice.title'), elements };
}

/** What the file holds, in words: counts per kind, from the rows found. */
export interface DataSummary {
  ideas: number;
  anonymousIdeas: number;
  supports: number;
  registrations: number;
  feedback: number;
  follows: number;
  engagements: number;
  consultations: number;
  messagesPending: number;
  messagesSent: number;
  roles: string[];
}

/** The person an outbox row is for (its target, a JSON text on SQLite, a sub-document on MongoDB). */
export function targetPerson(row: Record<string, unknown>): string | undefined {
  const target = row.target;
  const parsed = typeof target === 'string' ? (JSON.parse(target) as { personId?: string }) : (target as { personId?: string } | undefined);
  return parsed?.personId;
}

const field = (row: Record<string, unknown>, ...names: string[]) => names.map((n) => row[n]).find((v) => v !== undefined);

/** Counts what a person's data holds (the stores name their fields their own way: both are read). */
export function summarise(personId: string, data: PersonData, roles: string[]): DataSummary {
  const rows = (t: string) => data[t] ?? [];
  const mine = (t: string, ...names: string[]) => rows(t).filter((r) => field(r, ...names) === personId);
  const ideas = mine('ideas', 'author_id', 'authorId');
  const outbox = rows('outbox').filter((r) => targetPerson(r) === personId);
  return {
    ideas: ideas.length,
    anonymousIdeas: ideas.filter((r) => Number(field(r, 'anonymous')) === 1 || field(r, 'anonymous') === true).length,
    supports: mine('supports', 'person_id', 'personId').length,
    registrations: mine('registrations', 'person_id', 'personId').length,
    feedback: mine('event_feedback', 'person_id', 'personId').length,
    follows: mine('axis_follows', 'person_id', 'personId').length,
    engagements: mine('engagements', 'person_id', 'personId').length,
    consultations: mine('consultation_register', 'person_id', 'personId').length,
    messagesPending: outbox.filter((r) => field(r, 'state') === 'pending').length,
    messagesSent: outbox.filter((r) => field(r, 'state') === 'sent').length,
    roles,
  };
}

export function summaryCard({ t }: View, person: Person, s: DataSummary): Card {
  const facts = [
    { label: t('privacy.summary.profile'), value: [person.displayName, person.email, person.platform === 'slack' ? 'Slack' : 'Teams'].filter(Boolean).join(' · ') },
    { label: t('privacy.summary.roles'), value: s.roles.length ? s.roles.join(', ') : t('privacy.summary.none') },
    { label: t('privacy.summary.ideas'), value: t('privacy.summary.ideasValue', { count: s.ideas, anonymous: s.anonymousIdeas }) },
    { label: t('privacy.summary.supports'), value: String(s.supports) },
    { label: t('privacy.summary.registrations'), value: String(s.registrations) },
    { label: t('privacy.summary.feedback'), value: String(s.feedback) },
    { label: t('privacy.summary.follows'), value: String(s.follows) },
    { label: t('privacy.summary.engagements'), value: String(s.engagements) },
    { label: t('privacy.summary.consultations'), value: String(s.consultations) },
    { label: t('privacy.summary.messages'), value: t('privacy.summary.messagesValue', { pending: s.messagesPending, sent: s.messagesSent }) },
  ];
  return {
    fallbackText: t('privacy.summary.title'),
    elements: [
      { type: 'header', text: t('privacy.summary.title') },
      { type: 'text', text: t('privacy.summary.intro') },
      { type: 'facts', facts },
      { type: 'context', text: t('privacy.summary.rights') },
      { type: 'actions', actions: [{ kind: 'submit', verb: 'privacy.notice', label: t('privacy.noticeButton') }] },
    ],
  };
}

/**
 * What erasing will do, before it is done: the person (or the organiser for them) confirms. The button names
 * whom it erases: pressed by someone else (a card seen in a Teams channel), it is refused.
 */
export function confirmCard({ t, programme }: View, target: Person, forSomeoneElse: boolean): Card {
  const key = forSomeoneElse ? 'privacy.erase.confirmOther' : 'privacy.erase.confirmSelf';
  const text = t(key, { name: target.displayName });
  const steps = [
    t('privacy.erase.stepProfile'),
    t(programme.privacy.erasedIdeas === 'delete' ? 'privacy.erase.stepIdeasDeleted' : 'privacy.erase.stepIdeas'),
    t('privacy.erase.stepSupports'),
    t('privacy.erase.stepRegistrations'),
    t('privacy.erase.stepMessages'),
    t('privacy.erase.stepRoles'),
    t('privacy.erase.stepFinal'),
  ];
  return {
    fallbackText: text,
    elements: [
      { type: 'header', text: t('privacy.erase.title') },
      { type: 'text', text },
      { type: 'text', text: steps.map((x) => `• ${x}`).join('\n') },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'privacy.erase', label: t('privacy.erase.confirmButton'), style: 'danger', data: { person: target.id } },
          { kind: 'submit', verb: 'privacy.eraseCancel', label: t('privacy.erase.cancelButton') },
        ],
      },
    ],
  };
}

/** The warning to a person not seen for a long time: one click keeps their account. */
export function inactiveCard({ t }: View, months: number, date: string): Card {
  const text = t('privacy.inactive.text', { months, date });
  return {
    fallbackText: text,
    elements: [
      { type: 'header', text: t('privacy.inactive.title') },
      { type: 'text', text },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'privacy.stillHere', label: t('privacy.inactive.keep'), style: 'primary' },
          { kind: 'submit', verb: 'privacy.export', label: t('privacy.myData') },
        ],
      },
    ],
  };
}
