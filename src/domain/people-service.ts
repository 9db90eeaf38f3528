import { DomainError } from './errors';
import { peopleText } from './people-text';
import type { Contact, Person } from './people';
import type { Clock, Store } from './ports';
import { findAxis, type Programme } from './programme';
import { effectiveRoles, isOrganiser, programmeAssignments, roleKey, subjectsOf, type Role, type RoleName } from './roles';

/** Someone acting in chat, with the roles in force at that moment. */
export interface Actor {
  person: Person;
  roles: Role[];
}

/** Who a role command is about: a known person, or an e-mail (the person may not have written yet). */
export type RoleTarget = { kind: 'person'; person: Person } | { kind: 'email'; email: string };

export interface RoleHolder {
  subject: string;
  label: string;
  roles: Role[];
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function isEmail(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}

/** People and roles: recording who writes to the bot, and organisers granting and revoking roles. */
export class PeopleService {
  constructor(
    private readonly store: Store,
    private readonly programme: Programme,
    private readonly clock: Clock,
  ) {}

  /** Records (or refreshes) the person behind a platform identity and returns them with their roles. */
  async contact(contact: Contact): Promise<Actor> {
    // a display name is people's text: shown as text, without control or bidi-override characters
    const displayName = contact.displayName === undefined ? undefined : peopleText(contact.displayName).trim() || undefined;
    const person = await this.store.people.record({ ...contact, displayName }, this.clock.now());
    return { person, roles: await this.rolesOf(person) };
  }

  async rolesOf(person: Pick<Person, 'id' | 'email'>): Promise<Role[]> {
    const recorded = await this.store.roles.forSubjects(subjectsOf(person));
    return effectiveRoles(person, this.programme, recorded);
  }

  /** Grants a role. Organisers only; a pilot role names an existing axis. */
  async grant(actor: Actor, target: RoleTarget, role: RoleName, axisQuery?: string): Promise<Role> {
    const r = this.checkRoleCommand(actor, role, axisQuery);
    const at = this.clock.now();
    await this.store.roles.save({ ...r, subject: subjectOf(target), active: true, by: actor.person.id, at });
    // a pilot follows their axis (people known by that e-mail too)
    if (r.role === 'pilote' && r.axisId) {
      const people = target.kind === 'person' ? [target.person] : await this.store.people.findByEmail(target.email.toLowerCase());
      for (const p of people) await this.store.follows.follow(p.id, r.axisId, at);
    }
    return r;
  }

  /** Revokes a role, including one given by the programme file. Organisers only; not one's own organiser role. */
  async revoke(actor: Actor, target: RoleTarget, role: RoleName, axisQuery?: string): Promise<Role> {
    const r = this.checkRoleCommand(actor, role, axisQuery);
    const subjects = await this.subjectsOfTarget(target);
    if (r.role === 'organisateur' && subjectsOf(actor.person).some((s) => subjects.includes(s))) {
      throw new DomainError('role.selfRevoke');
    }
    const current = await this.currentRolesOfTarget(target);
    if (!current.some((c) => roleKey(c) === roleKey(r))) {
      throw new DomainError('role.notHeld');
    }
    // Revoked on every subject that designates the person (id and e-mail), so no grant survives elsewhere.
    const at = this.clock.now();
    for (const subject of subjects) await this.store.roles.save({ ...r, subject, active: false, by: actor.person.id, at });
    return r;
  }

  /** Everyone holding a role, from the programme file and from chat decisions. Organisers only. */
  async holders(actor: Actor): Promise<RoleHolder[]> {
    if (!isOrganiser(actor.roles)) throw new DomainError('role.organiserOnly');
    const recorded = await this.store.roles.all();
    const subjects = new Set<string>([...programmeAssignments(this.programme).map((a) => a.subject), ...recorded.map((r) => r.subject)]);
    const out: RoleHolder[] = [];
    for (const subject of subjects) {
      const email = subject.startsWith('email:') ? subject.slice(6) : undefined;
      const person = email !== undefined ? ((await this.store.people.findByEmail(email))[0] ?? null) : await this.store.people.get(subject);
      // Roles held through this subject alone: a person's other subjects are listed on their own line.
      const roles = effectiveRoles(
        { id: subject, email },
        this.programme,
        recorded.filter((r) => r.subject === subject),
      );
      if (roles.length === 0) continue;
      const label = person ? (email !== undefined ? `${person.displayName} (${email})` : person.displayName) : (email ?? subject);
      out.push({ subject, label, roles });
    }
    return out.sort((a, b) => a.label.localeCompare(b.label));
  }

  /** People who hold a role (e.g. the pilots of an axis), from the programme file and chat decisions. */
  async peopleWith(role: RoleName, axisId?: string): Promise<Person[]> {
    const recorded = await this.store.roles.all();
    const subjects = new Set<string>([...programmeAssignments(this.programme).map((a) => a.subject), ...recorded.map((r) => r.subject)]);
    const found = new Map<string, Person>();
    for (const subject of subjects) {
      const people = subject.startsWith('email:')
        ? await this.store.people.findByEmail(subject.slice(6))
        : [await this.store.people.get(subject)].filter((p): p is Person => p !== null);
      for (const person of people) {
        if (found.has(person.id)) continue;
        const roles = await this.rolesOf(person);
        if (roles.some((r) => r.role === role && (role !== 'pilote' || r.axisId === axisId))) found.set(person.id, person);
      }
    }
    return [...found.values()];
  }

  /** Every subject that designates the target: a person's id and e-mail; an e-mail and the people known by it. */
  private async subjectsOfTarget(target: RoleTarget): Promise<string[]> {
    if (target.kind === 'person') return subjectsOf(target.person);
    const email = target.email.toLowerCase();
    const people = await this.store.people.findByEmail(email);
    return [...new Set([`email:${email}`, ...people.map((p) => p.id)])];
  }

  private async currentRolesOfTarget(target: RoleTarget): Promise<Role[]> {
    if (target.kind === 'person') return this.rolesOf(target.person);
    const email = target.email.toLowerCase();
    const roles = new Map<string, Role>();
    for (const r of await this.rolesOf({ id: `email:${email}`, email })) roles.set(roleKey(r), r);
    for (const p of await this.store.people.findByEmail(email)) for (const r of await this.rolesOf(p)) roles.set(roleKey(r), r);
    return [...roles.values()];
  }

  private checkRoleCommand(actor: Actor, role: RoleName, axisQuery?: string): Role {
    if (!isOrganiser(actor.roles)) throw new DomainError('role.organiserOnly');
    if (role === 'organisateur') {
      if (axisQuery) throw new DomainError('role.noAxisForOrganiser');
      return { role };
    }
    if (!axisQuery) throw new DomainError('role.axisRequired', { axes: this.programme.axes.map((a) => a.id).join(', ') });
    const axis = findAxis(this.programme, axisQuery);
    if (!axis) throw new DomainError('axis.unknown', { axis: axisQuery, axes: this.programme.axes.map((a) => a.id).join(', ') });
    return { role, axisId: axis.id };
  }
}

function subjectOf(target: RoleTarget): string {
  return target.kind === 'person' ? target.person.id : `email:${target.email.toLowerCase()}`;
}
