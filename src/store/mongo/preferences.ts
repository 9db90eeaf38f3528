import type { Collection, Db } from 'mongodb';
import type { PreferencesRepository } from '../../domain/ports';
import type { Preferences } from '../../domain/preferences';
import { decodePreferences, encodePreferences } from '../preferences-codec';
import type { PersonDoc } from './people';

interface PreferencesDoc {
  _id: string;
  data: string;
  updatedAt: Date;
}

const BATCH = 1000;

export class MongoPreferences implements PreferencesRepository {
  private readonly col: Collection<PreferencesDoc>;
  private readonly people: Collection<PersonDoc>;

  constructor(db: Db) {
    this.col = db.collection<PreferencesDoc>('preferences');
    this.people = db.collection<PersonDoc>('people');
  }

  async get(personId: string): Promise<Preferences | null> {
    const d = await this.col.findOne({ _id: personId });
    return d ? decodePreferences(d.data, d.updatedAt) : null;
  }

  async save(personId: string, prefs: Preferences, at: Date): Promise<void> {
    await this.col.updateOne({ _id: personId }, { $set: { data: encodePreferences(prefs), updatedAt: at } }, { upsert: true });
    // the chosen language is kept beside the platform's one (people.ts reads the effective one)
    await this.people.updateOne({ _id: personId }, prefs.language ? { $set: { chosenLocale: prefs.language } } : { $unset: { chosenLocale: '' } });
  }

  async many(personIds: string[]): Promise<Map<string, Preferences>> {
    const out = new Map<string, Preferences>();
    for (let i = 0; i < personIds.length; i += BATCH) {
      const docs = await this.col.find({ _id: { $in: personIds.slice(i, i + BATCH) } }).toArray();
      for (const d of docs) out.set(d._id, decodePreferences(d.data, d.updatedAt));
    }
    return out;
  }
}
