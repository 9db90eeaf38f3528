import { canonicalGuid, type Person } from './people';
import type { Programme } from './programme';

export type RoleName = 'pilote' | 'organisateur';

/** A role held by a person: organiser, or pilot of one axis. Everyone is an agent. */
export interface Role {
  role: RoleName;
  /** Only for pilots. */
  axisId?: string;
}

/**
 * A role decision recorded in chat. `subject` is a person id (`slack:T/U`, `teams:tenant/aad`) or an
 * e-mail (`email:x@y`). `active: false` is a revocation: it also cancels the same role from the programme file.
 */
export interface RoleAssignment extends Role {
  subject: string;
  active: boolean;
  by: string;
  at: Date;
}

export function roleKey(r: Role): string {
  return r.axisId ? `${r.role}:${r.axisId}` : r.role;
}

/** The subjects that designate this person: their platform identity, and their e-mail when known. */
export function subjectsOf(person: Pick<Person, 'id' | 'email'>): string[] {
  const subjects = [person.id];
  if (person.email) subjects.push(`email:${person.email.toLowerCase()}`);
  return subjects;
}

/** Normalises a programme-file entry ("jane@x.fr", "slack:T1/U1", "teams:tenant/aad") into a subject. */
export function subjectFromProgrammeEntry(entry: string): string {
  const e = entry.trim();
  const teams = /^teams:([^/]+)\/(.+)$/i.exec(e);
  if (teams) return `teams:${canonicalGuid(teams[1])}/${canonicalGuid(teams[2])}`;
  if (/^slack:/i.test(e)) return e.replace(/^slack:/i, 'slack:');
  if (/^email:/i.test(e)) return `email:${e.slice(6).toLowerCase()}`;
  return `email:${e.toLowerCase()}`;
}

/** Roles granted by the programme file, as assignments. */
export function programmeAssignments(programme: Programme): Array<Role & { subject: string }> {
  const out: Array<Role & { subject: string }> = [];
  for (const entry of programme.organisers) out.push({ role: 'organisateur', subject: subjectFromProgrammeEntry(entry) });
  for (const axis of programme.axes) {
    for (const entry of axis.pilots) out.push({ role: 'pilote', axisId: axis.id, subject: subjectFromProgrammeEntry(entry) });
  }
  return out;
}

/**
 * The effective roles of a person: the programme's, then the decisions recorded in chat, the latest
 * decision for a given role winning over the file.
 */
export function effectiveRoles(person: Pick<Person, 'id' | 'email'>, programme: Programme, recorded: RoleAssignment[]): Role[] {
  const subjects = new Set(subjectsOf(person));
  const state = new Map<string, Role>();
  for (const a of programmeAssignments(programme)) {
    if (subjects.has(a.subject)) state.set(roleKey(a), { role: a.role, axisId: a.axisId });
  }
  const mine = recorded.filter((r) => subjects.has(r.subject)).sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const r of mine) {
    const role: Role = r.axisId ? { role: r.role, axisId: r.axisId } : { role: r.role };
    if (r.active) state.set(roleKey(role), role);
    else state.delete(roleKey(role));
  }
  return [...state.values()].sort((a, b) => roleKey(a).localeCompare(roleKey(b)));
}

export function isOrganiser(roles: Role[]): boolean {
  return roles.some((r) => r.role === 'organisateur');
}

export function isPilotOf(roles: Role[], axisId: string): boolean {
  return roles.some((r) => r.role === 'pilote' && r.axisId === axisId);
}
