import type { CardElement } from '../../cards/model';
import { type DigestAxis, type DigestOwnIdea, digestFor, periodOf, statusChanged } from '../../domain/digest';
import type { NewJob, ScheduledJob } from '../../domain/events';
import type { Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import { DEFAULT_PREFERENCES } from '../../domain/preferences';
import { laterDays, nextDaily, nextWeekly } from '../../domain/schedule';
import type { Logger } from '../../logger';
import type { JobHandler } from '../job-runner';
import type { Notice } from '../notices';
import type { Services } from '../services';
import { axisSection, type DigestContext, type DigestFrequency, digestCard } from './screens';

/** People handled per step: their preferences are read, their digests built and queued, together. */
const PAGE = 1000;

export const DIGEST_REF = 'digest';

/** The outbox source of one digest run (its report, its cancellation). */
export function digestSource(frequency: DigestFrequency, until: Date): string {
  return `digest:${frequency}:${until.toISOString()}`;
}

/**
 * The digests (résumés): one job per period (weekly, daily), due at the programme's time in the bot's
 * time zone. A run reads what the period brought once, then goes through everyone a page at a time: each
 * person whose frequency it is gets one message grouped by the axes they follow, and nobody with nothing
 * new gets any. Message keys carry the period and the person, so a run taken over after a crash queues
 * nobody twice; each run plans the next one before it starts.
 */
export class DigestJobs implements JobHandler {
  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {}

  /** The next weekly and daily runs after `now` (adding a job that exists changes nothing). */
  plan(now: Date): NewJob[] {
    const slot = this.s.programme.digest;
    const weekly = nextWeekly(slot, now, this.s.timezone);
    const daily = nextDaily(slot.time, now, this.s.timezone);
    return [
      { key: `digest:weekly:${weekly.toISOString()}`, kind: 'digest.weekly', ref: DIGEST_REF, param: 0, dueAt: weekly },
      { key: `digest:daily:${daily.toISOString()}`, kind: 'digest.daily', ref: DIGEST_REF, param: 0, dueAt: daily },
    ];
  }

  async ensurePlanned(now: Date): Promise<number> {
    return this.s.store.jobs.add(this.plan(now));
  }

  async run(job: ScheduledJob): Promise<number> {
    const frequency: DigestFrequency = job.kind === 'digest.daily' ? 'daily' : 'weekly';
    const until = job.dueAt;
    // the next run exists before this one does anything: a crash here never stops the digests
    await this.s.store.jobs.add(this.plan(until).filter((j) => j.kind === job.kind));
    return this.send(frequency, until);
  }

  /** Builds and queues the digests of the period ending at `until`; returns how many were queued. */
  async send(frequency: DigestFrequency, until: Date): Promise<number> {
    const { store, programme, timezone } = this.s;
    const since = laterDays(until, frequency === 'weekly' ? -7 : -1, timezone);
    const started = this.s.clock.now().getTime();
    const [updates, ideas, upcoming, broadcasts] = await Promise.all([
      store.axisUpdates.since(since),
      store.ideas.since(since),
      store.events.upcoming(until, 500),
      store.broadcasts.list(200),
    ]);
    const period = periodOf(since, until, updates, ideas, upcoming, broadcasts);

    // ideas whose status changed: their author and supporters hear of it
    const own = new Map<string, DigestOwnIdea[]>();
    const add = (personId: string, entry: DigestOwnIdea) => {
      const list = own.get(personId) ?? [];
      if (!list.some((e) => e.idea.id === entry.idea.id)) list.push(entry);
      own.set(personId, list);
    };
    for (const idea of statusChanged(ideas, since, until)) {
      add(idea.authorId, { idea, role: 'author' });
      for (const p of await store.ideas.supporters(idea.id)) if (p !== idea.authorId) add(p, { idea, role: 'supporter' });
    }

    // who follows what, read in pages
    const follows = new Map<string, Set<string>>();
    for (let after: string | null = null; ; ) {
      const page = await store.follows.page(after, 5000);
      for (const f of page) follows.set(f.personId, new Set(f.axisIds));
      if (page.length < 5000) break;
      after = page[page.length - 1].personId;
    }

    const axisOrder = programme.axes.map((a) => a.id);
    const contexts = new Map<Locale, DigestContext>();
    const contextFor = (locale: Locale): DigestContext => {
      let c = contexts.get(locale);
      if (!c) {
        c = { t: this.s.i18n.forLocale(locale), programme, locale, timeZone: timezone, frequency, since, until };
        contexts.set(locale, c);
      }
      return c;
    };
    // an axis's section is the same for all its followers in one language: built once
    const sections = new Map<string, CardElement[]>();
    const sectionFor = (c: DigestContext) => (part: DigestAxis) => {
      const k = `${c.locale}:${part.axisId}:${part.updates.length}:${part.ideas.length}:${part.events.length}`;
      let out = sections.get(k);
      if (!out) {
        out = axisSection(part, c);
        sections.set(k, out);
      }
      return out;
    };

    const source = digestSource(frequency, until);
    let queued = 0;
    let considered = 0;
    let people = 0;
    // everyone, a page at a time: memory stays that of one page, whatever the number of people
    for (let after: string | null = null; ; ) {
      const all = await store.people.page(after, PAGE);
      people += all.length;
      const page = all.filter((p) => follows.has(p.id) || own.has(p.id));
      if (page.length) {
        const prefs = await store.preferences.many(page.map((p) => p.id));
        const notices: Notice[] = [];
        for (const person of page) {
          const pref = prefs.get(person.id) ?? DEFAULT_PREFERENCES;
          if ((pref.digest ?? 'weekly') !== frequency) continue;
          considered++;
          const digest = digestFor(period, axisOrder, follows.get(person.id) ?? new Set(), own.get(person.id) ?? [], pref.kinds ?? DEFAULT_PREFERENCES.kinds);
          if (!digest) continue;
          const c = contextFor(this.localeOf(person));
          notices.push({ person, key: `${source}:${person.id}`, card: digestCard(digest, c, sectionFor(c)) });
        }
        if (notices.length) queued += await this.s.notices.queue(notices, { source, kind: 'digest' });
      }
      if (all.length < PAGE) break;
      after = all[all.length - 1].id;
    }
    this.log.info({ frequency, until, people, considered, queued, ms: this.s.clock.now().getTime() - started }, 'digests queued');
    return queued;
  }

  private localeOf(person: Person): Locale {
    return person.locale ?? this.s.defaultLocale;
  }
}
