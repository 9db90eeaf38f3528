import { createHash, randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import type { NewJob, ScheduledJob } from '../../domain/events';
import type { Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import { type Actor, isEmail } from '../../domain/people-service';
import { ERASED_PREFIX, isErased, nameIsSearchable } from '../../domain/privacy';
import { outgoingPayload } from '../../cards/outgoing';
import { isOrganiser } from '../../domain/roles';
import { nextDaily } from '../../domain/schedule';
import { wallClock } from '../../domain/time';
import type { Logger } from '../../logger';
import { textCard } from '../common';
import { type EngagementFlow, engagementRef } from '../engagement/flow';
import { describeRole } from '../help/screens';
import type { JobHandler } from '../job-runner';
import { cardReply, type Reply } from '../reply';
import type { Services } from '../services';
import { MENTION } from '../words';
import { confirmCard, inactiveCard, noticeCard, summarise, summaryCard, targetPerson, type View } from './screens';

const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;
export const PRIVACY_REF = 'privacy';
const inactiveRef = (personId: string) => `privacy:inactive:${personId}`;
/** Inactive people read a page at a time. */
const INACTIVE_BATCH = 1000;

/** Who asked for an erasure (kept as the job's number). */
const ERASURE_BY = ['self', 'organiser', 'retention'] as const;
type ErasureBy = (typeof ERASURE_BY)[number];

/** Who the audit trail says ran an erasure: the organiser, the person themselves (as their pseudonym), or the retention. */
function erasureActor(by: ErasureBy, pseudonym: string, actorId?: string): string {
  if (by === 'organiser' && actorId) return actorId;
  return by === 'self' ? pseudonym : 'system';
}

/**
 * Words that identify a person besides their id: their e-mail and platform ids, and their name when it cannot
 * be an ordinary word (see `nameIsSearchable`).
 */
export function identifying(p: Person): string[] {
  return [nameIsSearchable(p.displayName) ? p.displayName : undefined, p.email, p.user, p.teams?.userId, p.teams?.conversationId].filter((w): w is string => !!w && w.length >= 3);
}

/** What the export's job key holds instead of the person's id; an erasure removes it too (it would link back). */
function exportDigest(personId: string): string {
  return createHash('sha256').update(personId).digest('hex').slice(0, 24);
}

/** An e-mail address, anywhere in a text. */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/** A person id as the store writes it (`slack:T…/U…`, `teams:<tenant>/<object id>`). */
const PERSON_ID = /\b(?:slack:[A-Z0-9]+\/[A-Z0-9]+|teams:[0-9a-f-]{32,40}\/[0-9a-f-]{32,40})\b/gi;

/**
 * Privacy and data rights (issue 15): the notice, « mes données » (everything held about the person, as a
 * file and a summary), erasure (by the person, or by an organiser for them), and the daily retention pass
 * that also warns, then erases, people not seen for a long time.
 */
export class PrivacyFlow implements JobHandler {
  /** Wakes the job runner (an erasure asked for now); set by the composition root. */
  wake?: () => void;
  /** Wakes the reply lane (« mes données » is ready); set by the composition root. */
  wakeReplies?: () => void;

  constructor(
    private readonly s: Services,
    private readonly engagement: EngagementFlow,
    private readonly log: Logger,
  ) {}

  private view(locale: Locale | undefined): View {
    const l = locale ?? this.s.defaultLocale;
    return { t: this.s.i18n.forLocale(l), programme: this.s.programme, locale: l };
  }

  notice(actor: Actor): Reply {
    return cardReply(noticeCard(this.view(actor.person.locale)));
  }

  // — « mes données » —

  /**
   * « mes-donnees »: everything held about the person, as a JSON file and a summary card in their own chat
   * with the bot; once a day. Made by a job (it reads every table: on a large store, longer than a platform
   * waits for an answer, and never shown in a channel the command was typed in).
   */
  async export(actor: Actor): Promise<Reply> {
    const v = this.view(actor.person.locale);
    // on Teams the file goes to the personal chat: without one (the app only in a team), say how to open it
    if (actor.person.platform === 'teams' && !actor.person.teams) return cardReply(textCard(v.t('privacy.summary.noPersonalChat')));
    const now = this.s.clock.now();
    const day = wallClock(now, this.s.timezone).date;
    // the key holds no id of the person: a digest of it, and the day (a second request that day adds nothing)
    const key = `privacy:export:${exportDigest(actor.person.id)}:${day}`;
    const added = await this.s.store.jobs.add([{ key, kind: 'privacy.export', ref: key, param: now.getTime(), dueAt: now, subject: actor.person.id }]);
    if (!added) throw new DomainError('privacy.exportOncePerDay');
    this.wake?.();
    return cardReply(textCard(v.t('privacy.summary.preparing')));
  }

  private async runExport(job: ScheduledJob): Promise<number> {
    const p = job.subject ? await this.s.store.people.get(job.subject) : null;
    if (!p) return 0;
    const v = this.view(p.locale);
    const at = new Date(job.param);
    const day = wallClock(at, this.s.timezone).date;
    const rows = await this.s.store.privacy.dataOf(
      p.id,
      identifying(p).filter((w) => w !== p.displayName),
    );
    // the messages sent to them, with their content; the payloads table as such holds others' messages too
    delete rows.outbox_payloads;
    if (rows.outbox) rows.outbox = rows.outbox.filter((r) => targetPerson(r) === p.id);
    if (rows.outbox?.length === 0) delete rows.outbox;
    const roles = (await this.s.people.rolesOf(p)).map((r) => describeRole(v.t, this.s.programme, r, v.locale));
    const content = {
      generatedAt: this.s.clock.now().toISOString(),
      controller: this.s.programme.privacy.controller ?? this.s.programme.organisation,
      dpo: this.s.programme.privacy.dpo ?? null,
      person: {
        id: p.id,
        platform: p.platform,
        workspace: p.tenant,
        user: p.user,
        displayName: p.displayName,
        email: p.email ?? null,
        locale: p.locale ?? null,
        firstSeenAt: p.firstSeenAt,
        lastSeenAt: p.lastSeenAt,
      },
      roles,
      preferences: await this.s.store.preferences.get(p.id),
      engagements: await this.s.store.engagements.dataOf(p.id),
      consultations: await this.s.store.consultations.dataOf(p.id),
      communities: await this.s.store.communities.dataOf(p.id),
      store: rows,
    };
    // other people appear as « another person »: an anonymous idea a pilot answered does not name its author
    const other = v.t('privacy.otherPerson');
    // their own e-mail and the DPO's stay; anyone else's is « une autre personne » too (a role granted by e-mail)
    const kept = new Set([p.email, this.s.programme.privacy.dpo?.email].filter((e): e is string => !!e).map((e) => e.toLowerCase()));
    const text = JSON.stringify(content, null, 2)
      .replace(PERSON_ID, (id) => (id === p.id ? id : other))
      .replace(EMAIL, (e) => (kept.has(e.toLowerCase()) ? e : other));
    const summary = summarise(p.id, rows, roles);
    const now = this.s.clock.now();
    const target = { kind: 'person' as const, personId: p.id };
    await this.s.store.outbox.enqueue(
      [
        {
          key: `${job.key}:card`,
          source: 'privacy:export',
          platform: p.platform,
          target,
          payload: outgoingPayload({ kind: 'card', card: summaryCard(v, p, summary) }),
          dueAt: now,
          lane: 'reply',
        },
        {
          key: `${job.key}:file`,
          source: 'privacy:export',
          platform: p.platform,
          target,
          payload: outgoingPayload({
            kind: 'file',
            file: { name: `mes-donnees-${day}.json`, mime: 'application/json', base64: Buffer.from(text).toString('base64'), comment: v.t('privacy.summary.fileComment') },
          }),
          dueAt: now,
          lane: 'reply',
        },
      ],
      now,
    );
    this.wakeReplies?.();
    return 2;
  }

  // — erasure —

  /** `effacer-mes-donnees [<@personne|e-mail>]`: what erasing will do, to confirm (someone else: organisers only). */
  async eraseConfirm(actor: Actor, args: string[] = []): Promise<Reply> {
    const v = this.view(actor.person.locale);
    if (!args.length) return cardReply(confirmCard(v, actor.person, false));
    if (!isOrganiser(actor.roles)) throw new DomainError('privacy.organiserOnly');
    const target = await this.resolve(args[0]);
    if (target.id === actor.person.id) return cardReply(confirmCard(v, actor.person, false));
    return cardReply(confirmCard(v, target, true));
  }

  private async resolve(token: string): Promise<Person> {
    const m = MENTION.exec(token);
    if (m?.[1]) {
      const p = await this.s.store.people.get(m[1]);
      if (p) return p;
    }
    const email = token.replace(/^mailto:/i, '').replace(/^<|>$/g, '');
    if (isEmail(email)) {
      const [p] = await this.s.store.people.findByEmail(email.toLowerCase());
      if (p) return p;
    }
    throw new DomainError('privacy.unknownPerson');
  }

  async erase(actor: Actor, personId?: string): Promise<Reply> {
    const self = !personId || personId === actor.person.id;
    const v = this.view(actor.person.locale);
    if (!self && !isOrganiser(actor.roles)) throw new DomainError('privacy.organiserOnly');
    const target = self ? actor.person : await this.s.store.people.get(personId);
    if (!target) return cardReply(textCard(v.t('privacy.erase.already')), { replace: true });
    await this.scheduleErasure(target.id, self ? 'self' : 'organiser', self ? undefined : actor.person.id);
    return cardReply(textCard(self ? v.t('privacy.erase.startedSelf') : v.t('privacy.erase.startedOther')), { replace: true });
  }

  cancelErase(actor: Actor): Reply {
    return cardReply(textCard(this.view(actor.person.locale).t('privacy.erase.cancelled')), { replace: true });
  }

  /**
   * An erasure is a job in the store, run at once (it reads every table: seconds on a large store, longer than
   * a platform waits for an answer), with a lease: one stopped half-way is taken again and finished. Its
   * pseudonym is chosen here, so a second attempt goes on with the same one.
   */
  async scheduleErasure(personId: string, by: ErasureBy, actorId?: string): Promise<void> {
    const pseudonym = `${ERASED_PREFIX}${randomUUID()}`;
    const now = this.s.clock.now();
    await this.s.store.jobs.add([
      {
        key: `privacy:erase:${pseudonym}`,
        kind: 'privacy.erase',
        ref: `privacy:erase:${pseudonym}${actorId ? `|${actorId}` : ''}`,
        param: ERASURE_BY.indexOf(by),
        dueAt: now,
        subject: personId,
      },
    ]);
    this.wake?.();
  }

  private async runErasure(job: ScheduledJob): Promise<number> {
    const personId = job.subject;
    if (!personId) return 0;
    const [pseudonym, actorId] = job.ref.slice('privacy:erase:'.length).split('|');
    const by = ERASURE_BY[job.param] ?? 'self';
    if (isErased(personId)) {
      // this job's own erasure committed, then its process stopped before the end: the trail and the notice
      if (personId === pseudonym) await this.s.audit.record(erasureActor(by, pseudonym, actorId), 'erasure', `person:${pseudonym}`, { by });
      // else another request erased them first: the organiser who asked is still told it is done
    } else {
      const person = await this.s.store.people.get(personId);
      // the retention's erasure: not if they came back meanwhile (« Je suis toujours là », or any use)
      if (by === 'retention' && person && person.lastSeenAt.getTime() > this.s.clock.now().getTime() - this.s.programme.privacy.retention.inactiveMonths * MONTH_MS) return 0;
      await this.eraseNow(personId, by, pseudonym, actorId);
    }
    if (by === 'organiser' && actorId) {
      const organiser = await this.s.store.people.get(actorId);
      if (organiser)
        await this.s.notices.queue([{ person: organiser, key: `privacy:erased:${pseudonym}`, card: textCard(this.view(organiser.locale).t('privacy.erase.doneOther')) }], {
          source: 'privacy:erased',
          kind: 'service',
        });
    }
    return 1;
  }

  /**
   * Erases a person: their engagements end (manager and organisers told), their future registrations are
   * withdrawn (the waiting list moves up, the person given the place is told), the organisers learn which
   * roles ended (not who held them), then the store forgets them. Logged with counts and the pseudonym only.
   * Run again after a stop half-way (the person's row already gone), it finishes the store's part.
   */
  private async eraseNow(personId: string, by: ErasureBy, pseudonym: string, actorId?: string): Promise<void> {
    const t = this.s.i18n.forLocale(this.s.defaultLocale);
    const now = this.s.clock.now();
    const target = await this.s.store.people.get(personId);
    let withdrawn = 0;
    if (target) {
      const roles = await this.s.people.rolesOf(target);
      const actor: Actor = { person: target, roles };
      await this.engagement.endFor(target.id, t('privacy.erase.reason'));
      const upcoming = await this.s.store.events.upcoming(now, 1000);
      const registered = await this.s.store.events.registrationsOf(
        target.id,
        upcoming.filter((e) => e.startsAt.getTime() > now.getTime()).map((e) => e.id),
      );
      for (const id of registered.keys()) {
        await this.s.events.unregister(actor, id);
        withdrawn++;
      }
      if (roles.length) {
        const organisers = (await this.s.people.peopleWith('organisateur')).filter((o) => o.id !== target.id);
        await this.s.notices.queue(
          organisers.map((o) => {
            const ov = this.view(o.locale);
            return {
              person: o,
              key: `privacy:roles-ended:${pseudonym}:${o.id}`,
              card: textCard(ov.t('privacy.erase.rolesEnded', { roles: roles.map((r) => describeRole(ov.t, this.s.programme, r, ov.locale)).join(', ') })),
            };
          }),
          { source: 'privacy:roles-ended', kind: 'service' },
        );
      }
      await this.releaseRequestsManagedBy(target, now);
    }
    await this.s.store.engagements.forget(personId);
    await this.s.store.consultations.forget(personId);
    await this.s.store.communities.forget(personId);
    const report = await this.s.store.privacy.erase({
      personId,
      pseudonym,
      identifying: [...(target ? identifying(target) : []), exportDigest(personId)],
      replacement: t('privacy.anonymousAgent'),
      ideas: this.s.programme.privacy.erasedIdeas,
    });
    this.log.info({ pseudonym, by, withdrawn, report }, 'erasure: a person was erased');
    // the trail says who ran it (the person themselves: their pseudonym) and about whom, with counts only
    const rows = Object.values(report).reduce((n, c) => n + c, 0);
    await this.s.audit.record(erasureActor(by, pseudonym, actorId), 'erasure', `person:${pseudonym}`, { by, withdrawn, rows });
  }

  /** Requests waiting for this person's approval as a manager cannot get it: withdrawn, the agent told to name another. */
  private async releaseRequestsManagedBy(manager: Person, now: Date): Promise<void> {
    for (const e of await this.s.store.engagements.managedBy(manager.id)) {
      if (e.state !== 'pending_manager') continue;
      const next = await this.s.store.engagements.transition(e.id, {
        from: ['pending_manager'],
        to: 'withdrawn',
        by: 'system',
        at: now,
        reason: this.s.i18n.forLocale(this.s.defaultLocale)('privacy.erase.reason'),
      });
      if (!next) continue;
      await this.s.store.jobs.cancelRef(engagementRef(e.id));
      const agent = await this.s.store.people.get(e.personId);
      if (!agent) continue;
      await this.s.notices.queue([{ person: agent, key: `engagement:${e.id}:manager-erased`, card: textCard(this.view(agent.locale).t('privacy.erase.managerGone')) }], {
        source: `engagement:${e.id}`,
        kind: 'service',
      });
    }
  }

  /** « Je suis toujours là »: the account is kept (the click itself counts as being seen). */
  async stillHere(actor: Actor): Promise<Reply> {
    await this.s.store.jobs.cancelRef(inactiveRef(actor.person.id));
    return cardReply(textCard(this.view(actor.person.locale).t('privacy.inactive.kept')), { replace: true });
  }

  // — the daily pass —

  plan(after: Date): NewJob[] {
    const due = nextDaily(this.s.programme.privacy.dailyAt, after, this.s.timezone);
    return [{ key: `privacy:daily:${due.toISOString()}`, kind: 'privacy.daily', ref: PRIVACY_REF, param: due.getTime(), dueAt: due }];
  }

  async ensurePlanned(now: Date): Promise<number> {
    return this.s.store.jobs.add(this.plan(now));
  }

  async run(job: ScheduledJob): Promise<number> {
    if (job.kind === 'privacy.inactiveErase') return this.eraseInactive(job);
    if (job.kind === 'privacy.erase') return this.runErasure(job);
    if (job.kind === 'privacy.export') return this.runExport(job);
    await this.s.store.jobs.add(this.plan(new Date(job.param)));
    const now = this.s.clock.now();
    const retention = this.s.programme.privacy.retention;
    const removed = await this.s.store.privacy.purge(now, retention);
    removed.audit = await this.s.store.audit.purge(new Date(now.getTime() - retention.auditMonths * MONTH_MS));
    const warned = await this.warnInactive(now);
    this.log.info({ removed, warned }, 'retention: daily pass');
    return warned;
  }

  /** People not seen for `inactiveMonths` are told once; they are erased `inactiveNoticeDays` later unless they come back. */
  private async warnInactive(now: Date): Promise<number> {
    const r = this.s.programme.privacy.retention;
    const before = new Date(now.getTime() - r.inactiveMonths * MONTH_MS);
    let warned = 0;
    // every inactive person, a page at a time; those warned already are passed over (their job exists)
    for (
      let page = await this.s.store.privacy.inactive(before, INACTIVE_BATCH);
      page.length;
      page = await this.s.store.privacy.inactive(before, INACTIVE_BATCH, page[page.length - 1])
    )
      warned += await this.warnPage(page, now);
    return warned;
  }

  private async warnPage(people: Person[], now: Date): Promise<number> {
    const r = this.s.programme.privacy.retention;
    let warned = 0;
    for (const p of people) {
      const due = new Date(now.getTime() + r.inactiveNoticeDays * DAY_MS);
      const added = await this.s.store.jobs.add([
        { key: `${inactiveRef(p.id)}:${p.lastSeenAt.getTime()}`, kind: 'privacy.inactiveErase', ref: inactiveRef(p.id), param: p.lastSeenAt.getTime(), dueAt: due, subject: p.id },
      ]);
      if (!added) continue;
      const v = this.view(p.locale);
      const date = new Intl.DateTimeFormat(v.locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeZone: this.s.timezone }).format(due);
      await this.s.notices.queue([{ person: p, key: `${inactiveRef(p.id)}:${p.lastSeenAt.getTime()}:notice`, card: inactiveCard(v, r.inactiveMonths, date) }], {
        source: 'privacy:inactive',
        kind: 'service',
      });
      warned++;
    }
    return warned;
  }

  private async eraseInactive(job: ScheduledJob): Promise<number> {
    const person = job.subject ? await this.s.store.people.get(job.subject) : null;
    // gone already, or seen since the warning: kept
    if (!person || person.lastSeenAt.getTime() > job.param) return 0;
    await this.scheduleErasure(person.id, 'retention');
    return 1;
  }
}
