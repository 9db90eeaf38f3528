import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { webApi } from '@slack/bolt';
import { channelPostRecorder } from './app/axes/flow';
import { AuditTrail } from './app/audit/trail';
import { BroadcastCards } from './app/broadcasts/cards';
import { Departures } from './app/departures';
import { BroadcastRunner } from './app/broadcasts/runner';
import { Conversation } from './app/conversation';
import { programmeCommunities } from './app/communities/flow';
import { EngagementFlow } from './app/engagement/flow';
import { FiguresJobs } from './app/figures/jobs';
import { PrivacyFlow } from './app/privacy/flow';
import { DigestJobs } from './app/digest/jobs';
import { JobRunner } from './app/job-runner';
import { PilotPrompts } from './app/prompts/jobs';
import { EventJobRunner } from './app/events/jobs';
import { Messenger } from './app/messenger';
import { Notices } from './app/notices';
import { Replies } from './app/replies';
import type { Services } from './app/services';
import { loadProgramme } from './config/programme';
import type { Config } from './config/types';
import { Dispatcher } from './delivery/dispatcher';
import { meansPersonLeft, SlackDelivery, TeamsDelivery, type PlatformDelivery } from './delivery/senders';
import { CeilingShare } from './delivery/share';
import { BroadcastService } from './domain/broadcast-service';
import { ConsultationsService } from './domain/consultations-service';
import { ConsultationJobs } from './app/consultations/jobs';
import { EventsService } from './domain/events-service';
import { IdeasService } from './domain/ideas-service';
import { PeopleService } from './domain/people-service';
import type { Clock, Store } from './domain/ports';
import type { Programme } from './domain/programme';
import { Metrics } from './http/metrics';
import { createExpressApp, mountRoutes } from './http/server';
import { I18n } from './i18n';
import type { Logger } from './logger';
import { channelIds } from './platforms/channel-ids';
import { createSlackPlatform, type SlackPlatform } from './platforms/slack/app';
import { createTeamsApp, startTeamsPlatform, type TeamsPlatform } from './platforms/teams/app';
import { cronCalendar } from './scheduler/cron-calendar';
import { startTicker } from './scheduler/ticker';
import { openStore } from './store/open';

export interface BotOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  random?: () => number;
  /** Tests may bring an already-open store or programme. */
  store?: Store;
  programme?: Programme;
  /** Interface to listen on; all interfaces by default. */
  host?: string;
  /** false: no cron tick and no delivery loop (tests drive `delivery.tick()` themselves). */
  background?: boolean;
  /** Delivery tuning (benchmarks, tests). */
  delivery?: { leaseMs?: number };
}

/** How often the sweep of scheduled events and the forgetting of request records run. */
const MAINTENANCE_EVERY_MS = 3_600_000;
/** Requests already handled are remembered this long (Slack refuses signatures older than five minutes). */
const REQUEST_RECORD_MS = 24 * 3_600_000;

/** An answer not sent within a few seconds of a crash is taken over quickly: its person is waiting. */
const REPLY_LEASE_MS = 10_000;

export interface DeliveryControl {
  /** Queues due broadcast runs and event jobs (reminders, polls…), then sends what is due (one pass). */
  tick(): Promise<{ queued: number; sent: number; failed: number }>;
  dispatcher: Dispatcher;
  /** The reply lane's dispatcher: always running. */
  replyDispatcher: Dispatcher;
  runner: BroadcastRunner;
  jobs: JobRunner;
  owner: string;
  /** The sweep of scheduled events and the forgetting of request records (hourly in the background). */
  maintenance(): Promise<void>;
}

export interface Bot {
  services: Services;
  slack?: SlackPlatform;
  teams: TeamsPlatform;
  delivery: DeliveryControl;
  server: Server;
  port: number;
  stop(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

/** Composition root: config → store → services → platforms → HTTP. `main.ts` adds the process edges. */
export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, log } = options;
  const programme = options.programme ?? loadProgramme(config.programmeFile);
  const store = options.store ?? (await openStore({ mongodbUri: config.mongodbUri, dataDir: config.dataDir }));
  const clock = options.clock ?? systemClock;
  const people = new PeopleService(store, programme, clock);
  const broadcasts = new BroadcastService(store, programme, people, clock, cronCalendar, config.timezone, channelIds);
  const i18n = new I18n(config.locale);
  // the gate of every message sent on the bot's own initiative; it wakes the dispatcher made below
  const notices = new Notices(store, clock, () => dispatcher.poke(), {
    timeZone: config.timezone,
    defaultLocale: config.locale,
    manageLabel: (locale) => i18n.t(locale, 'preferences.manage'),
  });
  const services: Services = {
    programme,
    store,
    people,
    ideas: new IdeasService(store, programme, clock),
    broadcasts,
    events: new EventsService(store, programme, broadcasts, clock, config.timezone),
    consultations: new ConsultationsService(store, programme, broadcasts, clock, config.timezone),
    i18n,
    clock,
    log,
    timezone: config.timezone,
    installationId: await store.installationId(),
    defaultLocale: config.locale,
    random: options.random ?? Math.random,
    notices,
    audit: new AuditTrail(store, clock, log.child({ component: 'audit' })),
    departures: new Departures(store, clock, log.child({ component: 'departures' })),
    publicUrl: config.publicUrl,
  };

  // What /metrics shows: a registry of this bot's own (tests run several bots in one process).
  const metrics = new Metrics({ clock, outboxDepth: (now) => store.outbox.depth(now), onDepthError: (err) => log.warn({ err }, 'metrics: outbox depth unavailable') });

  // Delivery: the outbox is sent by a dispatcher at the platforms' ceilings; cron only ticks.
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.delivery?.leaseMs ?? config.deliveryLeaseMs;
  const teamsApp = createTeamsApp(config.teams, log);
  const deliveries: Partial<Record<'slack' | 'teams', PlatformDelivery>> = {
    teams: new TeamsDelivery({ people: store.people, drafts: store.drafts, conversations: store.conversations, proactive: teamsApp.proactive }),
  };
  if (config.slack) {
    // A client of its own that never waits or retries by itself: the dispatcher decides (Retry-After, backoff).
    const client = new webApi.WebClient(config.slack.botToken, {
      slackApiUrl: config.slack.apiUrl ? (config.slack.apiUrl.endsWith('/') ? config.slack.apiUrl : `${config.slack.apiUrl}/`) : undefined,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    deliveries.slack = new SlackDelivery({ client, people: store.people, workspaceRatePerMin: config.slackWorkspaceRatePerMin });
  }
  const background = options.background ?? true;
  // Several instances on one store share the platforms' ceilings: each paces at its part of them.
  const share = background
    ? new CeilingShare({ instances: store.instances, clock, owner, log: log.child({ component: 'share' }), onPeerBusy: () => dispatcher.poke() })
    : undefined;
  const dispatcher = new Dispatcher({
    outbox: store.outbox,
    deliveries: deliveries as Record<'slack' | 'teams', PlatformDelivery>,
    clock,
    owner,
    log: log.child({ component: 'delivery' }),
    leaseMs,
    share,
    metrics,
    onSent: channelPostRecorder(store),
    onFailed: (msg, reason) => services.departures.afterFailure(msg, reason, meansPersonLeft(reason)),
  });
  // The answers to people's requests have a lane and a dispatcher of their own: never behind a broadcast,
  // and always running (they are part of answering, not background work). One limiter: one set of ceilings.
  const replyDispatcher = new Dispatcher({
    outbox: store.outbox,
    deliveries: deliveries as Record<'slack' | 'teams', PlatformDelivery>,
    clock,
    owner,
    log: log.child({ component: 'replies' }),
    leaseMs: Math.min(leaseMs, REPLY_LEASE_MS),
    lane: 'reply',
    limiter: dispatcher.limiter,
    batchSize: 50,
    concurrency: 32,
    share,
    metrics,
    onFailed: (msg, reason) => services.departures.afterFailure(msg, reason, meansPersonLeft(reason)),
  });
  const replies = new Replies(store, clock, () => replyDispatcher.poke());
  const broadcastCards = new BroadcastCards(store, i18n, config.publicUrl);
  const runner = new BroadcastRunner(
    store,
    services.broadcasts,
    { notices, cards: broadcastCards, defaultLocale: config.locale },
    clock,
    log.child({ component: 'broadcasts' }),
    owner,
    leaseMs,
    metrics.jobLate,
  );
  const eventJobs = new EventJobRunner(services, services.events, clock, log.child({ component: 'events' }));
  const digests = new DigestJobs(services, log.child({ component: 'digest' }));
  const prompts = new PilotPrompts(services, log.child({ component: 'prompts' }));
  const engagement = new EngagementFlow(services);
  const figures = new FiguresJobs(services, log.child({ component: 'figures' }));
  const privacy = new PrivacyFlow(services, engagement, log.child({ component: 'privacy' }));
  const jobs = new JobRunner(
    store,
    [
      { prefix: 'event.', handler: eventJobs },
      { prefix: 'digest.', handler: digests },
      { prefix: 'axis.prompt', handler: prompts },
      { prefix: 'engagement.', handler: engagement },
      { prefix: 'figures.', handler: figures },
      { prefix: 'privacy.', handler: privacy },
      { prefix: 'consultation.', handler: new ConsultationJobs(services, services.consultations, log.child({ component: 'consultations' })) },
    ],
    clock,
    log.child({ component: 'jobs' }),
    owner,
    leaseMs,
    metrics.jobLate,
  );
  // the digests and the prompts to pilots plan their next run as they run; these make sure one exists
  const planRecurring = async () =>
    (await digests.ensurePlanned(clock.now())) +
    (await prompts.ensurePlanned(clock.now())) +
    (await figures.ensurePlanned(clock.now())) +
    (await privacy.ensurePlanned(clock.now()));
  await planRecurring();
  // the programme file's communities, merged by id (their members and a progress group's stage stay)
  await store.communities.seed(programmeCommunities(programme), clock.now());
  const queueDue = async () => (await runner.runDue()) + (await jobs.runDue());
  const delivery: DeliveryControl = {
    owner,
    dispatcher,
    replyDispatcher,
    runner,
    jobs,
    maintenance: () => {
      lastMaintenance = Number.NEGATIVE_INFINITY;
      return maintenance();
    },
    async tick() {
      const queued = await queueDue();
      const r = await dispatcher.runOnce();
      return { queued, sent: r.sent, failed: r.failed };
    },
  };
  /** Work queued for now (a confirmed broadcast, an announcement): jobs become messages, then go. */
  const wake = () => {
    void queueDue()
      .then(() => dispatcher.poke())
      .catch((e) => log.error({ err: e }, 'wake failed'));
  };
  privacy.wake = wake;
  privacy.wakeReplies = () => replyDispatcher.poke();

  // The conversation, then the platforms that talk to it, on one HTTP server.
  const messenger = new Messenger(store, clock, () => dispatcher.poke());
  const conversation = new Conversation(services, messenger, wake, engagement, privacy);
  const express = createExpressApp({ metrics, token: config.metricsToken });
  const slack = config.slack ? createSlackPlatform(config.slack, { services, conversation, replies, express }) : undefined;
  const teams = await startTeamsPlatform(teamsApp, { services, conversation, replies });
  mountRoutes(express, services, teams, { slack: slack?.mode ?? 'off', teams: teams.mode, slackStatus: slack ? () => slack.status() : undefined });

  // Maintenance, at start and hourly: the reconciliation (what a writer stopped half-way left, and the jobs
  // scheduled events are missing), and the record of requests already handled forgets those past any replay window.
  let lastMaintenance = Number.NEGATIVE_INFINITY;
  const maintenance = async () => {
    const now = clock.now().getTime();
    if (now - lastMaintenance < MAINTENANCE_EVERY_MS) return;
    lastMaintenance = now;
    await planRecurring();
    const reconciled = await services.events.reconcile();
    const forgotten = await store.requests.purge(new Date(now - REQUEST_RECORD_MS));
    if (Object.values(reconciled).some((n) => n > 0) || forgotten) log.info({ reconciled, forgotten }, 'maintenance: store reconciled, request records forgotten');
  };
  await share?.start();
  const ticker = background
    ? startTicker(async () => {
        await maintenance();
        if ((await queueDue()) > 0) dispatcher.poke();
      }, log)
    : undefined;
  if (background) dispatcher.start();
  replyDispatcher.start();

  const server = await new Promise<Server>((resolve, reject) => {
    const s = express.listen(config.port, options.host ?? '::', () => resolve(s));
    s.once('error', reject);
  });
  await slack?.start();
  const port = (server.address() as AddressInfo).port;

  let stopped = false;
  return {
    services,
    slack,
    teams,
    delivery,
    server,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await ticker?.stop();
      await dispatcher.stop();
      await replyDispatcher.stop();
      await share?.stop();
      const { sent, failed, retried, released } = dispatcher.stats();
      log.info({ owner, sent, failed, retried, released, replies: replyDispatcher.stats().sent }, 'delivery stopped');
      await slack?.stop();
      await teams.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
