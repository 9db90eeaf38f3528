import type { CardElement, ChartElement } from '../../cards/model';
import { chartAlt, chartFacts } from '../../charts/alt';
import type { ChartSpec } from '../../charts/spec';
import { IDEA_STATUSES } from '../../domain/ideas';
import { type Locale, pick } from '../../domain/locale';
import type { Translate } from '../../i18n';
import { axisLabel, statusLabel } from '../ideas/screens';
import type { Services } from '../services';

const WEEK_MS = 7 * 86_400_000;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function chart(spec: ChartSpec, locale: Locale): ChartElement {
  return { type: 'chart', spec, alt: chartAlt(spec, locale), facts: chartFacts(spec, locale) };
}

/**
 * The programme's figures as charts, for organisers (the whole programme) and pilots (`axisId`: their
 * axis): people active this week and this month, ideas by axis and status, ideas proposed per week, the
 * next events' registrations and the last events' feedback, active ambassadors by role, and the
 * consultations' response rates. Each chart carries its numbers (fact set) and its words (alt text).
 */
export async function dashboardElements(s: Services, t: Translate, locale: Locale, axisId?: string): Promise<CardElement[]> {
  const now = s.clock.now();
  const out: CardElement[] = [];

  // people seen by the bot (any message, click or form) this week and in the last 30 days, a page at a time
  if (!axisId) {
    let week = 0;
    let month = 0;
    let total = 0;
    for (let after: string | null = null; ; ) {
      const page = await s.store.people.page(after, 1000);
      if (!page.length) break;
      for (const p of page) {
        total++;
        const seen = now.getTime() - p.lastSeenAt.getTime();
        if (seen <= WEEK_MS) week++;
        if (seen <= 30 * 86_400_000) month++;
      }
      after = page[page.length - 1].id;
    }
    out.push({
      type: 'facts',
      facts: [
        { label: t('figures.activeWeek'), value: t('figures.ofTotal', { count: week, total }) },
        { label: t('figures.activeMonth'), value: t('figures.ofTotal', { count: month, total }) },
      ],
    });
  }

  const ideas = (await s.store.ideas.all()).filter((i) => !i.hidden && !i.mergedInto && (!axisId || i.axisId === axisId));
  const axes = s.programme.axes.filter((a) => !axisId || a.id === axisId);
  const statuses = IDEA_STATUSES.filter((st) => ideas.some((i) => i.status === st));
  if (ideas.length && statuses.length)
    out.push(
      chart(
        {
          kind: 'stackedBar',
          title: t('figures.ideasByAxis'),
          categories: axes.map((a) => clip(axisLabel(s.programme, a.id, locale), 80)),
          series: statuses.map((st) => ({ label: statusLabel(t, st), values: axes.map((a) => ideas.filter((i) => i.axisId === a.id && i.status === st).length) })),
          decimals: 0,
        },
        locale,
      ),
    );

  // ideas proposed per week, the last 8 weeks
  const weeks = Array.from({ length: 8 }, (_, k) => new Date(now.getTime() - (7 - k) * WEEK_MS));
  const perWeek = weeks.map((end) => ideas.filter((i) => i.createdAt.getTime() > end.getTime() - WEEK_MS && i.createdAt.getTime() <= end.getTime()).length);
  if (perWeek.some((n) => n > 0))
    out.push(
      chart(
        {
          kind: 'line',
          title: t('figures.ideasPerWeek'),
          categories: weeks.map((w) => new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: s.timezone, day: 'numeric', month: 'short' }).format(w)),
          series: [{ label: t('figures.ideas'), values: perWeek }],
          decimals: 0,
        },
        locale,
      ),
    );

  const upcoming = (await s.store.events.upcoming(now, 8)).filter((e) => e.state !== 'cancelled' && (!axisId || e.axisId === axisId));
  if (upcoming.length)
    out.push(
      chart(
        {
          kind: 'horizontalBar',
          title: t('figures.registrations'),
          categories: upcoming.map((e) => clip(e.title, 80)),
          series: [{ label: t('figures.registered'), values: upcoming.map((e) => e.registered) }],
          decimals: 0,
        },
        locale,
      ),
    );

  const past = (await s.store.events.past(now, 6)).filter((e) => !axisId || e.axisId === axisId);
  const rated = (await Promise.all(past.map(async (e) => ({ e, f: await s.store.events.feedback(e.id) })))).filter((x) => x.f.length);
  if (rated.length)
    out.push(
      chart(
        {
          kind: 'bar',
          title: t('figures.feedback'),
          categories: rated.map((x) => clip(x.e.title, 80)),
          series: [{ label: t('figures.average'), values: rated.map((x) => Math.round((10 * x.f.reduce((a, b) => a + b.rating, 0)) / x.f.length) / 10) }],
          decimals: 1,
        },
        locale,
      ),
    );

  if (!axisId) {
    const active = await s.store.engagements.list(['active']);
    if (active.length)
      out.push(
        chart(
          {
            kind: 'donut',
            title: t('figures.ambassadors'),
            categories: s.programme.ambassadorRoles.map((r) => clip(pick(r.name, locale), 80)),
            series: [{ label: t('figures.ambassadors'), values: s.programme.ambassadorRoles.map((r) => active.filter((e) => e.role === r.id).length) }],
            decimals: 0,
          },
          locale,
        ),
      );
    const consultations = (await s.store.consultations.list(6)).filter((c) => c.state !== 'draft');
    const rates = await Promise.all(consultations.map(async (c) => ({ c, f: await s.store.consultations.figures(c.id) })));
    if (rates.length)
      out.push(
        chart(
          {
            kind: 'horizontalBar',
            title: t('figures.responseRates'),
            categories: rates.map((r) => clip(`n°${r.c.id} · ${r.c.title}`, 80)),
            series: [{ label: t('figures.rate'), values: rates.map((r) => (r.f.reached ? (100 * r.f.done) / r.f.reached : 0)) }],
            unit: '%',
            decimals: 0,
          },
          locale,
        ),
      );
  }
  return out;
}
