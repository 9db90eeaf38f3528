import { ZodError } from 'zod';
import { normaliseLocale, type Locale } from '../domain/locale';
import { DomainError, isDomainError } from '../domain/errors';
import { isEmail, type Actor, type RoleTarget } from '../domain/people-service';
import type { Translate } from '../i18n';
import { MENTION, parseCommand, ROLE_NAMES, type Command } from './commands';
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
} from './screens';
import type { Services } from './services';

/** The longest command text accepted (Slack's own limit for a slash command's text is 4,000). */
export const MAX_COMMAND_LENGTH = 4000;

/**
 * The platform-neutral conversation: a typed command or a clicked action becomes a domain call and a
 * reply. Platforms only translate their payloads into these calls and render the replies.
 */
export class Conversation {
  constructor(private readonly s: Services) {}

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

  /** A clicked button. `verb` has already been checked against the known verbs by the platform. */
  async onAction(actor: Actor, verb: string, _data: Record<string, string>, surface: Surface): Promise<Reply> {
    return this.guard(actor, async () => {
      switch (verb) {
        case 'help.show':
          return this.run(actor, { name: 'help' }, surface);
        case 'inspire.show':
          return this.run(actor, { name: 'inspire' }, surface);
        case 'role.mine':
          return this.run(actor, { name: 'role.mine' }, surface);
        default:
          return this.run(actor, { name: 'unknown', word: verb }, surface);
      }
    });
  }

  welcome(locale: Locale): Reply {
    return cardReply(welcomeCard(this.s.i18n.forLocale(locale), this.s.programme, locale));
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
