import type { AuditEntry } from '../../domain/audit';
import { DomainError } from '../../domain/errors';
import type { Actor } from '../../domain/people-service';
import { isOrganiser } from '../../domain/roles';
import { csvFile, localTime } from '../csv';
import { cardReply, type Reply } from '../reply';
import type { Services } from '../services';
import { actionWords, AUDIT_PAGE, detailWords, journalCard, type Names, subjectWords } from './screens';

/** `/ensemble journal`: the audit trail of privileged actions, for organisers; a page at a time, and its export. */
export class AuditFlow {
  constructor(private readonly s: Services) {}

  private organiserOnly(actor: Actor): void {
    if (!isOrganiser(actor.roles)) throw new DomainError('audit.organiserOnly');
  }

  private t(actor: Actor) {
    return this.s.i18n.forLocale(actor.person.locale ?? this.s.defaultLocale);
  }

  /** The display names of the people the entries name (as actors and subjects). */
  private async names(entries: AuditEntry[]): Promise<Names> {
    const ids = new Set<string>();
    for (const e of entries) {
      ids.add(e.actor);
      if (e.subject.startsWith('person:')) ids.add(e.subject.slice('person:'.length));
    }
    const names: Names = new Map();
    for (const id of ids) {
      const p = await this.s.store.people.get(id);
      if (p) names.set(id, p.displayName);
    }
    return names;
  }

  /** The latest entries, or those before the cursor `before` (« Plus anciens »). */
  async journal(actor: Actor, before?: string): Promise<Reply> {
    this.organiserOnly(actor);
    const cursor = before !== undefined && /^\d{1,15}$/.test(before) ? Number(before) : undefined;
    const page = await this.s.store.audit.list({ before: cursor, limit: AUDIT_PAGE + 1 });
    const entries = page.slice(0, AUDIT_PAGE);
    const locale = actor.person.locale ?? this.s.defaultLocale;
    const card = journalCard(this.t(actor), entries, await this.names(entries), page.length > AUDIT_PAGE, this.s.timezone, locale, cursor !== undefined);
    return cardReply(card);
  }

  /** The whole trail as a CSV file; the export itself is written down first. */
  async export(actor: Actor): Promise<Reply> {
    this.organiserOnly(actor);
    const t = this.t(actor);
    await this.s.audit.record(actor.person.id, 'export.audit', 'audit');
    const entries = await this.s.store.audit.since();
    const names = await this.names(entries);
    const h = (k: string) => t(`audit.csv.${k}`);
    const rows: Array<Array<string | number>> = [[h('at'), h('actor'), h('name'), h('action'), h('words'), h('subject'), h('detail')]];
    for (const e of entries) {
      rows.push([localTime(e.at, this.s.timezone), e.actor, names.get(e.actor) ?? '', e.action, actionWords(t, e), subjectWords(t, e, names), detailWords(e)]);
    }
    const date = new Intl.DateTimeFormat('sv-SE', { timeZone: this.s.timezone }).format(this.s.clock.now());
    return { kind: 'file', file: { name: `journal-${date}.csv`, mime: 'text/csv', content: csvFile(rows), comment: t('audit.exportComment', { count: entries.length }) } };
  }
}
