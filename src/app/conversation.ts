import { ZodError } from 'zod';
import type { Card } from '../cards/model';
import { normaliseLocale, type Locale } from '../domain/locale';
import { DomainError, isDomainError } from '../domain/errors';
import { isEmail, type Actor, type RoleTarget } from '../domain/people-service';
import type { Translate } from '../i18n';
import { MENTION, numberToken, parseCommand, ROLE_NAMES, type Command } from './commands';
import { cardReply, type Reply } from './reply';
import {
  describeRole,
  describeRoles,
  errorCard,
  inspireCard,
  menuCard,
  roleHoldersCard,
  textCard,
  unknownCard,
  welcomeCard,
  type Surface,
} from './screens/common';
import { BroadcastFlow, parseBroadcastNumber } from './broadcast-flow';
import { EventsFlow, parseEventNumber } from './events-flow';
import { IdeaNotifier } from './idea-notifier';
import { IdeasFlow, parseIdeaNumber } from './ideas-flow';
import type { Messenger } from './messenger';
import type { Services } from './services';

/** The longest command text accepted (Slack's own limit for a slash command's text is 4,000). */
export const MAX_COMMAND_LENGTH = 4000;

/**
 * The platform-neutral conversation: a typed command or a clicked action becomes a domain call and a
 * reply. Platforms only translate their payloads into these calls and render the replies.
 */
export class Conversation {
  readonly ideas: IdeasFlow;
  readonly broadcasts: BroadcastFlow;
  readonly events: EventsFlow;
  /** Called when work is queued, so the delivery engine wakes up at once. */
  wake: () => void = () => undefined;

  constructor(
    private readonly s: Services,
    messenger: Messenger,
  ) {
    this.ideas = new IdeasFlow(s, new IdeaNotifier(s, messenger));
    this.broadcasts = new BroadcastFlow(s, s.broadcasts);
    this.events = new EventsFlow(s, s.events, messenger);
  }

  locale(actor: Actor): Locale {
    return actor.person.locale ?? this.s.defaultLocale;
  }

  t(actor: Actor): Translate {
    return this.s.i18n.forLocale(this.locale(actor));
  }

  /** A typed command: `/ensemble <text>` on Slack, a message in the Teams chat. */
  async onText(actor: Actor, text: string, surface: Surface): Promise<Reply> {
    return this.guard(actor, async () => {
      if (text.length > MAX_COMMAND_LENGTH) throw new DomainError('command.tooLong', { max: MAX_COMMAND_LENGTH });
      return this.run(actor, parseCommand(text), surface);
    });
  }

  /**
   * A clicked button or a submitted form. `verb` has been checked against the verb pattern by the
   * platform; `values` are the form's inputs when there are some.
   */
  async onAction(actor: Actor, verb: string, data: Record<string, string>, surface: Surface, values: Record<string, string> = {}): Promise<Reply> {
    return this.guard(actor, async () => {
      const ideas = this.ideas;
      switch (verb) {
        case 'help.show':
          return this.run(actor, { name: 'help' }, surface);
        case 'inspire.show':
          return this.run(actor, { name: 'inspire' }, surface);
        case 'role.mine':
          return this.run(actor, { name: 'role.mine' }, surface);
        case 'idea.new':
          return { kind: 'form', form: ideas.form(actor) };
        case 'idea.inspire':
          return ideas.inspireForm(actor, values);
        case 'idea.submit':
          return ideas.submit(actor, values);
        case 'idea.quickAxis':
          return ideas.quickAxis(actor, data);
        case 'idea.list':
          return ideas.listFromData(actor, data, data.p !== undefined && data.replace !== 'false');
        case 'idea.view':
          return ideas.view(actor, parseIdeaNumber(data.id));
        case 'idea.support':
          return ideas.toggleSupport(actor, data);
        case 'idea.answer':
          return ideas.answerForm(actor, parseIdeaNumber(data.id));
        case 'idea.answerSubmit':
          return ideas.answerSubmit(actor, data, values);
        case 'idea.hide':
          return ideas.hideForm(actor, parseIdeaNumber(data.id));
        case 'idea.hideSubmit':
          return ideas.hideSubmit(actor, data, values);
        case 'idea.merge':
          return ideas.mergeForm(actor, parseIdeaNumber(data.id));
        case 'idea.mergeSubmit':
          return ideas.mergeSubmit(actor, data, values);
        case 'idea.export':
          return ideas.export(actor);
        case 'idea.figures':
          return ideas.figures(actor);
        case 'broadcast.new':
          return this.broadcasts.open(actor);
        case 'broadcast.submit':
          return this.broadcasts.submit(actor, values);
        case 'broadcast.confirm':
          return this.broadcasts.confirm(actor, parseBroadcastNumber(data.id), () => this.wake());
        case 'broadcast.cancel':
          return this.broadcasts.cancel(actor, parseBroadcastNumber(data.id));
        case 'broadcast.report':
          return this.broadcasts.report(actor, parseBroadcastNumber(data.id));
        case 'broadcast.retry':
          return this.broadcasts.retry(actor, parseBroadcastNumber(data.id), () => this.wake());
        case 'broadcast.list':
          return this.broadcasts.list(actor);
        case 'event.agenda':
          return this.events.agenda(actor);
        case 'event.view':
          return this.events.view(actor, parseEventNumber(data.id));
        case 'event.new':
          return this.events.open(actor);
        case 'event.edit':
          return this.events.edit(actor, parseEventNumber(data.id));
        case 'event.submit': {
          const reply = await this.events.submit(actor, data, values);
          this.wake(); // an announcement is due now
          return reply;
        }
        case 'event.register':
          return this.events.register(actor, data);
        case 'event.unregister':
          return this.events.unregister(actor, data);
        case 'event.ics':
          return this.events.ics(actor, parseEventNumber(data.id));
        case 'event.registrants':
          return this.events.registrants(actor, parseEventNumber(data.id));
        case 'event.export':
          return this.events.export(actor, parseEventNumber(data.id));
        case 'event.results':
          return this.events.results(actor, parseEventNumber(data.id));
        case 'event.comments':
          return this.events.comments(actor, parseEventNumber(data.id));
        case 'event.history':
          return this.events.history(actor);
        case 'event.feedback':
          return this.events.feedback(actor, data, values);
        default:
          return this.run(actor, { name: 'unknown', word: verb }, surface);
      }
    });
  }

  welcome(locale: Locale): Reply {
    return cardReply(welcomeCard(this.s.i18n.forLocale(locale), this.s.programme, locale));
  }

  /** The Slack App Home: the menu, the next events, then the most supported ideas. */
  async home(actor: Actor, surface: Surface): Promise<Card> {
    const menu = menuCard(this.t(actor), this.s.programme, actor, this.locale(actor), surface);
    const elements = [...menu.elements];
    const next = await this.events.next(actor);
    if (next.kind === 'card') elements.push({ type: 'divider' }, ...next.card.elements);
    const top = await this.ideas.list(actor, { kind: 'top' }, 1);
    if (top.kind === 'card') elements.push({ type: 'divider' }, ...top.card.elements);
    // Slack's Home tab takes 100 blocks; the menu, three events and one page of ideas stay well below.
    return { fallbackText: menu.fallbackText, elements };
  }

  menu(actor: Actor, surface: Surface): Reply {
    return cardReply(menuCard(this.t(actor), this.s.programme, actor, this.locale(actor), surface));
  }

  /** Turns any failure into a friendly, localised reply; unexpected ones are logged. */
  async guard(actor: Actor, work: () => Promise<Reply>): Promise<Reply> {
    try {
      return await work();
    } catch (e) {
      return this.errorReply(actor, e);
    }
  }

  errorCard(actor: Actor): Card {
    const t = this.t(actor);
    return errorCard(t, t('errors.generic'));
  }

  errorReply(actor: Actor | undefined, e: unknown): Reply {
    const locale = actor ? this.locale(actor) : this.s.defaultLocale;
    const t = this.s.i18n.forLocale(locale);
    if (isDomainError(e)) return cardReply(errorCard(t, t(`errors.${e.code}`, e.params)));
    if (e instanceof ZodError) {
      const detail = e.issues.map((i) => i.message).join('; ');
      return cardReply(errorCard(t, t('errors.invalidInput', { detail })));
    }
    this.s.log.error({ err: e }, 'unexpected error while answering');
    return cardReply(errorCard(t, t('errors.generic')));
  }

  private async run(actor: Actor, cmd: Command, surface: Surface): Promise<Reply> {
    const t = this.t(actor);
    const locale = this.locale(actor);
    const { programme } = this.s;
    switch (cmd.name) {
      case 'help':
        return this.menu(actor, surface);
      case 'inspire':
        return cardReply(inspireCard(t, programme, locale, this.s.random));
      case 'role.mine':
        return cardReply(textCard(t('roles.mine', { roles: describeRoles(t, programme, actor.roles, locale) })));
      case 'role.usage':
        return cardReply(textCard(t('roles.usage')));
      case 'role.list':
        return cardReply(roleHoldersCard(t, programme, await this.s.people.holders(actor), locale));
      case 'role.grant':
      case 'role.revoke': {
        const roleName = ROLE_NAMES[cmd.role];
        if (!roleName) throw new DomainError('role.unknownRole', { role: cmd.role.slice(0, 40) });
        const target = await this.resolveTarget(cmd.target);
        const role =
          cmd.name === 'role.grant'
            ? await this.s.people.grant(actor, target, roleName, cmd.axis)
            : await this.s.people.revoke(actor, target, roleName, cmd.axis);
        const who = target.kind === 'person' ? target.person.displayName : target.email;
        const key = cmd.name === 'role.grant' ? 'roles.granted' : 'roles.revoked';
        return cardReply(textCard(t(key, { who, role: describeRole(t, programme, role, locale) })));
      }
      case 'idea.quick':
        return this.ideas.quick(actor, cmd.text);
      case 'idea.list': {
        const { filter, page } = this.ideas.parseFilter(cmd.args);
        return this.ideas.list(actor, filter, page);
      }
      case 'idea.view':
        return this.ideas.view(actor, parseIdeaNumber(cmd.id));
      case 'idea.support':
        return this.ideas.support(actor, parseIdeaNumber(cmd.id));
      case 'idea.answer':
        return this.ideas.answer(actor, parseIdeaNumber(cmd.id), cmd.status, cmd.text || undefined);
      case 'idea.hide':
        return this.ideas.hide(actor, parseIdeaNumber(cmd.id), cmd.reason);
      case 'idea.merge':
        return this.ideas.merge(actor, parseIdeaNumber(cmd.from), parseIdeaNumber(cmd.into));
      case 'idea.export':
        return this.ideas.export(actor);
      case 'idea.figures':
        return this.ideas.figures(actor);
      case 'broadcast': {
        const [sub, ...rest] = cmd.args.map((a) => a);
        const word = sub ? sub.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase() : '';
        if (!word) return this.broadcasts.open(actor);
        if (['liste', 'list'].includes(word)) return this.broadcasts.list(actor);
        if (['rapport', 'report'].includes(word)) return this.broadcasts.report(actor, parseBroadcastNumber(rest[0]));
        if (['annuler', 'cancel'].includes(word)) return this.broadcasts.cancel(actor, parseBroadcastNumber(rest[0]));
        if (['relancer', 'retry'].includes(word)) return this.broadcasts.retry(actor, parseBroadcastNumber(rest[0]), () => this.wake());
        if (['maintenant', 'now'].includes(word)) return this.broadcasts.quick(actor, cmd.rest.replace(/^\S+\s*/, ''));
        return this.broadcasts.open(actor);
      }
      case 'agenda':
        return this.events.agenda(actor);
      case 'event.register':
      case 'event.unregister': {
        if (!cmd.id) return cardReply(textCard(t('events.usage')));
        const data = { id: String(parseEventNumber(cmd.id)), c: 'shared' };
        return cmd.name === 'event.register' ? this.events.register(actor, data) : this.events.unregister(actor, data);
      }
      case 'event': {
        const [sub, ...rest] = cmd.args;
        const word = sub ? sub.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase() : '';
        if (!word) return this.events.open(actor);
        if (numberToken(sub) !== null) return this.events.view(actor, parseEventNumber(sub));
        const id = () => parseEventNumber(rest[0]);
        if (['creer', 'nouveau', 'new', 'create'].includes(word)) return this.events.open(actor);
        if (['modifier', 'edit', 'changer', 'deplacer', 'move'].includes(word)) return this.events.edit(actor, id());
        if (['annuler', 'cancel'].includes(word)) {
          const reply = await this.events.cancel(actor, id(), cmd.rest.replace(/^\S+\s+\S+\s*/, ''));
          this.wake(); // the registrants' notices are due now
          return reply;
        }
        if (['inscrits', 'registrants', 'participants'].includes(word)) return this.events.registrants(actor, id());
        if (['export', 'exporter'].includes(word)) return this.events.export(actor, id());
        if (['avis', 'resultats', 'feedback', 'results'].includes(word)) return this.events.results(actor, id());
        if (['commentaires', 'comments'].includes(word)) return this.events.comments(actor, id());
        if (['ics', 'calendrier', 'calendar'].includes(word)) return this.events.ics(actor, id());
        if (['passes', 'historique', 'past', 'history'].includes(word)) return this.events.history(actor);
        return cardReply(textCard(t('events.usage')));
      }
      case 'idea.usage':
        return cardReply(textCard(t(`ideas.usage.${cmd.usage}`)));
      case 'unknown':
        return cardReply(unknownCard(t, cmd.word, cmd.suggestion));
    }
  }

  private async resolveTarget(token: string): Promise<RoleTarget> {
    const m = MENTION.exec(token);
    if (m) {
      const person = m[1] && m[1] !== '?' ? await this.s.store.people.get(m[1]) : null;
      if (!person) throw new DomainError('role.unknownPerson');
      return { kind: 'person', person };
    }
    const email = token.replace(/^mailto:/i, '').replace(/^<|>$/g, '');
    if (isEmail(email)) return { kind: 'email', email: email.toLowerCase() };
    throw new DomainError('role.unknownPerson');
  }
}

export { normaliseLocale };
