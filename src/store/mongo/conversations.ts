import type { Collection, Db } from 'mongodb';
import type { Platform } from '../../domain/people';
import type { ConversationRef, ConversationRepository } from '../../domain/ports';

export interface ConversationDoc {
  /** `<platform>:<id>` */
  _id: string;
  platform: Platform;
  id: string;
  serviceUrl: string;
  tenantId: string;
  teamId?: string;
  name?: string;
  updatedAt: Date;
}

export class MongoConversations implements ConversationRepository {
  private readonly col: Collection<ConversationDoc>;

  constructor(db: Db) {
    this.col = db.collection<ConversationDoc>('conversations');
  }

  async record(ref: ConversationRef, at: Date): Promise<void> {
    const set: Partial<ConversationDoc> = { platform: ref.platform, id: ref.id, serviceUrl: ref.serviceUrl, tenantId: ref.tenantId, updatedAt: at };
    if (ref.teamId) set.teamId = ref.teamId;
    if (ref.name) set.name = ref.name;
    await this.col.updateOne({ _id: `${ref.platform}:${ref.id}` }, { $set: set }, { upsert: true }).catch(async (e: { code?: number }) => {
      // two first activities of a channel at once: the other one created it
      if (e.code !== 11000) throw e;
      await this.col.updateOne({ _id: `${ref.platform}:${ref.id}` }, { $set: set });
    });
  }

  async get(platform: Platform, id: string): Promise<ConversationRef | null> {
    const d = await this.col.findOne({ _id: `${platform}:${id}` });
    if (!d) return null;
    const ref: ConversationRef = { platform: d.platform, id: d.id, serviceUrl: d.serviceUrl, tenantId: d.tenantId };
    if (d.teamId) ref.teamId = d.teamId;
    if (d.name) ref.name = d.name;
    return ref;
  }
}
