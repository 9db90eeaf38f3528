import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Community, CommunityKind, Membership, NewCommunity, ProgressStage, StageStep, TrainingOffer } from '../../domain/communities';
import type { CommunityRepository } from '../../domain/ports';
import { type CommunityBody, communityBody, fromCommunityBody } from '../community-codec';
import { createIndexes, isDuplicateKey, nextSeq } from './compat';
import type { Serializer } from './serial';

type CommunityDoc = CommunityBody & {
  /** The community's id: unique on every server, FerretDB 1.x included. */
  _id: string;
  seq: number;
  kind: CommunityKind;
  stage: ProgressStage | null;
  createdBy: string;
  createdAt: Date;
};

/** One document per community and person; `_id` is both, so that a second join is a duplicate key. */
interface MemberDoc {
  _id: string;
  communityId: string;
  personId: string;
  at: Date;
}

interface StageDoc {
  _id: string;
  communityId: string;
  stage: ProgressStage;
  by: string;
  at: Date;
}

interface OfferDoc {
  _id: number;
  personId: string;
  subject: string;
  at: Date;
}

const memberId = (communityId: string, personId: string) => `${communityId}\u0000${personId}`;
const fromDoc = (d: CommunityDoc): Community => fromCommunityBody({ id: d._id, kind: d.kind, stage: d.stage, createdBy: d.createdBy, createdAt: d.createdAt }, d);
const toOffer = (d: OfferDoc): TrainingOffer => ({ id: d._id, personId: d.personId, subject: d.subject, at: d.at });

export class MongoCommunities implements CommunityRepository {
  private readonly col: Collection<CommunityDoc>;
  private readonly membersCol: Collection<MemberDoc>;
  private readonly stagesCol: Collection<StageDoc>;
  private readonly offersCol: Collection<OfferDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;

  constructor(
    db: Db,
    private readonly serial: Serializer,
  ) {
    this.col = db.collection<CommunityDoc>('communities');
    this.membersCol = db.collection<MemberDoc>('community_members');
    this.stagesCol = db.collection<StageDoc>('community_stages');
    this.offersCol = db.collection<OfferDoc>('training_offers');
    this.counters = db.collection<{ _id: string; seq: number }>('counters');
  }

  static async indexes(db: Db): Promise<void> {
    await createIndexes(db.collection<CommunityDoc>('communities'), [{ key: { seq: 1 }, name: 'communities_seq' }]);
    await createIndexes(db.collection<MemberDoc>('community_members'), [
      { key: { communityId: 1, at: 1 }, name: 'members_community' },
      { key: { personId: 1 }, name: 'members_person' },
    ]);
    await createIndexes(db.collection<StageDoc>('community_stages'), [{ key: { communityId: 1 }, name: 'stages_community' }]);
    await createIndexes(db.collection<OfferDoc>('training_offers'), [{ key: { personId: 1 }, name: 'offers_person' }]);
  }

  async seed(communities: NewCommunity[], at: Date): Promise<number> {
    let added = 0;
    for (const c of communities) {
      const current = await this.col.findOne({ _id: c.id });
      if (!current) {
        if (await this.create(c, at)) added++;
        continue;
      }
      const body = communityBody({ name: c.name, description: c.description, channel: c.channel, problem: c.problem || current.problem });
      const stage = c.kind === 'groupe_progres' ? (current.stage ?? 'analyse') : null;
      await this.serial.run(`community:${c.id}`, async () => {
        await this.col.updateOne({ _id: c.id }, { $set: { ...body, kind: c.kind, stage }, ...(body.channel ? {} : { $unset: { channel: '' } }) });
      });
    }
    return added;
  }

  async create(c: NewCommunity, at: Date): Promise<Community | null> {
    if (await this.col.findOne({ _id: c.id })) return null;
    const stage: ProgressStage | null = c.kind === 'groupe_progres' ? 'analyse' : null;
    const doc: CommunityDoc = {
      _id: c.id,
      seq: await nextSeq(this.counters, this.serial, 'communities'),
      kind: c.kind,
      stage,
      createdBy: c.createdBy,
      createdAt: at,
      ...communityBody(c),
    };
    try {
      await this.col.insertOne(doc);
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
    if (stage) await this.step(c.id, stage, c.createdBy, at);
    return fromDoc(doc);
  }

  async get(id: string): Promise<Community | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? fromDoc(d) : null;
  }

  async list(): Promise<Community[]> {
    return (await this.col.find({}).sort({ seq: 1 }).toArray()).map(fromDoc);
  }

  async join(communityId: string, personId: string, at: Date): Promise<boolean | null> {
    if (!(await this.col.findOne({ _id: communityId }))) return null;
    try {
      await this.membersCol.insertOne({ _id: memberId(communityId, personId), communityId, personId, at });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async leave(communityId: string, personId: string): Promise<boolean> {
    return (await this.membersCol.deleteOne({ _id: memberId(communityId, personId) })).deletedCount === 1;
  }

  async members(communityId: string): Promise<string[]> {
    return (await this.membersCol.find({ communityId }).sort({ at: 1, personId: 1 }).toArray()).map((d) => d.personId);
  }

  async counts(): Promise<Map<string, number>> {
    const rows = await this.membersCol.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$communityId', n: { $sum: 1 } } }]).toArray();
    return new Map(rows.map((r) => [r._id, r.n]));
  }

  async communitiesOf(personId: string): Promise<string[]> {
    return (await this.membersCol.find({ personId }).sort({ at: 1, communityId: 1 }).toArray()).map((d) => d.communityId);
  }

  async setStage(id: string, from: ProgressStage, to: ProgressStage, by: string, at: Date): Promise<Community | null> {
    return this.serial.run(`community:${id}`, async () => {
      const done = await this.col.findOneAndUpdate({ _id: id, kind: 'groupe_progres', stage: from }, { $set: { stage: to } }, { returnDocument: 'after' });
      if (!done) return null;
      await this.step(id, to, by, at);
      return fromDoc(done);
    });
  }

  async stages(id: string): Promise<StageStep[]> {
    const docs = await this.stagesCol.find({ communityId: id }).sort({ _id: 1 }).toArray();
    return docs.map((s) => ({ communityId: s.communityId, stage: s.stage, by: s.by, at: s.at }));
  }

  async addOffer(personId: string, subject: string, at: Date): Promise<TrainingOffer> {
    const doc: OfferDoc = { _id: await nextSeq(this.counters, this.serial, 'training_offers'), personId, subject, at };
    await this.offersCol.insertOne(doc);
    return toOffer(doc);
  }

  async offers(limit: number): Promise<TrainingOffer[]> {
    return (await this.offersCol.find({}).sort({ _id: -1 }).limit(limit).toArray()).map(toOffer);
  }

  async dataOf(personId: string): Promise<{ memberships: Membership[]; offers: TrainingOffer[] }> {
    const memberships = (await this.membersCol.find({ personId }).sort({ at: 1, communityId: 1 }).toArray()).map((d) => ({ communityId: d.communityId, personId, at: d.at }));
    const offers = (await this.offersCol.find({ personId }).sort({ _id: 1 }).toArray()).map(toOffer);
    return { memberships, offers };
  }

  async forget(personId: string): Promise<void> {
    await this.membersCol.deleteMany({ personId });
    await this.offersCol.deleteMany({ personId });
    await this.stagesCol.updateMany({ by: personId }, { $set: { by: 'erased' } });
  }

  private async step(id: string, stage: ProgressStage, by: string, at: Date): Promise<void> {
    // numbered in order (the stage's compare-and-set lets one change through at a time); a retry never collides
    const n = (await this.stagesCol.countDocuments({ communityId: id })) + 1;
    await this.stagesCol.insertOne({ _id: `${id}:${String(n).padStart(5, '0')}:${randomUUID().slice(0, 8)}`, communityId: id, stage, by, at });
  }
}
