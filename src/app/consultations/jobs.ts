import { type Consultation, consultationRef, consultationSources } from '../../domain/consultations';
import type { ConsultationsService } from '../../domain/consultations-service';
import type { NewJob, ScheduledJob } from '../../domain/events';
import type { Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Logger } from '../../logger';
import type { JobHandler } from '../job-runner';
import { outgoingPayload } from '../../cards/outgoing';
import type { Notice } from '../notices';
import { chartFiles } from '../chart-files';
import { withChartImages } from '../chart-links';
import type { Services } from '../services';
import { inviteCard, pollCard, resultsCard } from './screens';

const HOUR = 3_600_000;
/** People read from the store per step of a reminder round. */
const PAGE = 1000;

/**
 * A consultation's scheduled work, as jobs with leases (kind `consultation.…`): its opening (the register
 * filled from its audience, everyone told), a reminder at each programme offset before closing to those the
 * register says have not answered, and its closing (the organiser gets the results). Message keys per
 * consultation, round and person: nobody is told twice, whatever the retries.
 */
export class ConsultationJobs implements JobHandler {
  constructor(
    private readonly s: Services,
    private readonly consultations: ConsultationsService,
    private readonly log: Logger,
  ) {}

  plan(c: Consultation): NewJob[] {
    const ref = consultationRef(c.id);
    const jobs: NewJob[] = [{ key: `${ref}:open`, kind: 'consultation.open', ref, param: 0, dueAt: c.opensAt }];
    for (const hours of this.s.programme.consultations.reminderOffsetsHours) {
      const at = new Date(c.closesAt.getTime() - hours * HOUR);
      // a reminder before the opening, or in the past, would make no sense
      if (at.getTime() > c.opensAt.getTime() && at.getTime() > this.s.clock.now().getTime())
        jobs.push({ key: `${ref}:reminder:${hours}`, kind: 'consultation.reminder', ref, param: hours, dueAt: at });
    }
    jobs.push({ key: `${ref}:close`, kind: 'consultation.close', ref, param: 0, dueAt: c.closesAt });
    return jobs;
  }

  async schedule(c: Consultation): Promise<number> {
    return this.s.store.jobs.add(this.plan(c));
  }

  private t(locale: Locale) {
    return this.s.i18n.forLocale(locale);
  }

  private card(c: Consultation, locale: Locale, reminder: boolean) {
    const t = this.t(locale);
    return c.kind === 'poll' && !reminder ? pollCard(t, c, this.s.timezone, locale) : inviteCard(t, c, this.s.timezone, locale, reminder);
  }

  /** One card per language, shared by every notice in it. */
  private notices(c: Consultation, people: Person[], keyOf: (p: Person) => string, reminder: boolean): Notice[] {
    const cards = new Map<Locale, ReturnType<ConsultationJobs['card']>>();
    return people.map((person) => {
      const locale = person.locale ?? this.s.defaultLocale;
      let card = cards.get(locale);
      if (!card) {
        card = this.card(c, locale, reminder);
        cards.set(locale, card);
      }
      return { person, key: keyOf(person), card };
    });
  }

  async run(job: ScheduledJob): Promise<number> {
    const id = Number(job.ref.split(':')[1]);
    let c = await this.s.store.consultations.get(id);
    if (!c || c.state === 'cancelled' || c.state === 'draft') return 0;
    switch (job.kind) {
      case 'consultation.open': {
        if (c.state === 'scheduled') c = (await this.s.store.consultations.setState(id, ['scheduled'], 'open')) ?? c;
        if (c.state !== 'open') return 0;
        const people = await this.consultations.audiencePeople(c);
        await this.s.store.consultations.invite(
          id,
          people.map((p) => p.id),
        );
        const notices = this.notices(c, people, (p) => `${consultationSources.invite(id)}:${p.id}`, false);
        const queued = await this.s.notices.queue(notices, { source: consultationSources.invite(id), kind: 'consultations' });
        this.log.info({ consultation: id, reached: people.length, queued }, 'consultation opened');
        return queued;
      }
      case 'consultation.reminder': {
        if (c.state !== 'open') return 0;
        const pending = await this.s.store.consultations.pending(id);
        let queued = 0;
        for (let i = 0; i < pending.length; i += PAGE) {
          const people = (await Promise.all(pending.slice(i, i + PAGE).map((p) => this.s.store.people.get(p)))).filter((p): p is Person => p !== null);
          const source = consultationSources.reminder(id, job.param);
          queued += await this.s.notices.queue(
            this.notices(c, people, (p) => `${source}:${p.id}`, true),
            { source, kind: 'consultations' },
          );
        }
        this.log.info({ consultation: id, hours: job.param, pending: pending.length, queued }, 'consultation reminders queued');
        return queued;
      }
      case 'consultation.close': {
        const closed = (await this.consultations.close(id)) ?? c;
        const organiser = await this.s.store.people.get(closed.createdBy);
        if (!organiser) return 0;
        const locale = organiser.locale ?? this.s.defaultLocale;
        const actor = { person: organiser, roles: await this.s.people.rolesOf(organiser) };
        const { results, figures } = await this.consultations.results(actor, id);
        const card = resultsCard(this.t(locale), closed, results, figures, true, this.s.timezone, locale);
        const key = `${consultationSources.results(id)}:${organiser.id}`;
        const notices: Notice[] = [{ person: organiser, key, card: organiser.platform === 'teams' ? await withChartImages(this.s, card) : card }];
        // Slack draws no chart in a message: each chart's PNG goes with the results (Teams draws them in the card)
        if (organiser.platform === 'slack')
          for (const [i, f] of (await chartFiles(card, locale, this.t(locale)('consultations.results.chartsComment'))).entries())
            notices.push({
              person: organiser,
              key: `${key}:chart:${i}`,
              payload: outgoingPayload({ kind: 'file', file: { name: f.name, mime: f.mime, base64: f.content.toString('base64'), comment: f.comment } }),
            });
        return this.s.notices.queue(notices, {
          source: consultationSources.results(id),
          kind: 'service',
        });
      }
      default:
        return 0;
    }
  }
}
