import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Platform } from '../../domain/people';
import type { ConversationRef, ConversationRepository } from '../../domain/ports';

interface Row {
  platform: Platform;
  id: string;
  service_url: string;
  tenant_id: string;
  team_id: string | null;
  name: string | null;
}

export class SqliteConversations implements ConversationRepository {
  private readonly upsert: StatementSync;
  private readonly one: StatementSync;

  constructor(db: DatabaseSync) {
    this.upsert = db.prepare(
      `INSERT INTO conversations (platform, id, service_url, tenant_id, team_id, name, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (platform, id) DO UPDATE SET service_url = excluded.service_url, tenant_id = excluded.tenant_id,
         team_id = COALESCE(excluded.team_id, conversations.team_id), name = COALESCE(excluded.name, conversations.name), updated_at = excluded.updated_at`,
    );
    this.one = db.prepare('SELECT * FROM conversations WHERE platform = ? AND id = ?');
  }

  async record(ref: ConversationRef, at: Date): Promise<void> {
    this.upsert.run(ref.platform, ref.id, ref.serviceUrl, ref.tenantId, ref.teamId ?? null, ref.name ?? null, at.getTime());
  }

  async get(platform: Platform, id: string): Promise<ConversationRef | null> {
    const r = this.one.get(platform, id) as Row | undefined;
    if (!r) return null;
    const ref: ConversationRef = { platform: r.platform, id: r.id, serviceUrl: r.service_url, tenantId: r.tenant_id };
    if (r.team_id !== null) ref.teamId = r.team_id;
    if (r.name !== null) ref.name = r.name;
    return ref;
  }
}
