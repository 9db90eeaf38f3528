import type { Card } from '../../cards/model';
import type { Idea } from '../../domain/ideas';
import type { NotificationKind } from '../../domain/notifications';
import type { Person } from '../../domain/people';
import type { Actor } from '../../domain/people-service';
import { axisLabel, ideaCard, statusLabel } from './screens';
import type { Messenger } from '../messenger';
import type { Services } from '../services';

/**
 * Tells people about ideas, each on their own platform and in their own language: pilots of a new idea's
 * axis, the axis channel, and the author and supporters of each change. People are reached through the
 * Notices gate (their preferences: `ideaNews`; a hidden idea's author: `service`); the axis channel directly
 * (channels have no preferences). Sending failures are logged and never undo what was decided.
 */
export class IdeaNotifier {
  constructor(
    private readonly s: Services,
    private readonly messenger: Messenger,
  ) {}

  private locale(p: Person) {
    return p.locale ?? this.s.defaultLocale;
  }

  /** Queues one card per person through the gate; returns how many the preferences let through. */
  private async send(people: Person[], source: string, kind: NotificationKind, build: (p: Person) => Card): Promise<number> {
    try {
      const at = this.s.clock.now().getTime();
      return await this.s.notices.queue(
        people.map((person) => ({ person, key: `${source}:${at}:${person.id}`, card: build(person) })),
        { source, kind },
      );
    } catch (e) {
      this.s.log.warn({ people: people.length, source, error: (e as Error).message }, 'notification failed');
      return 0;
    }
  }

  async proposed(idea: Idea, author: Person): Promise<void> {
    const { programme, i18n } = this.s;
    const axis = programme.axes.find((a) => a.id === idea.axisId);
    const authorName = idea.anonymous ? undefined : author.displayName;
    if (axis?.channel) {
      const locale = this.s.defaultLocale;
      const t = i18n.forLocale(locale);
      const card = ideaCard(t, programme, locale, { idea, authorName, canModerate: false }, t('ideas.newInChannel', { axis: axisLabel(programme, idea.axisId, locale) }));
      for (const platform of ['slack', 'teams'] as const) {
        const channel = axis.channel[platform];
        if (!channel) continue;
        await this.messenger.toChannel(platform, channel, card).catch((e) => this.s.log.warn({ channel, error: (e as Error).message }, 'axis channel post failed'));
      }
    }
    const pilots = await this.s.people.peopleWith('pilote', idea.axisId);
    await this.send(pilots, `idea:${idea.id}:proposed`, 'ideaNews', (p) => {
      const locale = this.locale(p);
      const t = i18n.forLocale(locale);
      return ideaCard(
        t,
        programme,
        locale,
        { idea, authorName, supported: false, canModerate: true },
        t('ideas.newForPilots', { axis: axisLabel(programme, idea.axisId, locale) }),
      );
    });
  }

  /** Returns how many people were told. */
  async statusChanged(idea: Idea, by: Actor): Promise<number> {
    const followers = await this.s.ideas.followers(idea);
    const supporters = new Set(await this.s.store.ideas.supporters(idea.id));
    const author = await this.s.store.people.get(idea.authorId);
    const told = followers.filter((person) => person.id !== by.person.id);
    return this.send(told, `idea:${idea.id}:status:${idea.status}`, 'ideaNews', (p) => {
      const locale = this.locale(p);
      const t = this.s.i18n.forLocale(locale);
      const intro = t('ideas.statusChanged', { id: idea.id, title: idea.title, status: statusLabel(t, idea.status) });
      return ideaCard(
        t,
        this.s.programme,
        locale,
        { idea, authorName: idea.anonymous ? undefined : author?.displayName, supported: supporters.has(p.id), canModerate: false },
        intro,
      );
    });
  }

  async hidden(idea: Idea): Promise<void> {
    const author = await this.s.store.people.get(idea.authorId);
    if (!author) return;
    const t = this.s.i18n.forLocale(this.locale(author));
    const text = t('ideas.hiddenNotice', { id: idea.id, title: idea.title, reason: idea.hidden?.reason ?? '' });
    await this.send([author], `idea:${idea.id}:hidden`, 'service', () => ({ fallbackText: text, elements: [{ type: 'text', text }] }));
  }

  async merged(from: Idea, into: Idea, by: Actor): Promise<void> {
    const people = new Map<string, Person>();
    for (const p of await this.s.ideas.followers(into)) people.set(p.id, p);
    const fromAuthor = await this.s.store.people.get(from.authorId);
    if (fromAuthor) people.set(fromAuthor.id, fromAuthor);
    const told = [...people.values()].filter((person) => person.id !== by.person.id);
    await this.send(told, `idea:${from.id}:merged:${into.id}`, 'ideaNews', (person) => {
      const t = this.s.i18n.forLocale(this.locale(person));
      const text = t('ideas.mergedNotice', { from: from.id, title: from.title, into: into.id, intoTitle: into.title });
      return {
        fallbackText: text,
        elements: [
          { type: 'text', text },
          { type: 'actions', actions: [{ kind: 'submit', verb: 'idea.view', label: t('ideas.viewButton'), data: { id: String(into.id) } }] },
        ],
      };
    });
  }
}
