import { type Acknowledged, type Acknowledgement, type Audience, type Broadcast, broadcastLinks, type ReadingFigures, type Schedule } from './broadcasts';
import type { OutboxReport } from './delivery';
import { DomainError, FieldError } from './errors';
import type { Person, Platform } from './people';
import type { Actor, PeopleService } from './people-service';
import type { ChannelIds, Clock, Store } from './ports';
import { findAxis, type Programme } from './programme';
import { isOrganiser } from './roles';
import { zonedDateTime } from './time';

export const BROADCAST_MAX = 3000;
/** A recurring broadcast may not run more often than this (nobody wants a bot that nags every minute). */
export const MIN_RECURRENCE_MS = 60 * 60_000;
/** How many runs of a recurring broadcast are looked at for two closer than an hour. */
const RECURRENCE_CHECKED_RUNS = 200;

/** Cron arithmetic, injected so the domain depends on no cron library. */
export interface CronCalendar {
  /** The next time `expression` fires strictly after `after`, in `timeZone`; null when the expression is invalid. */
  next(expression: string, after: Date, timeZone: string): Date | null;
}

/** What an organiser fills in; every field is checked here. */
export interface BroadcastInput {
  message: string;
  linkLabel?: string;
  linkUrl?: string;
  /** "everyone", "pilots", "organisers", "axis:<axis>", "channel:<platform>:<channel id>" */
  audience: string;
  /** A channel id typed instead of an audience; its platform is the one that recognises it. */
  channel?: string;
  when: string;
  date?: string;
  time?: string;
  cron?: string;
  /** « J'ai lu »: "none" (or absent), "counted", "named". */
  ack?: string;
  /** The « important » checkbox: "true" when ticked. */
  important?: string;
}

export type Recipient = { kind: 'person'; person: Person } | { kind: 'channel'; platform: Platform; channel: string };

export function broadcastSource(id: number): string {
  return `broadcast:${id}`;
}

/** Broadcasts: organisers compose, confirm after a preview, cancel, follow the report, retry failures. */
export class BroadcastService {
  constructor(
    private readonly store: Store,
    private readonly programme: Programme,
    private readonly people: PeopleService,
    private readonly clock: Clock,
    private readonly calendar: CronCalendar,
    private readonly timeZone: string,
    private readonly channels: ChannelIds,
  ) {}

  /** Broadcasts are the organisers' (refused to anyone else). */
  checkOrganiser(actor: Actor): void {
    if (!isOrganiser(actor.roles)) throw new DomainError('broadcast.organiserOnly');
  }

  /** An audience as the forms write it; a refusal is about the form's `audience` field. */
  parseAudience(raw: string): Audience {
    const v = raw.trim();
    if (v === 'everyone' || v === 'tous') return { kind: 'everyone' };
    if (v === 'pilots' || v === 'pilotes') return { kind: 'pilots' };
    if (v === 'organisers' || v === 'organisateurs') return { kind: 'organisers' };
    const axis = /^(?:axis|axe):(.+)$/.exec(v);
    if (axis) {
      const a = findAxis(this.programme, axis[1]);
      if (!a) throw new FieldError('axis.unknown', 'audience', { axis: axis[1].slice(0, 60), axes: this.programme.axes.map((x) => x.id).join(', ') });
      return { kind: 'axis', axisId: a.id };
    }
    const community = /^(?:community|communaute):([a-z0-9-]{1,60})$/.exec(v);
    if (community) return { kind: 'community', communityId: community[1] };
    const channel = /^channel:(slack|teams):(.{1,250})$/.exec(v);
    if (channel && this.channels.platformOf(channel[2]) === channel[1]) return { kind: 'channel', platform: channel[1] as Platform, channel: channel[2] };
    throw new FieldError('broadcast.audience.unknown', 'audience', { audience: v.slice(0, 80) });
  }

  /** A community audience names a community that exists (the form's `audience` field is refused otherwise). */
  async checkAudience(audience: Audience): Promise<void> {
    if (audience.kind === 'community' && !(await this.store.communities.get(audience.communityId)))
      throw new FieldError('broadcast.audience.unknownCommunity', 'audience', { id: audience.communityId });
  }

  /** A channel typed by its id: the platform that recognises the id is the channel's. */
  channelAudience(raw: string): Audience {
    const channel = raw.trim();
    const platform = this.channels.platformOf(channel);
    if (!platform) throw new FieldError('broadcast.audience.unknown', 'channel', { audience: channel.slice(0, 80) });
    return { kind: 'channel', platform, channel };
  }

  /** The schedule and its first run; refuses the past, malformed dates and invalid or too frequent cron expressions. */
  parseSchedule(input: Pick<BroadcastInput, 'when' | 'date' | 'time' | 'cron'>): { schedule: Schedule; nextRunAt: Date } {
    const now = this.clock.now();
    switch (input.when) {
      case 'now':
        return { schedule: { kind: 'now' }, nextRunAt: now };
      case 'at': {
        const at = zonedDateTime(input.date ?? '', input.time ?? '', this.timeZone);
        if (!at) throw new FieldError('broadcast.when.invalid', 'date');
        if (at.getTime() <= now.getTime()) throw new FieldError('broadcast.when.past', 'date');
        return { schedule: { kind: 'at', at }, nextRunAt: at };
      }
      case 'cron': {
        const expr = (input.cron ?? '').trim();
        if (!expr || expr.length > 100) throw new FieldError('broadcast.cron.invalid', 'cron', { cron: expr.slice(0, 100) });
        const first = this.calendar.next(expr, now, this.timeZone);
        if (!first) throw new FieldError('broadcast.cron.invalid', 'cron', { cron: expr });
        if (this.tooFrequent(expr, first)) throw new FieldError('broadcast.cron.tooFrequent', 'cron');
        return { schedule: { kind: 'cron', cron: expr }, nextRunAt: first };
      }
      default:
        throw new FieldError('broadcast.when.invalid', 'when');
    }
  }

  /**
   * Whether two runs of `expression` ever come closer than an hour. Not only the next two: "0,15 9 * * *"
   * drafted at 09:05 runs next at 09:15 and then at 09:00 the day after, yet twice within a quarter of an
   * hour every day. Runs closer than an hour fall in one hour: among the next 200 runs (at least 100
   * distinct hours of the pattern) such a pair shows.
   */
  private tooFrequent(expression: string, first: Date): boolean {
    let previous = first;
    for (let i = 0; i < RECURRENCE_CHECKED_RUNS; i++) {
      const next = this.calendar.next(expression, previous, this.timeZone);
      if (!next) return false;
      if (next.getTime() - previous.getTime() < MIN_RECURRENCE_MS) return true;
      previous = next;
    }
    return false;
  }

  /** A checked draft; nothing is sent before the organiser confirms it. */
  async draft(actor: Actor, input: BroadcastInput): Promise<Broadcast> {
    this.checkOrganiser(actor);
    const message = input.message.trim();
    if (!message) throw new FieldError('broadcast.message.empty', 'message');
    if (message.length > BROADCAST_MAX) throw new FieldError('broadcast.message.tooLong', 'message', { max: BROADCAST_MAX });
    let link: { label: string; url: string } | undefined;
    const url = input.linkUrl?.trim();
    if (url) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (!parsed || !['https:', 'http:'].includes(parsed.protocol) || url.length > 1000) throw new FieldError('broadcast.link.invalid', 'linkUrl');
      const label = (input.linkLabel?.trim() || parsed.hostname).slice(0, 60);
      link = { label, url };
    }
    const audience = input.channel?.trim() ? this.channelAudience(input.channel) : this.parseAudience(input.audience);
    await this.checkAudience(audience);
    const { schedule, nextRunAt } = this.parseSchedule(input);
    const ackInput = (input.ack ?? '').trim() || 'none';
    if (!['none', 'counted', 'named'].includes(ackInput)) throw new FieldError('broadcast.ack.invalid', 'ack');
    const ack = ackInput === 'none' ? undefined : (ackInput as Acknowledgement);
    const important = input.important === 'true' ? true : undefined;
    return this.store.broadcasts.create({ message, link, audience, schedule, createdBy: actor.person.id, createdAt: this.clock.now(), ack, important }, 'draft', nextRunAt);
  }

  async get(actor: Actor, id: number): Promise<Broadcast> {
    this.checkOrganiser(actor);
    const b = Number.isSafeInteger(id) && id > 0 ? await this.store.broadcasts.get(id) : null;
    if (!b) throw new DomainError('broadcast.notFound', { id: String(id).slice(0, 12) });
    return b;
  }

  /** The organiser confirms the preview: the broadcast is scheduled (a one-off in the past by now is refused). */
  async confirm(actor: Actor, id: number): Promise<Broadcast> {
    const b = await this.get(actor, id);
    if (b.state !== 'draft') throw new DomainError('broadcast.notDraft', { id });
    let next: Date;
    if (b.schedule.kind === 'now') next = this.clock.now();
    else if (b.schedule.kind === 'at') {
      if (b.schedule.at.getTime() <= this.clock.now().getTime()) throw new DomainError('broadcast.when.past');
      next = b.schedule.at;
    } else {
      const n = this.calendar.next(b.schedule.cron, this.clock.now(), this.timeZone);
      if (!n) throw new DomainError('broadcast.cron.invalid', { cron: b.schedule.cron });
      next = n;
    }
    const scheduled = await this.store.broadcasts.schedule(id, next);
    if (!scheduled) throw new DomainError('broadcast.notDraft', { id });
    return scheduled;
  }

  /** Cancels a broadcast: no further run, and its pending messages are not sent. */
  async cancel(actor: Actor, id: number): Promise<{ broadcast: Broadcast; dropped: number }> {
    const b = await this.get(actor, id);
    const cancelled = b.state === 'draft' || b.state === 'scheduled' ? await this.store.broadcasts.cancel(id) : null;
    const dropped = await this.store.outbox.cancelPending(broadcastSource(id));
    if (!cancelled && dropped === 0) throw new DomainError('broadcast.notCancellable', { id });
    return { broadcast: cancelled ?? b, dropped };
  }

  async list(actor: Actor, limit = 10): Promise<Array<{ broadcast: Broadcast; report: OutboxReport }>> {
    this.checkOrganiser(actor);
    const items = await this.store.broadcasts.list(limit);
    return Promise.all(items.map(async (broadcast) => ({ broadcast, report: await this.store.outbox.report(broadcastSource(broadcast.id)) })));
  }

  async report(actor: Actor, id: number): Promise<{ broadcast: Broadcast; report: OutboxReport }> {
    const broadcast = await this.get(actor, id);
    return { broadcast, report: await this.store.outbox.report(broadcastSource(id)) };
  }

  async retryFailed(actor: Actor, id: number): Promise<number> {
    await this.get(actor, id);
    return this.store.outbox.retryFailed(broadcastSource(id), this.clock.now());
  }

  /** A broadcast that has gone out (a run queued), or null: what its recipients may act on. */
  private async sent(id: number): Promise<Broadcast | null> {
    const b = Number.isSafeInteger(id) && id > 0 ? await this.store.broadcasts.get(id) : null;
    return b && b.runs > 0 ? b : null;
  }

  /**
   * « J'ai lu » pressed by a recipient: counted once however often it is pressed. Refused for a broadcast
   * that asks for none, or that has not gone out.
   */
  async acknowledge(actor: Actor, id: number): Promise<{ broadcast: Broadcast; first: boolean }> {
    const b = await this.sent(id);
    if (!b) throw new DomainError('broadcast.ack.notSent', { id: String(id).slice(0, 12) });
    if (!b.ack) throw new DomainError('broadcast.ack.none', { id });
    const first = await this.store.broadcasts.acknowledge(id, actor.person.id, this.clock.now());
    return { broadcast: b, first };
  }

  /**
   * A recipient followed link `link` of a broadcast: counted once per person and link. Returns the
   * address the organiser gave (the only addresses a link can lead to), or null when there is none.
   */
  async follow(personId: string, id: number, link: number): Promise<string | null> {
    const b = await this.sent(id);
    const url = b ? broadcastLinks(b)[link] : undefined;
    if (!url) return null;
    await this.store.broadcasts.recordClick(id, personId, link, this.clock.now());
    return url;
  }

  /** Acknowledgements and clicks of a broadcast, for its organisers. */
  async reading(actor: Actor, id: number): Promise<ReadingFigures> {
    await this.get(actor, id);
    return this.store.broadcasts.reading(id);
  }

  /** Who acknowledged a named acknowledgement (never for a counted one). */
  async acknowledgementNames(actor: Actor, id: number): Promise<{ broadcast: Broadcast; acknowledged: Array<Acknowledged & { person: Person | null }> }> {
    const broadcast = await this.get(actor, id);
    if (broadcast.ack !== 'named') throw new DomainError('broadcast.ack.notNamed', { id });
    const list = await this.store.broadcasts.acknowledgements(id);
    const acknowledged = await Promise.all(list.map(async (a) => ({ ...a, person: await this.store.people.get(a.personId) })));
    return { broadcast, acknowledged };
  }

  /**
   * Who a run reaches (broadcasts, consultations, events' audiences): people who left the platform
   * (unreachable) are not counted nor reached.
   */
  async recipients(audience: Audience): Promise<Recipient[]> {
    return (await this.audience(audience)).filter((r) => r.kind !== 'person' || !r.person.unreachable);
  }

  private async audience(audience: Audience): Promise<Recipient[]> {
    switch (audience.kind) {
      case 'everyone':
        return (await this.store.people.all()).map((person) => ({ kind: 'person' as const, person }));
      case 'pilots': {
        const seen = new Map<string, Person>();
        for (const axis of this.programme.axes) for (const p of await this.people.peopleWith('pilote', axis.id)) seen.set(p.id, p);
        return [...seen.values()].map((person) => ({ kind: 'person' as const, person }));
      }
      case 'organisers':
        return (await this.people.peopleWith('organisateur')).map((person) => ({ kind: 'person' as const, person }));
      case 'axis': {
        // the axis's channel(s) in the programme, its pilots and its followers in person
        const axis = this.programme.axes.find((a) => a.id === audience.axisId);
        const out: Recipient[] = [];
        if (axis?.channel?.slack) out.push({ kind: 'channel', platform: 'slack', channel: axis.channel.slack });
        if (axis?.channel?.teams) out.push({ kind: 'channel', platform: 'teams', channel: axis.channel.teams });
        const people = new Map<string, Person>();
        for (const person of await this.people.peopleWith('pilote', audience.axisId)) people.set(person.id, person);
        // and its followers, once each (a pilot who follows it too gets one message)
        for (const id of await this.store.follows.followers(audience.axisId)) {
          if (people.has(id)) continue;
          const person = await this.store.people.get(id);
          if (person) people.set(id, person);
        }
        for (const person of people.values()) out.push({ kind: 'person', person });
        return out;
      }
      case 'community': {
        // its channel(s), and its members in person
        const community = await this.store.communities.get(audience.communityId);
        const out: Recipient[] = [];
        if (community?.channel?.slack) out.push({ kind: 'channel', platform: 'slack', channel: community.channel.slack });
        if (community?.channel?.teams) out.push({ kind: 'channel', platform: 'teams', channel: community.channel.teams });
        for (const id of await this.store.communities.members(audience.communityId)) {
          const person = await this.store.people.get(id);
          if (person) out.push({ kind: 'person', person });
        }
        return out;
      }
      case 'channel':
        return [{ kind: 'channel', platform: audience.platform, channel: audience.channel }];
    }
  }

  /** When a broadcast runs next after a run at `at`: recurring ones only. */
  nextRun(b: Broadcast, at: Date): Date | undefined {
    if (b.schedule.kind !== 'cron') return undefined;
    return this.calendar.next(b.schedule.cron, at, this.timeZone) ?? undefined;
  }
}
