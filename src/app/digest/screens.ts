import type { Card, CardElement } from '../../cards/model';
import { toPlainText, truncate } from '../../cards/text';
import type { AxisUpdate } from '../../domain/axes';
import { DIGEST_LIMITS, type DigestAxis, type DigestOwnIdea, type PersonDigest } from '../../domain/digest';
import type { ProgrammeEvent } from '../../domain/events';
import type { Idea } from '../../domain/ideas';
import type { Locale } from '../../domain/locale';
import type { Programme } from '../../domain/programme';
import { laterDays } from '../../domain/schedule';
import type { Translate } from '../../i18n';
import { axisLabel, statusLabel } from '../ideas/screens';

export type DigestFrequency = 'weekly' | 'daily';

/** What a digest card needs besides the person's digest; one per locale and period. */
export interface DigestContext {
  t: Translate;
  programme: Programme;
  locale: Locale;
  timeZone: string;
  frequency: DigestFrequency;
  since: Date;
  until: Date;
}

/** Intl formatters are costly to make: one per locale and style, for every digest. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(c: DigestContext, withTime: boolean): Intl.DateTimeFormat {
  const k = `${c.locale}:${c.timeZone}:${withTime}`;
  let f = formatters.get(k);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = { timeZone: c.timeZone, weekday: 'short', day: 'numeric', month: 'short' };
    f = new Intl.DateTimeFormat(c.locale === 'fr' ? 'fr-FR' : 'en-GB', withTime ? { ...options, hour: '2-digit', minute: '2-digit' } : options);
    formatters.set(k, f);
  }
  return f;
}

const STATUS_EMOJI: Record<AxisUpdate['status'], string> = { on_track: '🟢', at_risk: '🟠', blocked: '🔴', done: '✅' };

function day(at: Date, c: DigestContext): string {
  return formatter(c, false).format(at);
}

function dayTime(at: Date, c: DigestContext): string {
  return formatter(c, true).format(at);
}

function updateLine(u: AxisUpdate, c: DigestContext): string {
  const status = c.t(`axes.status.${u.status}`).toLocaleLowerCase(c.locale);
  const progress = u.progress === undefined ? '' : ` · ${u.progress} %`;
  return `${STATUS_EMOJI[u.status]} ${c.t('digest.update', { date: day(u.createdAt, c), status, progress })} ${truncate(u.done.replace(/\s+/g, ' '), 200)}`;
}

function ideaLine(i: Idea, c: DigestContext): string {
  return `• ${c.t('digest.idea', { id: i.id, title: truncate(i.title, 100), count: i.supportCount })}`;
}

function eventLine(e: ProgrammeEvent, c: DigestContext): string {
  return `• ${c.t('digest.event', { when: dayTime(e.startsAt, c), title: truncate(e.title, 100) })}`;
}

function more(items: unknown[], shown: number, c: DigestContext): string[] {
  return items.length > shown ? [c.t('digest.more', { count: items.length - shown })] : [];
}

/** One axis's section; the same for everyone who follows it in this locale (built once, then shared). */
export function axisSection(part: DigestAxis, c: DigestContext): CardElement[] {
  const lines: string[] = [`**${axisLabel(c.programme, part.axisId, c.locale)}**`];
  if (part.updates.length) {
    lines.push(...part.updates.slice(0, DIGEST_LIMITS.updates).map((u) => updateLine(u, c)), ...more(part.updates, DIGEST_LIMITS.updates, c));
  }
  if (part.ideas.length) {
    lines.push(
      c.t('digest.newIdeas', { count: part.ideas.length }),
      ...part.ideas.slice(0, DIGEST_LIMITS.ideas).map((i) => ideaLine(i, c)),
      ...more(part.ideas, DIGEST_LIMITS.ideas, c),
    );
  }
  if (part.events.length) {
    lines.push(c.t('digest.events'), ...part.events.slice(0, DIGEST_LIMITS.events).map((e) => eventLine(e, c)), ...more(part.events, DIGEST_LIMITS.events, c));
  }
  return [{ type: 'text', text: lines.join('\n') }];
}

function ownSection(own: DigestOwnIdea[], c: DigestContext): CardElement[] {
  const lines = [`**${c.t('digest.yourIdeas')}**`];
  for (const { idea, role } of own.slice(0, DIGEST_LIMITS.ownIdeas)) {
    lines.push(`• ${c.t(`digest.own.${role}`, { id: idea.id, title: truncate(idea.title, 100), status: statusLabel(c.t, idea.status) })}`);
  }
  lines.push(...more(own, DIGEST_LIMITS.ownIdeas, c));
  return [{ type: 'text', text: lines.join('\n') }];
}

function broadcastsSection(list: PersonDigest['broadcasts'], c: DigestContext): CardElement[] {
  const lines = [`**${c.t('digest.broadcasts')}**`];
  for (const b of list.slice(0, DIGEST_LIMITS.broadcasts)) {
    // the organiser's text as plain words: its first line, without formatting or links
    const first =
      toPlainText(b.message)
        .split('\n')
        .find((l) => l.trim()) ?? '';
    lines.push(`• ${day(b.lastRunAt ?? c.since, c)} — ${truncate(first, 150)}`);
  }
  lines.push(...more(list, DIGEST_LIMITS.broadcasts, c));
  return [{ type: 'text', text: lines.join('\n') }];
}

/**
 * A person's digest as one card: a title and the period, each followed axis with something new (its
 * section comes from `section`, shared between people), then their own ideas' news.
 */
export function digestCard(d: PersonDigest, c: DigestContext, section: (part: DigestAxis) => CardElement[]): Card {
  const title = c.t(`digest.title.${c.frequency}`);
  // the last day of the period is the day before the digest
  const last = laterDays(c.until, -1, c.timeZone);
  const period = c.frequency === 'weekly' ? c.t('digest.periodWeek', { from: day(c.since, c), to: day(last, c) }) : c.t('digest.periodDay', { day: day(c.since, c) });
  const elements: CardElement[] = [
    { type: 'header', text: title },
    { type: 'context', text: period },
  ];
  for (const part of d.axes) elements.push(...section(part), { type: 'divider' });
  if (d.ownIdeas.length) elements.push(...ownSection(d.ownIdeas, c), { type: 'divider' });
  if (d.broadcasts.length) elements.push(...broadcastsSection(d.broadcasts, c));
  if (elements.at(-1)?.type === 'divider') elements.pop();
  elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'idea.list', label: c.t('digest.seeIdeas'), data: { f: 'recent' } }] });
  const axes = d.axes.map((a) => axisLabel(c.programme, a.axisId, c.locale));
  const fallback = [title, axes.join(', '), d.ownIdeas.length ? c.t('digest.yourIdeas') : ''].filter(Boolean).join(' · ');
  return { fallbackText: fallback, elements };
}
