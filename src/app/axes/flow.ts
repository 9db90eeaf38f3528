import type { Card, CardAction, CardElement } from '../../cards/model';
import { outgoingPayload } from '../../cards/outgoing';
import type { AxisUpdate } from '../../domain/axes';
import type { OutboxMessage } from '../../domain/delivery';
import { parseAxisUpdate, type AxesService, type AxisUpdateFields } from '../../domain/axes-service';
import { DomainError } from '../../domain/errors';
import type { Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Actor } from '../../domain/people-service';
import { findAxis, type Axis } from '../../domain/programme';
import { isOrganiser } from '../../domain/roles';
import { formatZoned } from '../../domain/time';
import type { Translate } from '../../i18n';
import { textCard } from '../common';
import type { Notice, Notices } from '../notices';
import { cardReply, type Form, type Reply } from '../reply';
import type { Services } from '../services';
import { numberToken } from '../words';
import {
  answerForm,
  axesMenuCard,
  axisCard,
  axisName,
  chooseUpdateAxisCard,
  followAction,
  questionForm,
  updateCard,
  updateElements,
  updateForm,
  type PilotFigures,
} from './screens';

const HISTORY_LIMIT = 10;
const EVENTS_SCAN = 50;

/** "12", "n°12" → 12, for an update or a question carried by a button. */
export function parseNumber(word: string | undefined): number {
  const n = numberToken(word);
  if (n === null) throw new DomainError('axisUpdate.notFound', { id: (word ?? '').slice(0, 12) });
  return n;
}

/** Outbox source of an update's messages to its followers (its report is the « delivered » figure). */
export const updateSource = (id: number) => `axis-update:${id}`;

/** Following axes, and pilots' updates in chat: the axis card, the form, preview and publish, 👏 and questions. */
export class AxesFlow {
  constructor(
    private readonly s: Services,
    readonly axes: AxesService,
    private readonly notices: Notices,
    /** Wakes the delivery engine: what was queued is due now. */
    private readonly wake: () => void,
  ) {}

  private ctx(actor: Actor) {
    const locale = actor.person.locale ?? this.s.defaultLocale;
    return { locale, t: this.s.i18n.forLocale(locale) };
  }

  private localeOf(p: Person): Locale {
    return p.locale ?? this.s.defaultLocale;
  }

  t(actor: Actor): Translate {
    return this.ctx(actor).t;
  }

  private async nameOf(personId: string): Promise<string> {
    return (await this.s.store.people.get(personId))?.displayName ?? '—';
  }

  menu(actor: Actor, unknownWord?: string): Reply {
    const { t, locale } = this.ctx(actor);
    return cardReply(axesMenuCard(t, this.s.programme, locale, unknownWord));
  }

  /** `axe <axe>`: its card; without a word, or one that matches no axis, the menu of axes. */
  async show(actor: Actor, query: string | undefined): Promise<Reply> {
    if (!query) return this.menu(actor);
    const axis = findAxis(this.s.programme, query);
    if (!axis) return this.menu(actor, query.slice(0, 60));
    return cardReply(await this.card(actor, axis));
  }

  async card(actor: Actor, axis: Axis): Promise<Card> {
    const { t, locale } = this.ctx(actor);
    const { store } = this.s;
    const [pilots, followers, [latest], top, upcoming, mine] = await Promise.all([
      this.s.people.peopleWith('pilote', axis.id),
      store.follows.followers(axis.id),
      store.axisUpdates.history(axis.id, 1),
      store.ideas.list({ axisId: axis.id, sort: 'top', offset: 0, limit: 3 }),
      store.events.upcoming(this.s.clock.now(), EVENTS_SCAN),
      store.follows.axesOf(actor.person.id),
    ]);
    return axisCard(t, locale, this.s.timezone, {
      axis,
      pilots: pilots.map((p) => p.displayName),
      followers: followers.length,
      latest: latest ? { update: latest, authorName: await this.nameOf(latest.authorId) } : undefined,
      topIdeas: top.items,
      events: upcoming.filter((e) => e.axisId === axis.id).slice(0, 3),
      following: mine.includes(axis.id),
      canPost: this.axes.canPost(actor, axis.id),
    });
  }

  /**
   * Follows (or stops following) an axis: pressing twice is pressing once. On the axis card, the card is
   * updated in place; from elsewhere (an idea's card, the welcome card), a short confirmation.
   */
  async setFollow(actor: Actor, data: Record<string, string>, follow: boolean): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const axis = this.axes.axis(data.axis ?? '');
    if (follow) await this.axes.follow(actor, axis.id);
    else await this.axes.unfollow(actor, axis.id);
    const said = t(follow ? 'axes.followedNote' : 'axes.unfollowedNote', { axis: axisName(axis, locale) });
    if (data.from) {
      return cardReply({
        fallbackText: said,
        elements: [
          { type: 'text', text: said },
          {
            type: 'actions',
            actions: [followAction(t, axis.id, follow), { kind: 'submit', verb: 'axis.show', label: axisName(axis, locale).slice(0, 75), data: { axis: axis.id } }],
          },
        ],
      });
    }
    return cardReply(await this.card(actor, axis), { replace: true, note: textCard(said) });
  }

  private async figures(update: AxisUpdate): Promise<PilotFigures> {
    const [report, questions] = await Promise.all([this.s.store.outbox.report(updateSource(update.id)), this.s.store.axisUpdates.questions(update.id)]);
    return { report, questions: await Promise.all(questions.map(async (question) => ({ question, name: await this.nameOf(question.askerId) }))) };
  }

  /** Whether this person sees the pilot's view of an update (its author, or an organiser). */
  private ownsView(actor: Actor, update: AxisUpdate): boolean {
    return update.authorId === actor.person.id || isOrganiser(actor.roles);
  }

  /** `axe <axe> historique`: its updates, newest first; the pilot's view to its pilots and organisers. */
  async history(actor: Actor, query: string): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const axis = this.axes.axis(query);
    const updates = await this.s.store.axisUpdates.history(axis.id, HISTORY_LIMIT);
    const pilotView = this.axes.canPost(actor, axis.id);
    const title = t('axes.historyTitle', { axis: axisName(axis, locale) });
    const elements: CardElement[] = [{ type: 'header', text: title }];
    if (updates.length === 0) elements.push({ type: 'text', text: t('axes.historyEmpty') });
    for (const update of updates) {
      elements.push({ type: 'divider' });
      const body = updateElements(t, this.s.programme, locale, this.s.timezone, {
        update,
        authorName: await this.nameOf(update.authorId),
        pilot: pilotView ? await this.figures(update) : undefined,
        interactive: false,
      });
      elements.push(...body); // its header says its number
    }
    elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'axis.show', label: axisName(axis, locale).slice(0, 75), data: { axis: axis.id } }] });
    return cardReply({ fallbackText: title, elements });
  }

  // Point d'étape ---------------------------------------------------------------------------------

  /** `point [axe]`: the form, for an axis the person pilots (they choose when they pilot several). */
  openUpdate(actor: Actor, query: string | undefined): Reply {
    const { t, locale } = this.ctx(actor);
    if (query) {
      const axis = this.axes.axis(query);
      this.axes.checkCanPost(actor, axis.id);
      return { kind: 'form', form: updateForm(t, axis, locale) };
    }
    const axes = this.axes.postable(actor);
    if (axes.length === 0) throw new DomainError('axisUpdate.noAxis');
    if (axes.length === 1) return { kind: 'form', form: updateForm(t, axes[0], locale) };
    return cardReply(chooseUpdateAxisCard(t, axes, locale));
  }

  /** The form again, as it was filled in (a refusal is shown next to its field). */
  formAgain(actor: Actor, data: Record<string, string>, values: Record<string, string>): Form {
    const { t, locale } = this.ctx(actor);
    return updateForm(t, this.axes.axis(data.axis ?? ''), locale, values);
  }

  /** The form's submission: checked, kept as a draft, and previewed with what « Publier » will do. */
  async preview(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const axis = this.axes.axis(data.axis ?? '');
    this.axes.checkCanPost(actor, axis.id);
    const fields = parseAxisUpdate(values);
    const now = this.s.clock.now();
    const draft = await this.s.store.drafts.save(actor.person.id, JSON.stringify({ axisId: axis.id, fields }), now);
    const reach = await this.axes.reach(axis.id);
    const followers = (await this.s.store.follows.followers(axis.id)).filter((id) => id !== actor.person.id).length;
    const sample: AxisUpdate = { id: 0, axisId: axis.id, authorId: actor.person.id, ...fields, createdAt: now, reachedFollowers: reach.reaches, reactions: 0, questions: 0 };
    const lines: string[] = [];
    if (!axis.channel?.slack && !axis.channel?.teams) lines.push(t('axes.preview.noChannel'));
    if (reach.reaches) lines.push(t('axes.preview.reaches', { count: followers }));
    else {
      lines.push(t('axes.preview.throttled', { next: reach.nextAt ? formatZoned(reach.nextAt, this.s.timezone, locale) : '—' }));
      if (isOrganiser(actor.roles)) lines.push(t('axes.preview.organiserMay'));
    }
    const actions: CardAction[] = [{ kind: 'submit', verb: 'axis.publish', label: t('axes.preview.publish'), style: 'primary', data: { draft } }];
    if (!reach.reaches && isOrganiser(actor.roles)) actions.push({ kind: 'submit', verb: 'axis.publish', label: t('axes.preview.sendAnyway'), data: { draft, override: '1' } });
    const card: Card = {
      fallbackText: t('axes.preview.intro'),
      elements: [
        { type: 'context', text: t('axes.preview.intro') },
        ...updateElements(t, this.s.programme, locale, this.s.timezone, { update: sample, authorName: actor.person.displayName, interactive: false }),
        { type: 'divider' },
        { type: 'text', text: lines.join('\n') },
        { type: 'actions', actions },
      ],
    };
    return cardReply(card, { replace: true });
  }

  /** « Publier »: once per draft (pressing twice is once). */
  async publish(actor: Actor, data: Record<string, string>): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const raw = data.draft ? await this.s.store.drafts.take(data.draft, actor.person.id) : null;
    if (!raw) throw new DomainError('axisUpdate.draftExpired');
    const { axisId, fields } = JSON.parse(raw) as { axisId: string; fields: AxisUpdateFields };
    // checked again: a draft is stored text like any other
    const checked = parseAxisUpdate({ ...fields, progress: fields.progress === undefined ? undefined : String(fields.progress) });
    const update = await this.axes.publish(actor, axisId, checked, data.override === '1');
    const reached = await this.deliver(update, actor.person);
    const said = update.reachedFollowers ? t('axes.publishedFollowers', { id: update.id, count: reached }) : t('axes.publishedChannelOnly', { id: update.id });
    const card = updateCard(
      t,
      this.s.programme,
      locale,
      this.s.timezone,
      { update, authorName: actor.person.displayName, pilot: await this.figures(update), interactive: true },
      said,
    );
    return cardReply(card, { replace: true });
  }

  /** The channel post (each platform the axis has a channel on) and, when it reaches them, the followers. */
  private async deliver(update: AxisUpdate, author: Person): Promise<number> {
    const axis = this.s.programme.axes.find((a) => a.id === update.axisId);
    const now = this.s.clock.now();
    const channelLocale = this.s.defaultLocale;
    const ct = this.s.i18n.forLocale(channelLocale);
    const posts = (['slack', 'teams'] as const).flatMap((platform) => {
      const channel = axis?.channel?.[platform];
      if (!channel) return [];
      const card = updateCard(ct, this.s.programme, channelLocale, this.s.timezone, { update, authorName: author.displayName, interactive: true });
      return [
        {
          key: `${updateSource(update.id)}:channel:${platform}`,
          source: `${updateSource(update.id)}:channel`,
          platform,
          target: { kind: 'channel' as const, platform, channel },
          payload: outgoingPayload({ kind: 'card', card }),
          dueAt: now,
        },
      ];
    });
    if (posts.length) await this.s.store.outbox.enqueue(posts, now);
    let reached = 0;
    if (update.reachedFollowers) {
      const ids = (await this.s.store.follows.followers(update.axisId)).filter((id) => id !== author.id);
      const people = (await Promise.all(ids.map((id) => this.s.store.people.get(id)))).filter((p): p is Person => p !== null);
      const notices: Notice[] = people.map((person) => {
        const locale = this.localeOf(person);
        const t = this.s.i18n.forLocale(locale);
        return {
          person,
          key: `${updateSource(update.id)}:${person.id}`,
          card: updateCard(t, this.s.programme, locale, this.s.timezone, { update, authorName: author.displayName, interactive: true }),
        };
      });
      reached = people.length;
      await this.notices.queue(notices, { source: updateSource(update.id), kind: 'axisUpdates' });
    }
    this.wake();
    return reached;
  }

  // 👏 and questions -------------------------------------------------------------------------------

  /** 👏: once per person; the card pressed shows the new count. */
  async applaud(actor: Actor, data: Record<string, string>): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const r = await this.axes.react(actor, parseNumber(data.id));
    const update = { ...r.update, reactions: r.count };
    const pilot = data.view === 'pilot' && this.ownsView(actor, update) ? await this.figures(update) : undefined;
    const card = updateCard(t, this.s.programme, locale, this.s.timezone, { update, authorName: await this.nameOf(update.authorId), pilot, interactive: true });
    const said = t(r.added ? 'axes.applauded' : 'axes.alreadyApplauded', { count: r.count });
    return cardReply(card, { replace: true, note: textCard(said) });
  }

  async askForm(actor: Actor, data: Record<string, string>, values: Record<string, string> = {}): Promise<Form> {
    const update = await this.axes.get(parseNumber(data.id));
    return questionForm(this.t(actor), update.id, values);
  }

  /** The question reaches the axis's pilots (a service message), with « Répondre ». */
  async askSubmit(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Reply> {
    const { t } = this.ctx(actor);
    const { update, question } = await this.axes.ask(actor, parseNumber(data.id), values.question);
    const pilots = (await this.s.people.peopleWith('pilote', update.axisId)).filter((p) => p.id !== actor.person.id);
    const axis = this.s.programme.axes.find((a) => a.id === update.axisId);
    const notices: Notice[] = pilots.map((person) => {
      const locale = this.localeOf(person);
      const pt = this.s.i18n.forLocale(locale);
      const text = pt('axes.toPilots', { name: actor.person.displayName, id: update.id, axis: axis ? axisName(axis, locale) : update.axisId, text: question.text });
      return {
        person,
        key: `axis-question:${question.id}:${person.id}`,
        card: {
          fallbackText: text,
          elements: [
            { type: 'text', text },
            { type: 'actions', actions: [{ kind: 'submit', verb: 'axis.answer', label: pt('axes.answerButton'), data: { q: String(question.id) }, style: 'primary' }] },
          ],
        },
      };
    });
    await this.notices.queue(notices, { source: `axis-question:${question.id}`, kind: 'service' });
    return cardReply(textCard(t('axes.asked')), { replace: true });
  }

  async answerForm(actor: Actor, data: Record<string, string>, values: Record<string, string> = {}): Promise<Form> {
    const { question, update } = await this.axes.question(parseNumber(data.q));
    this.axes.checkCanPost(actor, update.axisId);
    return answerForm(this.t(actor), question, values);
  }

  /** The pilot's answer reaches the asker (a service message). */
  async answerSubmit(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Reply> {
    const { t } = this.ctx(actor);
    const { question, update } = await this.axes.answer(actor, parseNumber(data.q), values.answer);
    const asker = await this.s.store.people.get(question.askerId);
    if (asker) {
      const locale = this.localeOf(asker);
      const at = this.s.i18n.forLocale(locale);
      const axis = this.s.programme.axes.find((a) => a.id === update.axisId);
      const text = at('axes.toAsker', {
        name: actor.person.displayName,
        id: update.id,
        axis: axis ? axisName(axis, locale) : update.axisId,
        question: question.text,
        answer: question.answer ?? '',
      });
      await this.notices.queue([{ person: asker, key: `axis-answer:${question.id}:${question.answeredAt?.getTime() ?? 0}`, card: textCard(text) }], {
        source: `axis-question:${question.id}`,
        kind: 'service',
      });
    }
    return cardReply(textCard(t('axes.answerSent', { name: asker?.displayName ?? '—' })), { replace: true });
  }

  // Correction ------------------------------------------------------------------------------------

  async correctForm(actor: Actor, data: Record<string, string>, values?: Record<string, string>): Promise<Form> {
    const { t, locale } = this.ctx(actor);
    const update = await this.axes.get(parseNumber(data.id));
    if (update.authorId !== actor.person.id && !isOrganiser(actor.roles)) throw new DomainError('axisUpdate.notAuthor');
    const axis = this.axes.axis(update.axisId);
    const filled = values ?? {
      status: update.status,
      progress: update.progress === undefined ? '' : String(update.progress),
      done: update.done,
      next: update.next,
      help: update.help ?? '',
      link: update.link ?? '',
    };
    return updateForm(t, axis, locale, filled, update.id);
  }

  /** A correction: the channel posts are edited in place; followers are not told again. */
  async correctSubmit(actor: Actor, data: Record<string, string>, values: Record<string, string>): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const id = parseNumber(data.id);
    const fields = parseAxisUpdate(values);
    const update = await this.axes.correct(actor, id, fields);
    await this.editChannelPosts(update);
    const card = updateCard(
      t,
      this.s.programme,
      locale,
      this.s.timezone,
      { update, authorName: await this.nameOf(update.authorId), pilot: await this.figures(update), interactive: true },
      t('axes.corrected', { id: update.id }),
    );
    return cardReply(card, { replace: true });
  }

  /** Each recorded channel post of the update, edited in place through the outbox (one edit per correction). */
  private async editChannelPosts(update: AxisUpdate): Promise<void> {
    const posts = await this.s.store.axisUpdates.posts(update.id);
    if (posts.length === 0) return;
    const now = this.s.clock.now();
    const locale = this.s.defaultLocale;
    const t = this.s.i18n.forLocale(locale);
    const card = updateCard(t, this.s.programme, locale, this.s.timezone, { update, authorName: await this.nameOf(update.authorId), interactive: true });
    await this.s.store.outbox.enqueue(
      posts.map((p) => ({
        key: `${updateSource(update.id)}:edit:${p.platform}:${p.channel}:${update.editedAt?.getTime() ?? now.getTime()}`,
        source: `${updateSource(update.id)}:edit`,
        platform: p.platform,
        target: { kind: 'channel' as const, platform: p.platform, channel: p.channel },
        payload: outgoingPayload({ kind: 'edit', card, messageId: p.messageId }),
        dueAt: now,
      })),
      now,
    );
    this.wake();
  }
}

const CHANNEL_POST_SOURCE = /^axis-update:(\d+):channel$/;

/**
 * After a send: a channel post of an update keeps the platform's id of its message, so that a correction
 * edits it in place (the delivery engine's `onSent`).
 */
export function channelPostRecorder(store: Services['store']) {
  return async (msg: OutboxMessage, outcome: { messageId?: string }): Promise<void> => {
    const m = CHANNEL_POST_SOURCE.exec(msg.source);
    if (!m || msg.target.kind !== 'channel' || !outcome.messageId) return;
    await store.axisUpdates.recordPost({ updateId: Number(m[1]), platform: msg.target.platform, channel: msg.target.channel, messageId: outcome.messageId });
  };
}
