import type { Idea } from '../../domain/ideas';
import type { Person } from '../../domain/people';
import type { Actor } from '../../domain/people-service';
import { axisLabel, ideaCard, statusLabel } from './screens';
import type { Messenger } from '../messenger';
import type { Services } from '../services';

/**
 * Tells people about ideas, each on their own platform and in their own language: pilots of a new idea's
 * axis, the axis channel, and the author and supporters of each change. Sending failures are logged and
 * never undo what was decided.
 */
export class IdeaNotifier {
  constructor(
    private readonly s: Services,
    private readonly messenger: Messenger,
  ) {}

  private locale(p: Person) {
    return p.locale ?? this.s.defaultLocale;
  }

  private async send(person: Person, build: (p: Person) => ReturnType<typeof ideaCard>): Promise<boolean> {
    try {
      return await this.messenger.toPerson(person, build(person));
    } catch (e) {
      this.s.log.warn({ person: person.id, error: (e as Error).message }, 'notification failed');
      return false;
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
    for (const pilot of pilots) {
      await this.send(pilot, (p) => {
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
  }

  /** Returns how many people were told. */
  async statusChanged(idea: Idea, by: Actor): Promise<number> {
    const followers = await this.s.ideas.followers(idea);
    const supporters = new Set(await this.s.store.ideas.supporters(idea.id));
    const author = await this.s.store.people.get(idea.authorId);
    let n = 0;
    for (const person of followers) {
      if (person.id === by.person.id) continue;
      const ok = await this.send(person, (p) => {
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
      if (ok) n++;
    }
    return n;
  }

  async hidden(idea: Idea): Promise<void> {
    const author = await this.s.store.people.get(idea.authorId);
    if (!author) return;
    const t = this.s.i18n.forLocale(this.locale(author));
    const text = t('ideas.hiddenNotice', { id: idea.id, title: idea.title, reason: idea.hidden?.reason ?? '' });
    await this.send(author, () => ({ fallbackText: text, elements: [{ type: 'text', text }] }));
  }

  async merged(from: Idea, into: Idea, by: Actor): Promise<void> {
    const people = new Map<string, Person>();
    for (const p of await this.s.ideas.followers(into)) people.set(p.id, p);
    const fromAuthor = await this.s.store.people.get(from.authorId);
    if (fromAuthor) people.set(fromAuthor.id, fromAuthor);
    for (const person of people.values()) {
      if (person.id === by.person.id) continue;
      const t = this.s.i18n.forLocale(this.locale(person));
      const text = t('ideas.mergedNotice', { from: from.id, title: from.title, into: into.id, intoTitle: into.title });
      await this.send(person, () => ({
        fallbackText: text,
        elements: [
          { type: 'text', text },
          { type: 'actions', actions: [{ kind: 'submit', verb: 'idea.view', label: t('ideas.viewButton'), data: { id: String(into.id) } }] },
        ],
      }));
    }
  }
}
