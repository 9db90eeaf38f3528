import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Locale } from '../../domain/locale';
import type { Contact, Person, Platform, TeamsConversationRef } from '../../domain/people';
import { personId, tenantPrefix } from '../../domain/people';
import type { PeopleRepository } from '../../domain/ports';

export interface PersonRow {
  id: string;
  platform: 'slack' | 'teams';
  tenant: string;
  user: string;
  display_name: string;
  email: string | null;
  locale: string | null;
  /** The language the person chose in their preferences (wins over the platform's). */
  chosen_locale?: string | null;
  teams_ref: string | null;
  first_seen_at: number;
  last_seen_at: number;
  unreachable_reason?: string | null;
  unreachable_at?: number | null;
}

export function rowToPerson(r: PersonRow): Person {
  return {
    id: r.id,
    platform: r.platform,
    tenant: r.tenant,
    user: r.user,
    displayName: r.display_name,
    email: r.email ?? undefined,
    locale: ((r.chosen_locale ?? r.locale) as Locale | null) ?? undefined,
    platformLocale: (r.locale as Locale | null) ?? undefined,
    teams: r.teams_ref ? (JSON.parse(r.teams_ref) as TeamsConversationRef) : undefined,
    firstSeenAt: new Date(r.first_seen_at),
    lastSeenAt: new Date(r.last_seen_at),
    ...(r.unreachable_reason ? { unreachable: { reason: r.unreachable_reason, at: new Date(Number(r.unreachable_at ?? 0)) } } : {}),
  };
}

export class SqlitePeople implements PeopleRepository {
  private readonly upsert: StatementSync;
  private readonly byId: StatementSync;
  private readonly byEmail: StatementSync;
  private readonly byTeamsUser: StatementSync;
  private readonly countAll: StatementSync;
  private readonly everyone: StatementSync;
  private readonly pageAfter: StatementSync;
  private readonly unreachable: StatementSync;
  private readonly tenantUnreachable: StatementSync;

  constructor(db: DatabaseSync) {
    this.upsert = db.prepare(`
      INSERT INTO people (id, platform, tenant, user, display_name, email, locale, teams_ref, teams_user_id, first_seen_at, last_seen_at)
      VALUES (:id, :platform, :tenant, :user, COALESCE(:display_name, :user), :email, :locale, :teams_ref, :teams_user_id, :at, :at)
      ON CONFLICT (id) DO UPDATE SET
        display_name = COALESCE(:display_name, display_name),
        email = COALESCE(:email, email),
        locale = COALESCE(:locale, locale),
        teams_ref = COALESCE(:teams_ref, teams_ref),
        teams_user_id = COALESCE(:teams_user_id, teams_user_id),
        last_seen_at = MAX(last_seen_at, :at),
        unreachable_reason = NULL,
        unreachable_at = NULL
      RETURNING *`);
    this.byId = db.prepare('SELECT * FROM people WHERE id = ?');
    this.byEmail = db.prepare('SELECT * FROM people WHERE email = ? ORDER BY id');
    this.byTeamsUser = db.prepare('SELECT * FROM people WHERE teams_user_id = ? ORDER BY last_seen_at DESC LIMIT 1');
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM people');
    this.everyone = db.prepare('SELECT * FROM people ORDER BY id');
    this.pageAfter = db.prepare('SELECT * FROM people WHERE id > ? ORDER BY id LIMIT ?');
    this.unreachable = db.prepare('UPDATE people SET unreachable_reason = ?, unreachable_at = ? WHERE id = ?');
    this.tenantUnreachable = db.prepare('UPDATE people SET unreachable_reason = :reason, unreachable_at = :at WHERE substr(id, 1, length(:prefix)) = :prefix RETURNING id');
  }

  async record(contact: Contact, at: Date): Promise<Person> {
    const row = this.upsert.get({
      id: personId(contact),
      platform: contact.platform,
      tenant: contact.tenant,
      user: contact.user,
      display_name: contact.displayName ?? null,
      email: contact.email?.toLowerCase() ?? null,
      locale: contact.locale ?? null,
      teams_ref: contact.teams ? JSON.stringify(contact.teams) : null,
      teams_user_id: contact.teams?.userId ?? null,
      at: at.getTime(),
    }) as unknown as PersonRow;
    return rowToPerson(row);
  }

  async get(id: string): Promise<Person | null> {
    const row = this.byId.get(id) as unknown as PersonRow | undefined;
    return row ? rowToPerson(row) : null;
  }

  async findByEmail(email: string): Promise<Person[]> {
    return (this.byEmail.all(email.toLowerCase()) as unknown as PersonRow[]).map(rowToPerson);
  }

  async findByTeamsUserId(teamsUserId: string): Promise<Person | null> {
    const row = this.byTeamsUser.get(teamsUserId) as unknown as PersonRow | undefined;
    return row ? rowToPerson(row) : null;
  }

  async all(): Promise<Person[]> {
    return (this.everyone.all() as unknown as PersonRow[]).map(rowToPerson);
  }

  async page(after: string | null, limit: number): Promise<Person[]> {
    return (this.pageAfter.all(after ?? '', limit) as unknown as PersonRow[]).map(rowToPerson);
  }

  async markUnreachable(id: string, reason: string, at: Date): Promise<boolean> {
    return Number(this.unreachable.run(reason, at.getTime(), id).changes) > 0;
  }

  async markTenantUnreachable(platform: Platform, tenant: string, reason: string, at: Date): Promise<string[]> {
    return (this.tenantUnreachable.all({ reason, at: at.getTime(), prefix: tenantPrefix(platform, tenant) }) as Array<{ id: string }>).map((r) => r.id).sort();
  }

  async count(): Promise<number> {
    return Number((this.countAll.get() as { n: number }).n);
  }
}
