import { outgoingPayload } from '../../cards/outgoing';
import type { NewJob, ScheduledJob } from '../../domain/events';
import { nextWeekly } from '../../domain/schedule';
import type { Logger } from '../../logger';
import { chartFiles } from '../chart-files';
import { withChartImages } from '../chart-links';
import type { JobHandler } from '../job-runner';
import type { Services } from '../services';
import { dashboardElements } from './dashboard';

export const FIGURES_REF = 'figures-post';

/**
 * The programme's figures posted to the organisers' channel every week (programme `figuresPost`: day, time,
 * channel on Slack and/or Teams), in the bot's language. A job in the store with a lease; its messages' keys
 * carry the week, so a run taken over after a crash posts nothing twice. Slack gets the first chart's PNG too.
 */
export class FiguresJobs implements JobHandler {
  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {}

  plan(now: Date): NewJob[] {
    const slot = this.s.programme.figuresPost;
    if (!slot || (!slot.channel.slack && !slot.channel.teams)) return [];
    const due = nextWeekly(slot, now, this.s.timezone);
    return [{ key: `figures:weekly:${due.toISOString()}`, kind: 'figures.weekly', ref: FIGURES_REF, param: due.getTime(), dueAt: due }];
  }

  async ensurePlanned(now: Date): Promise<number> {
    return this.s.store.jobs.add(this.plan(now));
  }

  async run(job: ScheduledJob): Promise<number> {
    const due = new Date(job.param);
    await this.s.store.jobs.add(this.plan(due));
    const slot = this.s.programme.figuresPost;
    if (!slot) return 0;
    const locale = this.s.defaultLocale;
    const t = this.s.i18n.forLocale(locale);
    const elements = await dashboardElements(this.s, t, locale);
    const card = { fallbackText: t('figures.weeklyTitle'), elements: [{ type: 'header' as const, text: t('figures.weeklyTitle') }, ...elements] };
    const now = this.s.clock.now();
    const source = `figures:weekly:${due.toISOString()}`;
    const messages = [];
    for (const platform of ['slack', 'teams'] as const) {
      const channel = slot.channel[platform];
      if (!channel) continue;
      const target = { kind: 'channel' as const, platform, channel };
      const shown = platform === 'teams' ? await withChartImages(this.s, card) : card;
      messages.push({ key: `${source}:${platform}`, source, platform, target, payload: outgoingPayload({ kind: 'card', card: shown }), dueAt: now });
      if (platform === 'slack')
        for (const [i, f] of (await chartFiles(card, locale, t('figures.chartComment'), 1)).entries())
          messages.push({
            key: `${source}:${platform}:chart:${i}`,
            source,
            platform,
            target,
            payload: outgoingPayload({ kind: 'file', file: { name: f.name, mime: f.mime, base64: f.content.toString('base64'), comment: f.comment } }),
            dueAt: now,
          });
    }
    const queued = await this.s.store.outbox.enqueue(messages, now);
    this.log.info({ due, queued }, 'weekly figures posted');
    return queued;
  }
}
