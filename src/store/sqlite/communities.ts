import type { DatabaseSync } from 'node:sqlite';
import type { Community, CommunityKind, Membership, NewCommunity, ProgressStage, StageStep, TrainingOffer } from '../../domain/communities';
import type { CommunityRepository } from '../../domain/ports';
import { type CommunityBody, communityBody, fromCommunityBody } from '../community-codec';
import { transaction } from './transaction';

interface Row {
  id: string;
  kind: CommunityKind;
  stage: ProgressStage | null;
  created_by: string;
  created_at: number;
  data: string;
}

function fromRow(r: Row): Community {
  return fromCommunityBody({ id: r.id, kind: r.kind, stage: r.stage, createdBy: r.created_by, createdAt: new Date(Number(r.created_at)) }, JSON.parse(r.data) as CommunityBody);
}

interface OfferRow {
  id: number;
  person_id: string;
  subject: string;
  at: number;
}

const toOffer = (r: OfferRow): TrainingOffer => ({ id: Number(r.id), personId: r.person_id, subject: r.subject, at: new Date(Number(r.at)) });

export class SqliteCommunities implements CommunityRepository {
  constructor(private readonly db: DatabaseSync) {}

  async seed(communities: NewCommunity[], at: Date): Promise<number> {
    return transaction(this.db, () => {
      let added = 0;
      for (const c of communities) {
        const current = this.read(c.id);
        if (!current) {
          this.insert(c, at);
          added++;
          continue;
        }
        const merged: Community = { ...current, name: c.name, kind: c.kind, description: c.description, channel: c.channel, ...(c.problem ? { problem: c.problem } : {}) };
        const stage = merged.kind === 'groupe_progres' ? (current.stage ?? 'analyse') : null;
        this.db.prepare('UPDATE communities SET kind = ?, stage = ?, data = ? WHERE id = ?').run(merged.kind, stage, JSON.stringify(communityBody(merged)), c.id);
      }
      return added;
    });
  }

  async create(c: NewCommunity, at: Date): Promise<Community | null> {
    return transaction(this.db, () => {
      if (this.read(c.id)) return null;
      return this.insert(c, at);
    });
  }

  async get(id: string): Promise<Community | null> {
    return this.read(id);
  }

  async list(): Promise<Community[]> {
    return (this.db.prepare('SELECT * FROM communities ORDER BY seq').all() as unknown as Row[]).map(fromRow);
  }

  async join(communityId: string, personId: string, at: Date): Promise<boolean | null> {
    if (!this.read(communityId)) return null;
    const r = this.db.prepare('INSERT OR IGNORE INTO community_members (community_id, person_id, at) VALUES (?, ?, ?)').run(communityId, personId, at.getTime());
    return Number(r.changes) === 1;
  }

  async leave(communityId: string, personId: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM community_members WHERE community_id = ? AND person_id = ?').run(communityId, personId).changes) === 1;
  }

  async members(communityId: string): Promise<string[]> {
    const rows = this.db.prepare('SELECT person_id FROM community_members WHERE community_id = ? ORDER BY at, person_id').all(communityId) as Array<{ person_id: string }>;
    return rows.map((r) => r.person_id);
  }

  async counts(): Promise<Map<string, number>> {
    const rows = this.db.prepare('SELECT community_id, COUNT(*) AS n FROM community_members GROUP BY community_id').all() as Array<{ community_id: string; n: number }>;
    return new Map(rows.map((r) => [r.community_id, Number(r.n)]));
  }

  async communitiesOf(personId: string): Promise<string[]> {
    const rows = this.db.prepare('SELECT community_id FROM community_members WHERE person_id = ? ORDER BY at, community_id').all(personId) as Array<{ community_id: string }>;
    return rows.map((r) => r.community_id);
  }

  async setStage(id: string, from: ProgressStage, to: ProgressStage, by: string, at: Date): Promise<Community | null> {
    return transaction(this.db, () => {
      const r = this.db.prepare("UPDATE communities SET stage = ? WHERE id = ? AND kind = 'groupe_progres' AND stage = ?").run(to, id, from);
      if (Number(r.changes) !== 1) return null;
      this.step(id, to, by, at);
      return this.read(id);
    });
  }

  async stages(id: string): Promise<StageStep[]> {
    const rows = this.db.prepare('SELECT * FROM community_stages WHERE community_id = ? ORDER BY seq').all(id) as unknown as Array<{
      community_id: string;
      stage: ProgressStage;
      by: string;
      at: number;
    }>;
    return rows.map((s) => ({ communityId: s.community_id, stage: s.stage, by: s.by, at: new Date(Number(s.at)) }));
  }

  async addOffer(personId: string, subject: string, at: Date): Promise<TrainingOffer> {
    const r = this.db.prepare('INSERT INTO training_offers (person_id, subject, at) VALUES (?, ?, ?) RETURNING *').get(personId, subject, at.getTime()) as unknown as OfferRow;
    return toOffer(r);
  }

  async offers(limit: number): Promise<TrainingOffer[]> {
    return (this.db.prepare('SELECT * FROM training_offers ORDER BY id DESC LIMIT ?').all(limit) as unknown as OfferRow[]).map(toOffer);
  }

  async dataOf(personId: string): Promise<{ memberships: Membership[]; offers: TrainingOffer[] }> {
    const memberships = (
      this.db.prepare('SELECT community_id, at FROM community_members WHERE person_id = ? ORDER BY at, community_id').all(personId) as Array<{ community_id: string; at: number }>
    ).map((r) => ({ communityId: r.community_id, personId, at: new Date(Number(r.at)) }));
    const offers = (this.db.prepare('SELECT * FROM training_offers WHERE person_id = ? ORDER BY id').all(personId) as unknown as OfferRow[]).map(toOffer);
    return { memberships, offers };
  }

  async forget(personId: string): Promise<void> {
    transaction(this.db, () => {
      this.db.prepare('DELETE FROM community_members WHERE person_id = ?').run(personId);
      this.db.prepare('DELETE FROM training_offers WHERE person_id = ?').run(personId);
      this.db.prepare("UPDATE community_stages SET by = 'erased' WHERE by = ?").run(personId);
    });
  }

  private read(id: string): Community | null {
    const r = this.db.prepare('SELECT * FROM communities WHERE id = ?').get(id) as unknown as Row | undefined;
    return r ? fromRow(r) : null;
  }

  private insert(c: NewCommunity, at: Date): Community {
    const stage: ProgressStage | null = c.kind === 'groupe_progres' ? 'analyse' : null;
    const community: Community = { ...c, ...(stage ? { stage } : {}), createdAt: at };
    this.db
      .prepare('INSERT INTO communities (id, kind, stage, created_by, created_at, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.id, c.kind, stage, c.createdBy, at.getTime(), JSON.stringify(communityBody(community)));
    if (stage) this.step(c.id, stage, c.createdBy, at);
    return this.read(c.id) as Community;
  }

  private step(id: string, stage: ProgressStage, by: string, at: Date): void {
    const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM community_stages WHERE community_id = ?').get(id) as { n: number }).n;
    this.db.prepare('INSERT INTO community_stages (community_id, seq, stage, by, at) VALUES (?, ?, ?, ?, ?)').run(id, seq, stage, by, at.getTime());
  }
}
