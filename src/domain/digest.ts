import type { AxisUpdate } from './axes';
import type { Broadcast } from './broadcasts';
import type { ProgrammeEvent } from './events';
import type { Idea } from './ideas';
import type { Preferences } from './preferences';

/** How many of each the digest shows per axis; the rest is counted. */
export const DIGEST_LIMITS = { updates: 3, ideas: 5, events: 3, ownIdeas: 10, broadcasts: 5 };

/** What happened in the programme during one digest period, read once for everyone. */
export interface DigestPeriod {
  since: Date;
  until: Date;
  /** Per axis id, newest first. */
  updates: Map<string, AxisUpdate[]>;
  /** Ideas created in the period, per axis id, newest first. */
  newIdeas: Map<string, Idea[]>;
  /** Events of an axis starting within the coming fortnight, per axis id, soonest first. */
  events: Map<string, ProgrammeEvent[]>;
  /** Broadcasts to everyone or to an axis that ran in the period, newest first (for those who get them in the digest). */
  broadcasts: Broadcast[];
}

/** One axis's part of a person's digest. */
export interface DigestAxis {
  axisId: string;
  updates: AxisUpdate[];
  ideas: Idea[];
  events: ProgrammeEvent[];
}

/** An idea the person proposed or supports whose status changed in the period. */
export interface DigestOwnIdea {
  idea: Idea;
  role: 'author' | 'supporter';
}

export interface PersonDigest {
  axes: DigestAxis[];
  ownIdeas: DigestOwnIdea[];
  /** The period's broadcasts, for a person who chose to get them in the digest only. */
  broadcasts: Broadcast[];
}

/** Groups what a period brought by axis: updates and new ideas newest first, events soonest first. */
export function periodOf(since: Date, until: Date, updates: AxisUpdate[], ideas: Idea[], upcoming: ProgrammeEvent[], broadcasts: Broadcast[] = []): DigestPeriod {
  const group = <T>(items: T[], axis: (t: T) => string | undefined) => {
    const out = new Map<string, T[]>();
    for (const item of items) {
      const a = axis(item);
      if (!a) continue;
      const list = out.get(a) ?? [];
      list.push(item);
      out.set(a, list);
    }
    return out;
  };
  const inPeriod = (d: Date) => d.getTime() >= since.getTime() && d.getTime() < until.getTime();
  const fortnight = until.getTime() + 14 * 86_400_000;
  return {
    since,
    until,
    updates: group(
      updates.filter((u) => inPeriod(u.createdAt)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id),
      (u) => u.axisId,
    ),
    newIdeas: group(
      ideas.filter((i) => inPeriod(i.createdAt)).sort((a, b) => b.id - a.id),
      (i) => i.axisId,
    ),
    events: group(
      upcoming
        .filter((e) => e.state === 'scheduled' && e.startsAt.getTime() >= until.getTime() && e.startsAt.getTime() < fortnight)
        .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()),
      (e) => e.axisId,
    ),
    broadcasts: broadcasts
      .filter((b) => b.lastRunAt && inPeriod(b.lastRunAt) && b.state !== 'cancelled' && (b.audience.kind === 'everyone' || b.audience.kind === 'axis'))
      .sort((a, b) => (b.lastRunAt?.getTime() ?? 0) - (a.lastRunAt?.getTime() ?? 0)),
  };
}

/** Ideas whose status was set in the period (not merely created). */
export function statusChanged(ideas: Idea[], since: Date, until: Date): Idea[] {
  return ideas.filter((i) => i.answeredAt && i.answeredAt.getTime() >= since.getTime() && i.answeredAt.getTime() < until.getTime());
}

/**
 * A person's digest: the followed axes with something new (in the programme's order), then their own
 * ideas' news; a kind the person turned off is left out. null when there is nothing: a digest is never
 * sent empty.
 */
export function digestFor(
  period: DigestPeriod,
  axisOrder: readonly string[],
  followed: ReadonlySet<string>,
  own: DigestOwnIdea[],
  kinds: Preferences['kinds'],
): PersonDigest | null {
  const axes: DigestAxis[] = [];
  for (const axisId of axisOrder) {
    if (!followed.has(axisId)) continue;
    const part: DigestAxis = {
      axisId,
      updates: kinds.axisUpdates === 'off' ? [] : (period.updates.get(axisId) ?? []),
      ideas: kinds.ideaNews === 'off' ? [] : (period.newIdeas.get(axisId) ?? []),
      events: kinds.eventReminders === 'off' ? [] : (period.events.get(axisId) ?? []),
    };
    if (part.updates.length || part.ideas.length || part.events.length) axes.push(part);
  }
  const ownIdeas = kinds.ideaNews === 'off' ? [] : own;
  // broadcasts come in the digest only for those who chose so (the others had them at once, or not at all)
  const broadcasts =
    kinds.broadcasts === 'digest' ? period.broadcasts.filter((b) => b.audience.kind === 'everyone' || (b.audience.kind === 'axis' && followed.has(b.audience.axisId))) : [];
  return axes.length || ownIdeas.length || broadcasts.length ? { axes, ownIdeas, broadcasts } : null;
}
