import type { NewJob, ScheduledJob } from '../../domain/events';
import { laterDays, nextEveryWeeks } from '../../domain/schedule';
import type { Logger } from '../../logger';
import type { JobHandler } from '../job-runner';
import type { Notice } from '../notices';
import type { Services } from '../services';
import { promptCard } from './screens';

export const PROMPTS_REF = 'axis-prompts';

/** The outbox source of one round of prompts (or of its reminder). */
export function promptSource(due: Date, reminder: boolean): string {
  return `axis-prompt:${due.toISOString()}${reminder ? ':reminder' : ''}`;
}

/**
 * Prompts to pilots: every `everyWeeks` weeks (programme setting: day and time), the pilots of each axis
 * that had no update since the last round get a prompt with the form's button, and one reminder
 * `reminderAfterDays` later if the axis still has none. A pilot who said « Je suis absent jusqu'au … » is
 * skipped until then. Jobs in the store with leases; keys per round and pilot: nobody is prompted twice.
 */
export class PilotPrompts implements JobHandler {
  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {}

  /** The next round after `now` and its reminder. */
  plan(now: Date): NewJob[] {
    const p = this.s.programme.pilotPrompts;
    const due = nextEveryWeeks(p, p.everyWeeks, now, this.s.timezone);
    const reminder = laterDays(due, p.reminderAfterDays, this.s.timezone);
    return [
      { key: `axis:prompt:${due.toISOString()}`, kind: 'axis.prompt', ref: PROMPTS_REF, param: due.getTime(), dueAt: due },
      { key: `axis:prompt:${due.toISOString()}:reminder`, kind: 'axis.prompt.reminder', ref: PROMPTS_REF, param: due.getTime(), dueAt: reminder },
    ];
  }

  async ensurePlanned(now: Date): Promise<number> {
    return this.s.store.jobs.add(this.plan(now));
  }

  async run(job: ScheduledJob): Promise<number> {
    const reminder = job.kind === 'axis.prompt.reminder';
    const round = new Date(job.param);
    if (!reminder) await this.s.store.jobs.add(this.plan(round));
    const p = this.s.programme.pilotPrompts;
    // the round covers the weeks since the previous one
    const since = laterDays(round, -7 * p.everyWeeks, this.s.timezone);
    const now = this.s.clock.now();
    const source = promptSource(round, reminder);
    const notices: Notice[] = [];
    let skippedAway = 0;
    for (const axis of this.s.programme.axes) {
      const [latest] = await this.s.store.axisUpdates.history(axis.id, 1);
      if (latest && latest.createdAt.getTime() >= since.getTime()) continue;
      const pilots = await this.s.people.peopleWith('pilote', axis.id);
      if (!pilots.length) continue;
      const prefs = await this.s.store.preferences.many(pilots.map((x) => x.id));
      for (const pilot of pilots) {
        const away = prefs.get(pilot.id)?.pauseUntil;
        if (away && away.getTime() > now.getTime()) {
          skippedAway++;
          continue;
        }
        const locale = pilot.locale ?? this.s.defaultLocale;
        const card = promptCard(this.s.i18n.forLocale(locale), this.s.programme, locale, axis.id, latest?.createdAt, reminder, this.s.timezone);
        notices.push({ person: pilot, key: `${source}:${axis.id}:${pilot.id}`, card });
      }
    }
    const queued = notices.length ? await this.s.notices.queue(notices, { source, kind: 'service' }) : 0;
    this.log.info({ round, reminder, queued, skippedAway }, 'pilot prompts queued');
    return queued;
  }
}
