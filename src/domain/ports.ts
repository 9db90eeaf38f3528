import type { Contact, Person } from './people';
import type { RoleAssignment } from './roles';

/** People, once per platform identity. */
export interface PeopleRepository {
  /** Creates or refreshes a person; fields absent from the contact keep their stored value. */
  record(contact: Contact, at: Date): Promise<Person>;
  get(id: string): Promise<Person | null>;
  findByEmail(email: string): Promise<Person[]>;
  /** Teams only: the person behind a Teams user id ("29:…"), e.g. from a mention. */
  findByTeamsUserId(teamsUserId: string): Promise<Person | null>;
  count(): Promise<number>;
}

/** Role decisions taken in chat (grants and revocations). */
export interface RoleRepository {
  /** Records a decision; the latest per (subject, role, axis) is the one in force. */
  save(assignment: RoleAssignment): Promise<void>;
  forSubjects(subjects: string[]): Promise<RoleAssignment[]>;
  all(): Promise<RoleAssignment[]>;
}

export interface StoreHealth {
  ok: boolean;
  kind: 'sqlite' | 'mongodb';
  detail?: string;
}

/** Everything the domain keeps. One port, two implementations (embedded SQLite, MongoDB). */
export interface Store {
  readonly kind: 'sqlite' | 'mongodb';
  people: PeopleRepository;
  roles: RoleRepository;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** The time, injected: tests drive it. */
export interface Clock {
  now(): Date;
}
