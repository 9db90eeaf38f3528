import { DomainError } from '../../domain/errors';
import { isEmail, type Actor, type RoleTarget } from '../../domain/people-service';
import type { RoleName } from '../../domain/roles';
import { textCard, type Surface } from '../common';
import { cardReply, type Reply } from '../reply';
import { feature } from '../routes';
import type { Services } from '../services';
import { fold, MENTION } from '../words';
import { describeRole, describeRoles, inspireCard, roleHoldersCard } from './screens';

/** The role names the `role` command understands. */
export const ROLE_NAMES: ReadonlyMap<string, RoleName> = new Map([
  ['pilote', 'pilote'],
  ['pilot', 'pilote'],
  ['organisateur', 'organisateur'],
  ['organisatrice', 'organisateur'],
  ['organiser', 'organisateur'],
  ['organizer', 'organisateur'],
]);

export interface HelpDeps {
  s: Services;
  /** The menu, built from every feature's routes. */
  menu(actor: Actor, surface: Surface): Reply;
}

/** The menu, creative constraints, and roles. */
export function helpFeature({ s, menu }: HelpDeps) {
  const t = (actor: Actor) => s.i18n.forLocale(actor.person.locale ?? s.defaultLocale);
  const locale = (actor: Actor) => actor.person.locale ?? s.defaultLocale;
  const inspire = (actor: Actor) => cardReply(inspireCard(t(actor), s.programme, locale(actor), s.random));
  const mine = (actor: Actor) => cardReply(textCard(t(actor)('roles.mine', { roles: describeRoles(t(actor), s.programme, actor.roles, locale(actor)) })));
  const usage = (actor: Actor) => cardReply(textCard(t(actor)('roles.usage')));

  async function resolveTarget(token: string): Promise<RoleTarget> {
    const m = MENTION.exec(token);
    if (m) {
      const person = m[1] && m[1] !== '?' ? await s.store.people.get(m[1]) : null;
      if (!person) throw new DomainError('role.unknownPerson');
      return { kind: 'person', person };
    }
    const email = token.replace(/^mailto:/i, '').replace(/^<|>$/g, '');
    if (isEmail(email)) return { kind: 'email', email: email.toLowerCase() };
    throw new DomainError('role.unknownPerson');
  }

  /** `role ajouter|retirer <@personne|e-mail> <pilote|organisateur> [axe]` */
  async function change(actor: Actor, grant: boolean, args: string[]): Promise<Reply> {
    if (args.length < 2 || args.length > 3) return usage(actor);
    const [who, roleWord, axis] = args;
    const roleName = ROLE_NAMES.get(fold(roleWord));
    if (!roleName) throw new DomainError('role.unknownRole', { role: roleWord.slice(0, 40) });
    const target = await resolveTarget(who);
    const role = grant ? await s.people.grant(actor, target, roleName, axis) : await s.people.revoke(actor, target, roleName, axis);
    const subject = target.kind === 'person' ? `person:${target.person.id}` : `email:${target.email}`;
    await s.audit.record(actor.person.id, grant ? 'role.grant' : 'role.revoke', subject, { role: role.role, ...(role.role === 'pilote' ? { axis: role.axisId } : {}) });
    const name = target.kind === 'person' ? target.person.displayName : target.email;
    return cardReply(textCard(t(actor)(grant ? 'roles.granted' : 'roles.revoked', { who: name, role: describeRole(t(actor), s.programme, role, locale(actor)) })));
  }

  return feature({
    name: 'help',
    commands: [
      { id: 'help', words: { fr: ['aide', 'menu', '?', 'bonjour'], en: ['help', 'hello'] }, help: 'everyone', run: ({ actor, surface }) => menu(actor, surface) },
      {
        id: 'inspire',
        words: { fr: ['inspire-moi', 'inspiremoi', 'inspiration', 'contrainte'], en: ['inspire-me', 'inspire'] },
        help: 'everyone',
        run: ({ actor }) => inspire(actor),
      },
      {
        id: 'role',
        words: { fr: ['role', 'roles'], en: ['role', 'roles'] },
        help: 'everyone',
        sub: [
          {
            words: { fr: ['liste', 'lister'], en: ['list'] },
            run: async ({ actor }) => cardReply(roleHoldersCard(t(actor), s.programme, await s.people.holders(actor), locale(actor))),
          },
          { words: { fr: ['ajouter', 'donner'], en: ['add', 'grant'] }, run: ({ actor, args }) => change(actor, true, args) },
          { words: { fr: ['retirer', 'enlever'], en: ['remove', 'revoke'] }, run: ({ actor, args }) => change(actor, false, args) },
        ],
        run: ({ actor, args }) => (args.length === 0 ? mine(actor) : usage(actor)),
      },
    ],
    actions: {
      'help.show': { run: ({ actor, surface }) => menu(actor, surface) },
      'inspire.show': { run: ({ actor }) => inspire(actor) },
      'role.mine': { run: ({ actor }) => mine(actor) },
    },
  });
}
