import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PreferencesRepository } from '../../domain/ports';
import type { Preferences } from '../../domain/preferences';
import { decodePreferences, encodePreferences } from '../preferences-codec';
import { transaction } from './transaction';

interface Row {
  person_id: string;
  data: string;
  updated_at: number;
}

/** Room for this many ids in one `IN (…)` (SQLite's default limit is 32,766 parameters). */
const BATCH = 900;

export class SqlitePreferences implements PreferencesRepository {
  private readonly get_: StatementSync;
  private readonly save_: StatementSync;
  private readonly language_: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.get_ = db.prepare('SELECT person_id, data, updated_at FROM preferences WHERE person_id = ?');
    this.save_ = db.prepare(
      'INSERT INTO preferences (person_id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at',
    );
    // the chosen language is kept beside the platform's one, so that every person read says the effective one
    this.language_ = db.prepare('UPDATE people SET chosen_locale = ? WHERE id = ?');
  }

  async get(personId: string): Promise<Preferences | null> {
    const row = this.get_.get(personId) as unknown as Row | undefined;
    return row ? decodePreferences(row.data, new Date(row.updated_at)) : null;
  }

  async save(personId: string, prefs: Preferences, at: Date): Promise<void> {
    transaction(this.db, () => {
      this.save_.run(personId, encodePreferences(prefs), at.getTime());
      this.language_.run(prefs.language ?? null, personId);
    });
  }

  async many(personIds: string[]): Promise<Map<string, Preferences>> {
    const out = new Map<string, Preferences>();
    for (let i = 0; i < personIds.length; i += BATCH) {
      const ids = personIds.slice(i, i + BATCH);
      const rows = this.db.prepare(`SELECT person_id, data, updated_at FROM preferences WHERE person_id IN (${ids.map(() => '?').join(',')})`).all(...ids) as unknown as Row[];
      for (const r of rows) out.set(r.person_id, decodePreferences(r.data, new Date(r.updated_at)));
    }
    return out;
  }
}
