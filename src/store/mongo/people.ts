import type { Collection } from 'mongodb';
import type { Locale } from '../../domain/locale';
import type { Contact, Person, Platform, TeamsConversationRef } from '../../domain/people';
import { personId, tenantPrefix } from '../../domain/people';
import type { PeopleRepository } from '../../domain/ports';
import { createIndexes, isDuplicateKey } from './compat';
import type { Serializer } from './serial';

export interface PersonDoc {
  _id: string;
  platform: 'slack' | 'teams';
  tenant: string;
  user: string;
  displayName: string;
  email?: string;
  locale?: Locale;
  /** The language chosen in the preferences (preferences.ts writes it); wins over `locale`. */
  chosenLocale?: Locale;
  teams?: TeamsConversationRef;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** The person left the platform; cleared when they write again. */
  unreachable?: { reason: string; at: Date };
}

export function toPerson(d: PersonDoc): Person {
  const { _id, chosenLocale, locale, ...rest } = d;
  const out: Person = { id: _id, ...rest };
  if (chosenLocale ?? locale) out.locale = chosenLocale ?? locale;
  if (locale) out.platformLocale = locale;
  return out;
}

export class MongoPeople implements PeopleRepository {
  constructor(
    private readonly col: Collection<PersonDoc>,
    private readonly serial: Serializer,
  ) {}

  static async indexes(col: Collection<PersonDoc>): Promise<void> {
    await createIndexes(col, [
      { key: { email: 1 }, name: 'people_email', sparse: true },
      { key: { 'teams.userId': 1 }, name: 'people_teams_user', sparse: true },
    ]);
  }

  async record(contact: Contact, at: Date): Promise<Person> {
    const set: Partial<PersonDoc> = {};
    if (contact.displayName) set.displayName = contact.displayName;
    if (contact.email) set.email = contact.email.toLowerCase();
    if (contact.locale) set.locale = contact.locale;
    if (contact.teams) set.teams = contact.teams;
    const onInsert: Partial<PersonDoc> = { platform: contact.platform, tenant: contact.tenant, user: contact.user, firstSeenAt: at };
    if (!contact.displayName) onInsert.displayName = contact.user;
    const id = personId(contact);
    const upsert = () =>
      this.col.findOneAndUpdate(
        { _id: id },
        { $set: set, $setOnInsert: onInsert, $max: { lastSeenAt: at }, $unset: { unreachable: '' } },
        { upsert: true, returnDocument: 'after' },
      );
    const doc = await this.serial.run(`person:${id}`, async () => {
      try {
        return await upsert();
      } catch (e) {
        // two first contacts at once: one inserts, the other finds it and updates it
        if (!isDuplicateKey(e)) throw e;
        return upsert();
      }
    });
    if (!doc) throw new Error('MongoDB: upsert returned no document');
    return toPerson(doc);
  }

  async get(id: string): Promise<Person | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? toPerson(d) : null;
  }

  async findByEmail(email: string): Promise<Person[]> {
    return (await this.col.find({ email: email.toLowerCase() }).sort({ _id: 1 }).toArray()).map(toPerson);
  }

  async findByTeamsUserId(teamsUserId: string): Promise<Person | null> {
    const d = await this.col.find({ 'teams.userId': teamsUserId }).sort({ lastSeenAt: -1 }).limit(1).next();
    return d ? toPerson(d) : null;
  }

  async all(): Promise<Person[]> {
    return (await this.col.find({}).sort({ _id: 1 }).toArray()).map(toPerson);
  }

  async page(after: string | null, limit: number): Promise<Person[]> {
    const filter = after === null ? {} : { _id: { $gt: after } };
    return (await this.col.find(filter).sort({ _id: 1 }).limit(limit).toArray()).map(toPerson);
  }

  async markUnreachable(id: string, reason: string, at: Date): Promise<boolean> {
    return (await this.col.updateOne({ _id: id }, { $set: { unreachable: { reason, at } } })).matchedCount > 0;
  }

  async markTenantUnreachable(platform: Platform, tenant: string, reason: string, at: Date): Promise<string[]> {
    const prefix = tenantPrefix(platform, tenant);
    // ids sort by their text: those of the workspace are the range that starts with its prefix
    const filter = { _id: { $gte: prefix, $lt: `${prefix}\uffff` } };
    const ids = (await this.col.find(filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id).filter((id) => id.startsWith(prefix));
    if (ids.length) await this.col.updateMany({ _id: { $in: ids } }, { $set: { unreachable: { reason, at } } });
    return ids.sort();
  }

  async count(): Promise<number> {
    return this.col.countDocuments();
  }
}
