import type { DatabaseSync } from 'node:sqlite';
import type { Person } from '../../domain/people';
import type { PrivacyRepository } from '../../domain/ports';
import {
  type ErasureReport,
  type ErasureRequest,
  IDENTITY_TABLES,
  type PersonData,
  type RetentionReport,
  type RetentionSettings,
  replaceId,
  scrub,
  searchKeys,
  TOMBSTONE,
  TOMBSTONE_PAYLOAD,
} from '../../domain/privacy';
import { type PersonRow, rowToPerson } from './people';
import { transaction } from './transaction';

const DAY_MS = 86_400_000;
/** A month, for retention: 30 days (a retention is a bound, not a calendar date). */
const MONTH_MS = 30 * DAY_MS;

/** Tables of the store's own machinery: nothing about a person. */
const SKIPPED = new Set(['sqlite_sequence', 'schema_migrations', 'store_meta', 'instances']);

interface TableShape {
  name: string;
  /** Columns that may hold text. */
  texts: string[];
  /** How to find a row again: its primary key columns, or the rowid. */
  key: string[];
}

/**
 * The person's data and its erasure, over every table of the file (those added by later migrations too):
 * the tables and their text columns are read from the schema, so nothing is left out by forgetting a list.
 */
export class SqlitePrivacy implements PrivacyRepository {
  constructor(private readonly db: DatabaseSync) {}

  private tables(): TableShape[] {
    const names = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    const out: TableShape[] = [];
    for (const name of names) {
      if (SKIPPED.has(name) || name.startsWith('sqlite_')) continue;
      const cols = this.db.prepare(`PRAGMA table_info(${quote(name)})`).all() as Array<{ name: string; type: string; pk: number }>;
      const texts = cols.filter((c) => /TEXT|CHAR|CLOB|^$/i.test(c.type)).map((c) => c.name);
      const pk = cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      const withoutRowid = /WITHOUT ROWID/i.test((this.db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string }).sql);
      out.push({ name, texts, key: pk.length && (withoutRowid || pk.length === 1) ? pk : ['rowid'] });
    }
    return out;
  }

  /** Rows of `table` where one of the text columns contains one of `words` (a first, coarse filter). */
  private candidates(t: TableShape, words: string[]): Array<Record<string, unknown>> {
    if (!t.texts.length || !words.length) return [];
    // SQLite's lower() folds ASCII only: see searchKeys
    const variants = [...new Set(words.flatMap((w) => [...searchKeys(w), ...searchKeys(JSON.stringify(w).slice(1, -1))]))];
    const where = t.texts.flatMap((c) => variants.map(() => `instr(lower(${quote(c)}), ?) > 0`)).join(' OR ');
    const args = t.texts.flatMap(() => variants);
    const keys = t.key.map((k, i) => `${quote(k)} AS __k${i}`).join(', ');
    return this.db.prepare(`SELECT ${keys}, * FROM ${quote(t.name)} WHERE ${where}`).all(...args) as Array<Record<string, unknown>>;
  }

  async dataOf(personId: string, also: string[]): Promise<PersonData> {
    const words = [personId, ...also.filter((w) => w.length >= 3)];
    const out: PersonData = {};
    for (const t of this.tables()) {
      const mentions = (v: string) => replaceId(v, personId, '\u0000') !== v || scrub(v, also, '\u0000') !== v;
      const rows = this.candidates(t, words).filter((r) => t.texts.some((c) => typeof r[c] === 'string' && mentions(r[c] as string)));
      if (!rows.length) continue;
      out[t.name] = rows.map((r) => {
        const clean = Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('__k')));
        if (t.name === 'outbox' && typeof clean.payload_hash === 'string') {
          const p = this.db.prepare('SELECT payload FROM outbox_payloads WHERE hash = ?').get(clean.payload_hash) as { payload: string } | undefined;
          if (p) clean.payload = p.payload;
        }
        return clean;
      });
    }
    return out;
  }

  async erase(r: ErasureRequest): Promise<ErasureReport> {
    return transaction(this.db, () => {
      const report: ErasureReport = {};
      const count = (what: string, n: number | bigint) => {
        if (Number(n) > 0) report[what] = (report[what] ?? 0) + Number(n);
      };
      const person = this.db.prepare('SELECT email FROM people WHERE id = ?').get(r.personId) as { email: string | null } | undefined;
      const run = (sql: string, ...args: Array<string | number | null>) => this.db.prepare(sql).run(...args).changes;
      // what is deleted outright
      count('people', run('DELETE FROM people WHERE id = ?', r.personId));
      count('preferences', run('DELETE FROM preferences WHERE person_id = ?', r.personId));
      count('drafts', run('DELETE FROM drafts WHERE person_id = ?', r.personId));
      count('axis_follows', run('DELETE FROM axis_follows WHERE person_id = ?', r.personId));
      count('role_assignments', run('DELETE FROM role_assignments WHERE subject = ? OR subject = ?', r.personId, person?.email ?? r.personId));
      // what was still to happen for them
      const mine = `json_extract(target, '$.kind') = 'person' AND json_extract(target, '$.personId') = ?`;
      count(
        'outbox.cancelled',
        run(`UPDATE outbox SET state = 'cancelled', last_error = 'erased', lease_owner = NULL WHERE state IN ('pending', 'failed') AND ${mine}`, r.personId),
      );
      // what was sent to them, and every file delivered (an export, a contract: text the scrub cannot read in
      // base64 or a PDF), keep their row for the counts but lose their content
      const files = 'SELECT hash FROM outbox_payloads WHERE payload LIKE \'{"kind":"file"%\'';
      const emptied = `(${mine}) OR (state IN ('sent', 'failed', 'cancelled') AND payload_hash IN (${files}))`;
      const hashes = (
        this.db.prepare(`SELECT DISTINCT payload_hash AS h FROM outbox WHERE payload_hash != '${TOMBSTONE}' AND (${emptied})`).all(r.personId) as Array<{ h: string }>
      ).map((x) => x.h);
      this.db.prepare('INSERT OR IGNORE INTO outbox_payloads (hash, payload) VALUES (?, ?)').run(TOMBSTONE, TOMBSTONE_PAYLOAD);
      count('outbox.emptied', run(`UPDATE outbox SET payload_hash = '${TOMBSTONE}' WHERE payload_hash != '${TOMBSTONE}' AND (${emptied})`, r.personId));
      const orphan = this.db.prepare('DELETE FROM outbox_payloads WHERE hash = ? AND NOT EXISTS (SELECT 1 FROM outbox WHERE payload_hash = ?)');
      for (const h of hashes) orphan.run(h, h);
      // the erasure's own job stays pending: its runner marks it done
      count('jobs.cancelled', run("UPDATE jobs SET state = 'cancelled' WHERE state = 'pending' AND subject = ? AND kind != 'privacy.erase'", r.personId));
      if (r.ideas === 'delete') {
        const ids = (this.db.prepare('SELECT id FROM ideas WHERE author_id = ?').all(r.personId) as Array<{ id: number }>).map((x) => x.id);
        for (const id of ids) {
          run('DELETE FROM supports WHERE idea_id = ?', id);
          run('DELETE FROM idea_hashtags WHERE idea_id = ?', id);
          run('UPDATE ideas SET merged_into = NULL WHERE merged_into = ?', id);
          count('ideas.deleted', run('DELETE FROM ideas WHERE id = ?', id));
        }
      }
      // everywhere else: the id becomes the pseudonym, the identifying words the replacement
      for (const t of this.tables()) {
        // where other people's identities are kept, only the id is replaced (a homonym keeps their name)
        const identifying = IDENTITY_TABLES.has(t.name) ? [] : r.identifying.filter((w) => w.length >= 3);
        for (const row of this.candidates(t, [r.personId, ...identifying])) {
          const set: string[] = [];
          const values: Array<string | null> = [];
          for (const c of t.texts) {
            const v = row[c];
            if (typeof v !== 'string') continue;
            const next = scrub(replaceId(v, r.personId, r.pseudonym), identifying, r.replacement);
            if (next === v) continue;
            set.push(`${quote(c)} = ?`);
            values.push(next);
          }
          if (!set.length) continue;
          const where = t.key.map((k) => `${quote(k)} IS ?`).join(' AND ');
          const keyValues = t.key.map((_, i) => row[`__k${i}`] as string | null);
          count(t.name, run(`UPDATE ${quote(t.name)} SET ${set.join(', ')} WHERE ${where}`, ...values, ...keyValues));
        }
      }
      return report;
    });
  }

  async inactive(before: Date, limit: number, after?: Pick<Person, 'id' | 'lastSeenAt'>): Promise<Person[]> {
    const from = after ? [after.lastSeenAt.getTime(), after.id] : [-1, ''];
    const rows = this.db
      .prepare('SELECT * FROM people WHERE last_seen_at < ? AND (last_seen_at > ? OR (last_seen_at = ? AND id > ?)) ORDER BY last_seen_at, id LIMIT ?')
      .all(before.getTime(), from[0], from[0], from[1], limit) as unknown as PersonRow[];
    return rows.map(rowToPerson);
  }

  async purge(at: Date, retention: RetentionSettings): Promise<RetentionReport> {
    const now = at.getTime();
    return transaction(this.db, () => {
      const cutoff = now - retention.deliveredMessagesDays * DAY_MS;
      const hashes = (
        this.db.prepare("SELECT DISTINCT payload_hash AS h FROM outbox WHERE state IN ('sent','failed','cancelled') AND created_at < ?").all(cutoff) as Array<{ h: string }>
      ).map((x) => x.h);
      const deliveredMessages = Number(this.db.prepare("DELETE FROM outbox WHERE state IN ('sent','failed','cancelled') AND created_at < ?").run(cutoff).changes);
      const files = `SELECT hash FROM outbox_payloads WHERE payload LIKE '{"kind":"file"%'`;
      const delivered = `state IN ('sent', 'failed', 'cancelled') AND payload_hash IN (${files})`;
      for (const x of this.db.prepare(`SELECT DISTINCT payload_hash AS h FROM outbox WHERE ${delivered}`).all() as Array<{ h: string }>) hashes.push(x.h);
      this.db.prepare('INSERT OR IGNORE INTO outbox_payloads (hash, payload) VALUES (?, ?)').run(TOMBSTONE, TOMBSTONE_PAYLOAD);
      const deliveredFiles = Number(this.db.prepare(`UPDATE outbox SET payload_hash = '${TOMBSTONE}' WHERE ${delivered}`).run().changes);
      const orphan = this.db.prepare('DELETE FROM outbox_payloads WHERE hash = ? AND NOT EXISTS (SELECT 1 FROM outbox WHERE payload_hash = ?)');
      for (const h of new Set(hashes)) if (h !== TOMBSTONE) orphan.run(h, h);
      const requestRecords = Number(this.db.prepare('DELETE FROM requests WHERE at < ?').run(now - retention.requestRecordsDays * DAY_MS).changes);
      const feedbackComments = Number(
        this.db
          .prepare('UPDATE event_feedback SET comment = NULL WHERE comment IS NOT NULL AND event_id IN (SELECT id FROM events WHERE ends_at < ?)')
          .run(now - retention.feedbackCommentsMonths * MONTH_MS).changes,
      );
      const drafts = Number(this.db.prepare('DELETE FROM drafts WHERE created_at < ?').run(now - retention.draftsDays * DAY_MS).changes);
      return { deliveredMessages, deliveredFiles, requestRecords, feedbackComments, drafts, audit: 0 };
    });
  }
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
