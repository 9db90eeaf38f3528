import type { Card, CardAction, CardElement } from '../../cards/model';
import { COMMUNITY_KINDS, type Community, PROGRESS_STAGES, type ProgressStage, type StageStep } from '../../domain/communities';
import type { ProgrammeEvent } from '../../domain/events';
import { pick, type Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';
import type { Form } from '../reply';

export interface View {
  t: Translate;
  programme: Programme;
  locale: Locale;
  timeZone: string;
}

/** A programme community's words in the viewer's language; a community made in chat as written. */
export function communityName(v: Pick<View, 'programme' | 'locale'>, c: Pick<Community, 'id' | 'name'>): string {
  const p = v.programme.communities.find((x) => x.id === c.id);
  return p ? pick(p.name, v.locale) : c.name;
}

function description(v: View, c: Community): string {
  const p = v.programme.communities.find((x) => x.id === c.id);
  return p ? pick(p.description, v.locale) : c.description;
}

function problem(v: View, c: Community): string | undefined {
  const p = v.programme.communities.find((x) => x.id === c.id);
  return p?.problem ? pick(p.problem, v.locale) : c.problem;
}

export function kindLabel(t: Translate, kind: Community['kind']): string {
  return t(`communities.kind.${kind}`);
}

export function stageLabel(t: Translate, stage: ProgressStage): string {
  return t(`communities.stage.${stage}`);
}

function joinAction(v: View, c: Community, member: boolean, from: 'list' | 'card'): CardAction {
  const name = communityName(v, c);
  return member
    ? { kind: 'submit', verb: 'community.leave', label: v.t('communities.leaveButton', { name }), data: { id: c.id, c: from } }
    : { kind: 'submit', verb: 'community.join', label: v.t('communities.joinButton', { name }), data: { id: c.id, c: from }, style: 'primary' };
}

/** `/ensemble communautes`: every community, what it is, how many members, « Rejoindre » / « Quitter ». */
export function listCard(v: View, communities: Community[], counts: Map<string, number>, mine: Set<string>, organiser: boolean): Card {
  const { t } = v;
  const elements: CardElement[] = [
    { type: 'header', text: t('communities.listTitle') },
    { type: 'text', text: t('communities.listIntro') },
  ];
  if (!communities.length) elements.push({ type: 'text', text: t('communities.none') });
  for (const c of communities) {
    const member = mine.has(c.id);
    elements.push({ type: 'divider' });
    elements.push({ type: 'text', text: `**${communityName(v, c)}** · ${kindLabel(t, c.kind)}${member ? ` · ${t('communities.memberMark')}` : ''}` });
    const words = description(v, c);
    if (words) elements.push({ type: 'text', text: words, muted: true });
    elements.push({ type: 'context', text: t('communities.members', { count: counts.get(c.id) ?? 0 }) });
    elements.push({
      type: 'actions',
      actions: [joinAction(v, c, member, 'list'), { kind: 'submit', verb: 'community.show', label: t('communities.showButton'), data: { id: c.id } }],
    });
  }
  const actions: CardAction[] = [{ kind: 'submit', verb: 'community.trainForm', label: t('communities.trainButton'), data: {} }];
  if (organiser) actions.push({ kind: 'submit', verb: 'community.form', label: t('communities.newButton'), data: {} });
  elements.push({ type: 'divider' }, { type: 'actions', actions });
  return { fallbackText: t('communities.listTitle'), elements };
}

export interface CommunityView {
  community: Community;
  members: number;
  member: boolean;
  organiser: boolean;
  /** Its upcoming events, soonest first. */
  events: ProgrammeEvent[];
  stages: StageStep[];
}

function whenText(v: View, at: Date): string {
  return new Intl.DateTimeFormat(v.locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: v.timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** `/ensemble communaute <id>`: the card — description, members, channel, agenda, a progress group's problem and stage. */
export function communityCard(v: View, cv: CommunityView, intro?: string): Card {
  const { t } = v;
  const c = cv.community;
  const name = communityName(v, c);
  const elements: CardElement[] = [];
  if (intro) elements.push({ type: 'text', text: intro });
  elements.push({ type: 'header', text: name });
  const words = description(v, c);
  if (words) elements.push({ type: 'text', text: words });
  const facts = [
    { label: t('communities.kindLabel'), value: kindLabel(t, c.kind) },
    { label: t('communities.membersLabel'), value: t('communities.members', { count: cv.members }) },
  ];
  if (c.channel?.slack) facts.push({ label: t('communities.channelSlack'), value: c.channel.slack });
  if (c.channel?.teams) facts.push({ label: t('communities.channelTeams'), value: c.channel.teams });
  elements.push({ type: 'facts', facts });
  if (c.kind === 'groupe_progres') {
    const p = problem(v, c);
    if (p) elements.push({ type: 'text', text: `**${t('communities.problem')}** : ${p}` });
    const stage = c.stage ?? 'analyse';
    elements.push({
      type: 'text',
      text: t('communities.stageLine', { stages: PROGRESS_STAGES.map((s) => (s === stage ? `**${stageLabel(t, s)}**` : stageLabel(t, s))).join(' → ') }),
    });
    const last = cv.stages.filter((s) => s.stage === stage).at(-1);
    if (last) elements.push({ type: 'context', text: t('communities.stageSince', { at: whenText(v, last.at) }) });
  }
  elements.push({ type: 'text', text: `**${t('communities.agenda')}**` });
  if (!cv.events.length) elements.push({ type: 'context', text: t('communities.agendaEmpty') });
  for (const e of cv.events.slice(0, 10)) {
    elements.push({ type: 'text', text: `${t(`events.kind.${e.kind}`)} · ${e.title} · ${whenText(v, e.startsAt)}` });
    elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'event.view', label: t('communities.eventButton', { id: e.id }), data: { id: String(e.id) } }] });
  }
  const actions: CardAction[] = [joinAction(v, c, cv.member, 'card')];
  if (cv.organiser && c.kind === 'groupe_progres') {
    const stage = c.stage ?? 'analyse';
    for (const s of PROGRESS_STAGES)
      if (s !== stage)
        actions.push({ kind: 'submit', verb: 'community.stage', label: t('communities.stageButton', { stage: stageLabel(t, s) }), data: { id: c.id, from: stage, to: s } });
    if (stage === 'proposition') actions.push({ kind: 'submit', verb: 'community.publishForm', label: t('communities.publishButton'), data: { id: c.id }, style: 'primary' });
  }
  if (c.kind === 'academie') actions.push({ kind: 'submit', verb: 'community.trainForm', label: t('communities.trainButton'), data: {} });
  actions.push({ kind: 'submit', verb: 'community.list', label: t('communities.allButton'), data: {} });
  elements.push({ type: 'actions', actions });
  return { fallbackText: `${name} · ${kindLabel(t, c.kind)}`, elements };
}

export interface CommunityFormValues {
  name?: string;
  kind?: string;
  description?: string;
  problem?: string;
}

/** Organisers: a new community (a progress group has its problem). */
export function createForm(v: View, values: CommunityFormValues = {}): Form {
  const { t } = v;
  return {
    verb: 'community.create',
    title: t('communities.form.title'),
    submitLabel: t('communities.form.submit'),
    closeLabel: t('communities.close'),
    data: {},
    card: {
      fallbackText: t('communities.form.title'),
      requiredMessage: t('forms.required'),
      elements: [
        { type: 'input', input: { kind: 'text', id: 'name', label: t('communities.form.name'), maxLength: 80, required: true, value: values.name } },
        {
          type: 'input',
          input: {
            kind: 'choice',
            id: 'kind',
            label: t('communities.form.kind'),
            required: true,
            choices: COMMUNITY_KINDS.map((k) => ({ title: kindLabel(t, k), value: k })),
            value: values.kind ?? 'groupe_progres',
          },
        },
        { type: 'input', input: { kind: 'text', id: 'description', label: t('communities.form.description'), multiline: true, maxLength: 1000, value: values.description } },
        { type: 'input', input: { kind: 'text', id: 'problem', label: t('communities.form.problem'), multiline: true, maxLength: 1000, value: values.problem } },
      ],
    },
  };
}

/** « Je peux former sur… » */
export function trainForm(v: View, values: { subject?: string } = {}): Form {
  const { t } = v;
  return {
    verb: 'community.train',
    title: t('communities.train.title'),
    submitLabel: t('communities.train.submit'),
    closeLabel: t('communities.close'),
    data: {},
    card: {
      fallbackText: t('communities.train.title'),
      requiredMessage: t('forms.required'),
      elements: [
        { type: 'text', text: t('communities.train.intro') },
        { type: 'input', input: { kind: 'text', id: 'subject', label: t('communities.train.subject'), multiline: true, maxLength: 300, required: true, value: values.subject } },
      ],
    },
  };
}

/** What the organisers receive when someone offers to train. */
export function offerNotice(v: View, person: Person, subject: string): Card {
  const { t } = v;
  const text = t('communities.train.notice', { name: person.displayName });
  return {
    fallbackText: text,
    elements: [
      { type: 'header', text },
      { type: 'text', text: subject },
      { type: 'context', text: t('communities.train.noticeHint') },
    ],
  };
}

/** A progress group's proposal, published as an idea of an axis (credited to the group). */
export function publishForm(v: View, c: Community, values: { axis?: string; title?: string; description?: string } = {}): Form {
  const { t, programme, locale } = v;
  return {
    verb: 'community.publish',
    title: t('communities.publish.title'),
    submitLabel: t('communities.publish.submit'),
    closeLabel: t('communities.close'),
    data: { id: c.id },
    card: {
      fallbackText: t('communities.publish.title'),
      requiredMessage: t('forms.required'),
      elements: [
        { type: 'text', text: t('communities.publish.intro', { name: communityName(v, c) }) },
        {
          type: 'input',
          input: {
            kind: 'choice',
            id: 'axis',
            label: t('communities.publish.axis'),
            required: true,
            choices: programme.axes.map((a) => ({ title: `${a.number} · ${pick(a.name, locale)}`, value: a.id })),
            value: values.axis,
          },
        },
        { type: 'input', input: { kind: 'text', id: 'title', label: t('communities.publish.ideaTitle'), maxLength: 120, required: true, value: values.title } },
        {
          type: 'input',
          input: { kind: 'text', id: 'description', label: t('communities.publish.ideaText'), multiline: true, maxLength: 2000, value: values.description ?? problem(v, c) },
        },
      ],
    },
  };
}
