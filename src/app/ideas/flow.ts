import { chartFiles } from '../chart-files';
import { withChartImages } from '../chart-links';
import { dashboardElements } from '../figures/dashboard';
import { isOrganiser } from '../../domain/roles';
import type { CardElement } from '../../cards/model';
import { DomainError, FieldError } from '../../domain/errors';
import { hashtagsIn, IDEA_STATUSES, titleAndDescription, type Idea, type IdeaStatus } from '../../domain/ideas';
import type { IdeaFilter } from '../../domain/ideas-service';
import type { Actor } from '../../domain/people-service';
import { type Locale, pick } from '../../domain/locale';
import { findAxis } from '../../domain/programme';
import { textCard } from '../common';
import { cardReply, type Form, type Reply } from '../reply';
import type { Services } from '../services';
import { fold, numberToken } from '../words';
import { ideasCsv } from './csv';
import type { IdeaNotifier } from './notifier';
import {
  answerForm,
  axisLabel,
  chooseAxisCard,
  filterFromData,
  hideForm,
  ideaCard,
  ideaForm,
  ideaListCard,
  mergeForm,
  statusLabel,
  supportNoteCard,
  type IdeaFormValues,
} from './screens';

const STATUS_WORDS: ReadonlyMap<string, IdeaStatus> = new Map([
  ['proposee', 'proposee'],
  ['proposed', 'proposee'],
  ['etude', 'a_l_etude'],
  ['a-l-etude', 'a_l_etude'],
  ['a_l_etude', 'a_l_etude'],
  ['review', 'a_l_etude'],
  ['retenue', 'retenue'],
  ['selected', 'retenue'],
  ['test', 'en_test'],
  ['en-test', 'en_test'],
  ['en_test', 'en_test'],
  ['testing', 'en_test'],
  ['realisee', 'realisee'],
  ['done', 'realisee'],
  ['non-retenue', 'non_retenue'],
  ['non_retenue', 'non_retenue'],
  ['rejected', 'non_retenue'],
]);

export function parseStatus(word: string): IdeaStatus | undefined {
  return STATUS_WORDS.get(fold(word));
}

/** "42", "n°42", "#42" → 42; anything else is refused (about `field` when it comes from a form). */
export function parseIdeaNumber(word: string | undefined, field?: string): number {
  const n = numberToken(word);
  if (n === null) throw field ? new FieldError('idea.number.invalid', field) : new DomainError('idea.number.invalid');
  return n;
}

/** The idea conversations: proposing, browsing, supporting, answering, moderating, exporting. */
export class IdeasFlow {
  constructor(
    private readonly s: Services,
    private readonly notifier: IdeaNotifier,
  ) {}

  private ctx(actor: Actor) {
    const locale = actor.person.locale ?? this.s.defaultLocale;
    return { locale, t: this.s.i18n.forLocale(locale), programme: this.s.programme };
  }

  t(actor: Actor) {
    return this.ctx(actor).t;
  }

  /** Runs a notification without making the person wait for it; failures are logged. */
  private later(work: () => Promise<unknown>): void {
    void work().catch((e) => this.s.log.error({ err: e }, 'notification failed'));
  }

  /** The progress group an idea is credited to, by name. */
  async creditedName(idea: Idea, locale: Locale): Promise<string | undefined> {
    if (!idea.creditedTo) return undefined;
    const p = this.s.programme.communities.find((c) => c.id === idea.creditedTo);
    return p ? pick(p.name, locale) : (await this.s.store.communities.get(idea.creditedTo))?.name;
  }

  async authorName(idea: Idea): Promise<string | undefined> {
    if (idea.anonymous) return undefined;
    return (await this.s.store.people.get(idea.authorId))?.displayName;
  }

  // --- proposing -----------------------------------------------------------------------------------

  form(actor: Actor, values?: IdeaFormValues, constraint?: string): Form {
    const { t, programme, locale } = this.ctx(actor);
    return ideaForm(t, programme, locale, values, constraint);
  }

  /** The form as it was submitted. */
  formAgain(actor: Actor, values: Record<string, string>): Form {
    return this.form(actor, formValuesOf(values));
  }

  /** `/ensemble idee <texte>`: the axis comes from a hashtag, or is asked with one button per axis. */
  async quick(actor: Actor, text: string): Promise<Reply> {
    const clean = text.trim();
    if (!clean) return { kind: 'form', form: this.form(actor) };
    const { t, programme, locale } = this.ctx(actor);
    const hashtags = hashtagsIn(clean);
    const axis = hashtags.map((h) => findAxis(programme, h)).find((a) => a !== undefined);
    const { title, description } = titleAndDescription(clean);
    if (!axis) {
      this.s.ideas.checkText(title, description);
      const draft = await this.s.store.drafts.save(actor.person.id, JSON.stringify({ text: clean }), this.s.clock.now());
      return cardReply(chooseAxisCard(t, programme, locale, draft, title));
    }
    return this.propose(actor, { title, description, axis: axis.id, hashtags, anonymous: false });
  }

  async quickAxis(actor: Actor, data: Record<string, string>): Promise<Reply> {
    const raw = data.draft ? await this.s.store.drafts.take(data.draft, actor.person.id) : null;
    if (!raw) throw new DomainError('idea.draft.expired');
    const { text } = JSON.parse(raw) as { text: string };
    const { title, description } = titleAndDescription(text);
    try {
      const reply = await this.propose(actor, { title, description, axis: data.axis ?? '', hashtags: hashtagsIn(text), anonymous: false });
      return reply.kind === 'card' ? { ...reply, replace: true } : reply;
    } catch (e) {
      // nothing lost: the draft is kept for another try
      await this.s.store.drafts.save(actor.person.id, raw, this.s.clock.now());
      throw e;
    }
  }

  /** The form's submission. A refusal comes back as a field error, shown next to its field. */
  async submit(actor: Actor, values: Record<string, string>): Promise<Reply> {
    const hashtags = [
      ...(values.hashtags ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
      ...(values.other ?? '')
        .split(/[\s,]+/)
        .map((h) => h.trim())
        .filter(Boolean),
    ];
    return this.propose(actor, {
      title: values.title ?? '',
      description: values.description ?? '',
      axis: values.axis ?? '',
      hashtags,
      anonymous: values.anonymous === 'true',
    });
  }

  inspireForm(actor: Actor, values: Record<string, string>): Reply {
    const { programme, locale } = this.ctx(actor);
    const c = programme.constraints[Math.min(programme.constraints.length - 1, Math.floor(this.s.random() * programme.constraints.length))];
    const constraint = locale === 'en' && c.en ? c.en : c.fr;
    return { kind: 'form', form: this.form(actor, formValuesOf(values), constraint) };
  }

  private async propose(actor: Actor, input: { title: string; description: string; axis: string; hashtags: string[]; anonymous: boolean }): Promise<Reply> {
    const idea = await this.s.ideas.propose(actor, input);
    const { t, programme, locale } = this.ctx(actor);
    this.later(() => this.notifier.proposed(idea, actor.person));
    const intro = [t('ideas.proposed', { id: idea.id, axis: axisLabel(programme, idea.axisId, locale) }), idea.anonymous ? t('ideas.proposedAnonymous') : '']
      .filter(Boolean)
      .join(' ');
    const card = ideaCard(
      t,
      programme,
      locale,
      { idea, authorName: idea.anonymous ? undefined : actor.person.displayName, supported: false, canModerate: this.s.ideas.canModerate(actor, idea) },
      intro,
    );
    return cardReply(card);
  }

  // --- browsing and supporting ---------------------------------------------------------------------

  /** `idees [top|recentes|miennes|<axe>|#hashtag] [page]` */
  parseFilter(args: string[]): { filter: IdeaFilter; page: number } {
    let filter: IdeaFilter = { kind: 'top' };
    let page = 1;
    for (const arg of args) {
      const w = fold(arg);
      if (/^\d+$/.test(w) && args.length > 1 && arg === args[args.length - 1] && filter.kind !== 'top') page = Number(w);
      else if (['top', 'populaires', 'soutenues'].includes(w)) filter = { kind: 'top' };
      else if (['recentes', 'recent', 'nouvelles', 'new', 'latest'].includes(w)) filter = { kind: 'recent' };
      else if (['miennes', 'mine', 'mes', 'moi'].includes(w)) filter = { kind: 'mine' };
      else if (arg.startsWith('#')) {
        // hashtags keep their accents: #sobriété is not #sobriete
        const tag = arg.toLowerCase();
        if (!/^#[\p{L}\p{N}_-]{1,40}$/u.test(tag)) throw new DomainError('idea.hashtags.invalid', { max: 10 });
        filter = { kind: 'hashtag', hashtag: tag.slice(1) };
      } else {
        const axis = findAxis(this.s.programme, arg);
        if (!axis) throw new DomainError('axis.unknown', { axis: arg.slice(0, 60), axes: this.s.programme.axes.map((a) => a.id).join(', ') });
        filter = { kind: 'axis', axisId: axis.id };
      }
    }
    return { filter, page };
  }

  async list(actor: Actor, filter: IdeaFilter, page: number, replace = false): Promise<Reply> {
    const { t, programme, locale } = this.ctx(actor);
    const result = await this.s.ideas.list(actor, filter, page);
    const names = new Map<string, string>();
    for (const idea of result.items) {
      if (!idea.anonymous && !names.has(idea.authorId)) {
        const p = await this.s.store.people.get(idea.authorId);
        if (p) names.set(idea.authorId, p.displayName);
      }
    }
    return cardReply(ideaListCard(t, programme, locale, result, names), { replace });
  }

  async listFromData(actor: Actor, data: Record<string, string>, replace: boolean): Promise<Reply> {
    const filter = filterFromData(data);
    if (filter.kind === 'axis' && !findAxis(this.s.programme, filter.axisId))
      throw new DomainError('axis.unknown', { axis: filter.axisId.slice(0, 60), axes: this.s.programme.axes.map((a) => a.id).join(', ') });
    return this.list(actor, filter, Number(data.p ?? '1') || 1, replace);
  }

  async view(actor: Actor, id: number, replace = false): Promise<Reply> {
    const idea = await this.s.ideas.visible(id);
    const { t, programme, locale } = this.ctx(actor);
    const supported = await this.s.ideas.supports(actor, id);
    return cardReply(
      ideaCard(t, programme, locale, {
        idea,
        authorName: await this.authorName(idea),
        creditedName: await this.creditedName(idea, locale),
        supported,
        canModerate: this.s.ideas.canModerate(actor, idea),
      }),
      { replace },
    );
  }

  /**
   * A click on « Soutenir » or « Retirer mon soutien »: each button says what it does, and pressing it
   * twice is pressing it once. The card it came from is drawn again; on a card many people see (a
   * channel post) the clicker alone also gets a note, with the opposite button.
   */
  async supportClick(actor: Actor, data: Record<string, string>, support: boolean): Promise<Reply> {
    const id = parseIdeaNumber(data.id);
    const { idea } = support ? await this.s.ideas.support(actor, id) : await this.s.ideas.withdraw(actor, id);
    const { t, programme, locale } = this.ctx(actor);
    const note = supportNoteCard(t, id, support);
    if (data.view === 'note') return cardReply(note, { replace: true });
    if (data.view === 'list') return { ...(await this.listFromData(actor, data, true)), note } as Reply;
    if (data.view === 'shared')
      return cardReply(ideaCard(t, programme, locale, { idea, authorName: await this.authorName(idea), creditedName: await this.creditedName(idea, locale), canModerate: false }), {
        replace: true,
        note,
      });
    return cardReply(
      ideaCard(t, programme, locale, {
        idea,
        authorName: await this.authorName(idea),
        creditedName: await this.creditedName(idea, locale),
        supported: support,
        canModerate: this.s.ideas.canModerate(actor, idea),
      }),
      {
        replace: true,
        note,
      },
    );
  }

  /** `soutenir 42`: an explicit support, never a withdrawal. */
  async support(actor: Actor, id: number): Promise<Reply> {
    await this.s.ideas.support(actor, id);
    const reply = await this.view(actor, id);
    return reply.kind === 'card' ? { ...reply, note: supportNoteCard(this.ctx(actor).t, id, true) } : reply;
  }

  // --- answering and moderating ---------------------------------------------------------------------

  async answerForm(actor: Actor, id: number, values: Record<string, string> = {}): Promise<Form> {
    return answerForm(this.ctx(actor).t, await this.s.ideas.moderatable(actor, id), values);
  }

  async answer(actor: Actor, id: number, statusWord: string, text: string | undefined): Promise<Reply> {
    const { t } = this.ctx(actor);
    const status = parseStatus(statusWord);
    if (!status) {
      throw new FieldError('idea.status.unknown', 'status', { status: statusWord.slice(0, 30), statuses: IDEA_STATUSES.map((s) => statusLabel(t, s)).join(', ') });
    }
    const { idea, previous } = await this.s.ideas.answer(actor, id, status, text);
    await this.s.audit.record(actor.person.id, 'idea.status', `idea:${id}`, { from: previous, to: idea.status });
    const followers = (await this.s.ideas.followers(idea)).filter((p) => p.id !== actor.person.id).length;
    this.later(() => this.notifier.statusChanged(idea, actor));
    return cardReply(textCard(t('ideas.statusChangedDone', { id, status: statusLabel(t, idea.status), count: followers })), { replace: false });
  }

  async hideForm(actor: Actor, id: number, values: Record<string, string> = {}): Promise<Form> {
    return hideForm(this.ctx(actor).t, await this.s.ideas.moderatable(actor, id), values);
  }

  async hide(actor: Actor, id: number, reason: string): Promise<Reply> {
    const idea = await this.s.ideas.hide(actor, id, reason);
    await this.s.audit.record(actor.person.id, 'idea.hide', `idea:${id}`);
    this.later(() => this.notifier.hidden(idea));
    return cardReply(textCard(this.ctx(actor).t('ideas.hiddenDone', { id })));
  }

  async mergeForm(actor: Actor, id: number, values: Record<string, string> = {}): Promise<Form> {
    return mergeForm(this.ctx(actor).t, await this.s.ideas.moderatable(actor, id), values);
  }

  async merge(actor: Actor, fromId: number, intoId: number): Promise<Reply> {
    const { from, into } = await this.s.ideas.merge(actor, fromId, intoId);
    await this.s.audit.record(actor.person.id, 'idea.merge', `idea:${from.id}`, { into: into.id });
    this.later(() => this.notifier.merged(from, into, actor));
    return cardReply(textCard(this.ctx(actor).t('ideas.mergedDone', { from: from.id, into: into.id, count: into.supportCount })));
  }

  // --- figures and export ---------------------------------------------------------------------------

  /** The three most supported ideas of each axis. */
  async figures(actor: Actor): Promise<Reply> {
    const { t, programme, locale } = this.ctx(actor);
    const byAxis = await this.s.ideas.topByAxis(3);
    const elements: CardElement[] = [{ type: 'header', text: t('ideas.figuresTitle') }];
    // organisers see the programme's dashboard, a pilot their axis's
    const piloted = actor.roles.find((r) => r.role === 'pilote')?.axisId;
    const organiser = isOrganiser(actor.roles);
    if (organiser || piloted) {
      elements.push(...(await dashboardElements(this.s, t, locale, organiser ? undefined : piloted)), { type: 'divider' });
    }
    for (const { axisId, ideas } of byAxis) {
      const lines = ideas.length
        ? ideas.map((i) => `${t('ideas.number', { id: i.id })} · ${i.title} — ${t('ideas.supports', { count: i.supportCount })}`).join('\n')
        : t('ideas.figuresNone');
      elements.push({ type: 'text', text: `**${t('ideas.axis')} ${axisLabel(programme, axisId, locale)}**\n${lines}` });
      elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'idea.list', label: t('ideas.listButton'), data: { f: 'axis', v: axisId, p: '1', replace: 'false' } }] });
    }
    if (this.s.ideas.canExport(actor)) elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'idea.export', label: t('ideas.exportButton') }] });
    const card = { fallbackText: t('ideas.figuresTitle'), elements };
    // Slack draws no chart: the first one goes as a PNG with the message (Teams draws them in the card)
    if (actor.person.platform !== 'slack') return cardReply(await withChartImages(this.s, card));
    const [file] = await chartFiles(card, locale, t('figures.chartComment'), 1);
    return file ? { kind: 'card', card, file } : cardReply(card);
  }

  async export(actor: Actor): Promise<Reply> {
    const ideas = await this.s.ideas.exportAll(actor);
    const names = new Map<string, string>();
    for (const i of ideas) {
      if (i.anonymous || names.has(i.authorId)) continue;
      const p = await this.s.store.people.get(i.authorId);
      if (p) names.set(i.authorId, p.displayName);
    }
    const { t } = this.ctx(actor);
    await this.s.audit.record(actor.person.id, 'export.ideas', 'ideas', { count: ideas.length });
    const date = new Intl.DateTimeFormat('sv-SE', { timeZone: this.s.timezone }).format(this.s.clock.now());
    return {
      kind: 'file',
      file: {
        name: `idees-${date}.csv`,
        mime: 'text/csv',
        content: ideasCsv(ideas, names, this.s.programme, t, this.s.timezone),
        comment: t('ideas.exportReady', { count: ideas.length }),
      },
    };
  }
}

function formValuesOf(values: Record<string, string>): IdeaFormValues {
  return {
    title: values.title,
    description: values.description,
    axis: values.axis,
    hashtags: values.hashtags,
    other: values.other,
    anonymous: values.anonymous === 'true',
  };
}
