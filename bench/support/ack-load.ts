/**
 * The load generator of bench/ack-latency.ts, run in a worker thread so that its own work (signing,
 * JSON, timers) does not run on the bot's event loop. It hosts the fake Slack / Teams connector, plans
 * the agents' arrivals, fires them, and measures acknowledgement and reply-delivery latencies (and, for
 * registrations, the delivery of the calendar file).
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { FakePlatforms, registrationIn, supportIdsIn, type Delivery, supportedIdsIn } from './fake-platforms';
import { blockActionBody, slackHeaders, slashCommandBody } from './slack';
import { prng, sleep } from './stats';
import { cardActionActivity, conversationIdOf, messageActivity, teamsUser, TENANT, type TeamsUser } from './teams';

export type Platform = 'slack' | 'teams';
export type Kind = 'propose' | 'support' | 'register';

export interface StartMessage {
  type: 'start';
  botUrl: string;
  agents: number;
  windowS: number;
  teamsShare: number;
  /** Shares of the agents who propose an idea and who click "Je participe"; the others support an idea. */
  proposeShare: number;
  registerShare: number;
  seed: number;
  warmup: number;
  /** Ideas that exist before the run (support targets from the start). */
  seededIds: number[];
  /** Axis hashtags of the programme, used in proposals. */
  hashtags: string[];
  /** The event seeded before the run: what registering agents click "Je participe" on. */
  eventId: number;
}

export interface RequestRecord {
  agent: number;
  platform: Platform;
  kind: Kind;
  personId: string;
  /** Planned send time, ms after the start of the window. */
  plannedMs: number;
  /** How late the timer fired compared with the plan. */
  lateMs: number;
  /** Send time, ms after the start of the window. */
  sentMs: number;
  status: number;
  ackMs: number;
  error?: string;
  /** support: the idea clicked; register: the event. */
  targetId?: number;
  /** propose: the idea number read from the reply's support button. */
  newIdeaId?: number;
  /** Time from sending the request to the reply reaching the fake (Slack response_url, Teams connector); for a Teams invoke, the reply is the HTTP response. */
  replyMs?: number;
  /** Why the reply is not the expected one (missing, error card, wrong idea, missing or unexpected calendar file). */
  replyProblem?: string;
  /** register: the state the reply's card shows (a place, or the waiting list). */
  registration?: 'registered' | 'waiting';
  /**
   * register with a place: time from sending the click to the calendar file reaching the fake (Slack: the
   * .ics shared by files.completeUploadExternal; Teams: the file consent card posted to the Bot Connector).
   */
  fileMs?: number;
}

export interface DoneMessage {
  type: 'done';
  records: RequestRecord[];
  apiCalls: Record<string, number>;
  extraDeliveries: number;
  windowActualMs: number;
}

interface Plan {
  agent: number;
  platform: Platform;
  kind: Kind;
  at: number;
  text: string;
  slackUser?: string;
  teams?: TeamsUser;
}

const TITLES = [
  'Un guichet unique pour les démarches des usagers',
  'Des horaires d’accueil élargis le jeudi soir',
  'Partager les bonnes pratiques entre services',
  'Un parcours d’intégration pour les nouveaux agents',
  'Des permanences dans les communes éloignées',
  'Réduire les impressions papier dans les services',
  'Un outil commun pour réserver les salles',
  'Simplifier les formulaires en ligne',
  'Un tutorat entre agents expérimentés et nouveaux arrivants',
  'Mesurer la satisfaction des usagers après chaque démarche',
  'Des ateliers de co-conception avec les usagers',
  'Mutualiser les véhicules de service',
];
const DETAILS = [
  'Les usagers nous le demandent souvent et cela éviterait des allers-retours.',
  'On pourrait commencer par un test de trois mois sur un site pilote.',
  'Cela ne demande presque pas de budget, surtout de l’organisation.',
  'Plusieurs collègues le font déjà de leur côté, il suffit de le généraliser.',
  '',
  '',
];

function slackUserId(agent: number): string {
  return `U${String(agent).padStart(4, '0')}`;
}

export function personIdOf(p: { platform: Platform; agent: number }): string {
  return p.platform === 'slack' ? `slack:T1/${slackUserId(p.agent)}` : `teams:${TENANT}/${teamsUser(p.agent).aadObjectId}`;
}

function plan(m: StartMessage): Plan[] {
  const rnd = prng(m.seed);
  const plans: Plan[] = [];
  for (let agent = 1; agent <= m.agents; agent++) {
    const platform: Platform = rnd() < m.teamsShare ? 'teams' : 'slack';
    // One draw, as before registrations existed: with registerShare 0 the plan is the same as then.
    const k = rnd();
    const kind: Kind = k < m.proposeShare ? 'propose' : k < m.proposeShare + m.registerShare ? 'register' : 'support';
    // N uniform arrival times in the window = a Poisson process conditioned on N arrivals.
    const at = rnd() * m.windowS * 1000;
    const title = TITLES[Math.floor(rnd() * TITLES.length)];
    const detail = DETAILS[Math.floor(rnd() * DETAILS.length)];
    const hashtag = m.hashtags[Math.floor(rnd() * m.hashtags.length)];
    const text = `${title} (${agent}). ${detail} #${hashtag}`.replace(/\s+/g, ' ');
    plans.push({ agent, platform, kind, at, text, ...(platform === 'slack' ? { slackUser: slackUserId(agent) } : { teams: teamsUser(agent) }) });
  }
  return plans.sort((a, b) => a.at - b.at);
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; ms: number; error?: string }> {
  const start = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - start };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return { status: 0, text: '', ms: performance.now() - start, error: err.cause?.code ?? err.cause?.message ?? err.message };
  }
}

function textOf(x: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(x);
  return out.join(' ').replace(/\s+/g, ' ').slice(0, 160);
}

/** Replies to the warm-up requests: expected, not measured. */
const warmupKeys = new Set<string>();

async function run(m: StartMessage, fake: FakePlatforms, deliveries: Map<string, (d: Delivery) => void>): Promise<DoneMessage> {
  const plans = plan(m);
  const pick = prng(m.seed ^ 0x5eed);
  const known: number[] = [...m.seededIds];
  const knownSet = new Set(known);
  const slackUrl = `${m.botUrl}/slack/events`;
  const teamsUrl = `${m.botUrl}/api/messages`;
  const json = { 'content-type': 'application/json' };

  // Warm-up (not measured): a few menus and lists, so the first measured requests don't pay for lazy compilation.
  for (let i = 1; i <= m.warmup; i++) {
    const user = `W${String(i).padStart(4, '0')}`;
    const text = i % 2 ? 'idees' : 'aide';
    warmupKeys.add(`warmup-${i}`);
    const body = slashCommandBody({ text, user, team: 'T1', userName: user.toLowerCase(), responseUrl: fake.responseUrl(`warmup-${i}`) });
    await post(slackUrl, body, slackHeaders(body));
    if (i % 4 === 0) {
      const teams = teamsUser(1_000_000 + i);
      warmupKeys.add(conversationIdOf(teams));
      await post(teamsUrl, JSON.stringify(messageActivity(fake.url, teams, text)), json);
    }
  }
  await sleep(500);

  const records: RequestRecord[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now() + 100;

  type Got = { ms: number; body: unknown } | undefined;
  /** The next delivery under `key` (undefined after 30 s); `cancel()` stops waiting (resolves with what came, if anything). */
  const waitDelivery = (key: string, sentAt: number): Promise<Got> & { cancel: () => void } => {
    let cancel: () => void = () => undefined;
    const promise = new Promise<Got>((resolve) => {
      const timer = setTimeout(() => {
        deliveries.delete(key);
        resolve(undefined);
      }, 30_000);
      cancel = () => {
        clearTimeout(timer);
        if (deliveries.get(key) === waiter) deliveries.delete(key);
        resolve(undefined);
      };
      const waiter = (d: Delivery) => {
        clearTimeout(timer);
        deliveries.delete(key);
        resolve({ ms: d.at - sentAt, body: d.body });
      };
      deliveries.set(key, waiter);
    });
    return Object.assign(promise, { cancel: () => cancel() });
  };

  const fire = async (p: Plan): Promise<void> => {
    const now = performance.now();
    const rec: RequestRecord = {
      agent: p.agent,
      platform: p.platform,
      kind: p.kind,
      personId: personIdOf(p),
      plannedMs: p.at,
      lateMs: now - (t0 + p.at),
      sentMs: now - t0,
      status: 0,
      ackMs: 0,
    };
    records.push(rec);
    let kind = p.kind;
    if (kind === 'support' && known.length === 0) kind = rec.kind = 'propose';
    if (kind === 'support') rec.targetId = known[Math.floor(pick() * known.length)];
    if (kind === 'register') rec.targetId = m.eventId;
    // The click's verb and value, as the buttons carry them (Block Kit value JSON, Adaptive Card data).
    const click: { verb: string; data: Record<string, string> } =
      kind === 'register' ? { verb: 'event.register', data: { id: String(rec.targetId), c: 'own' } } : { verb: 'idea.support', data: { id: String(rec.targetId), view: 'idea' } };

    let reply: ReturnType<typeof waitDelivery> | undefined;
    // register: the calendar file (Slack: shared in the DM after the reply; Teams: a consent card sent before the invoke's answer).
    let file: ReturnType<typeof waitDelivery> | undefined;
    let res: Awaited<ReturnType<typeof post>>;
    const sentAt = performance.now();
    if (p.platform === 'slack') {
      const key = `a${p.agent}`;
      reply = waitDelivery(key, sentAt);
      if (kind === 'register') file = waitDelivery(`file:D${p.slackUser}`, sentAt);
      const common = { user: p.slackUser!, team: 'T1', userName: `agent${p.agent}`, responseUrl: fake.responseUrl(key) };
      const body =
        kind === 'propose' ? slashCommandBody({ ...common, text: `idee ${p.text}` }) : blockActionBody({ ...common, actionId: click.verb, value: JSON.stringify(click.data) });
      res = await post(slackUrl, body, slackHeaders(body));
    } else if (kind === 'propose') {
      reply = waitDelivery(conversationIdOf(p.teams!), sentAt);
      res = await post(teamsUrl, JSON.stringify(messageActivity(fake.url, p.teams!, `idee ${p.text}`)), json);
    } else {
      if (kind === 'register') file = waitDelivery(conversationIdOf(p.teams!), sentAt);
      const activity = cardActionActivity(fake.url, p.teams!, click.verb, click.data);
      res = await post(teamsUrl, JSON.stringify(activity), json);
    }
    rec.status = res.status;
    rec.ackMs = res.ms;
    if (res.error) rec.error = res.error;
    else if (res.status < 200 || res.status > 299) rec.error = `HTTP ${res.status}: ${res.text.slice(0, 120)}`;

    let got: { ms: number; body: unknown } | undefined;
    if (reply) got = await reply;
    else if (!rec.error) {
      let body: unknown;
      try {
        body = JSON.parse(res.text);
      } catch {
        body = res.text;
      }
      got = { ms: res.ms, body };
    }
    if (!got) {
      file?.cancel();
      rec.replyProblem = 'no reply within 30 s';
      return;
    }
    rec.replyMs = got.ms;
    if (kind === 'register') {
      rec.replyProblem = await checkRegistration(p, rec, got.body, file!);
      return;
    }
    const ids = supportIdsIn(got.body);
    if (kind === 'propose') {
      const fresh = ids.filter((id) => !knownSet.has(id));
      if (ids.length === 1 && fresh.length === 1) {
        rec.newIdeaId = ids[0];
        known.push(ids[0]);
        knownSet.add(ids[0]);
      } else rec.replyProblem = `proposal reply without one new idea: ${textOf(got.body)}`;
    } else if (!supportedIdsIn(got.body).includes(rec.targetId!)) {
      rec.replyProblem = `support reply without idea ${rec.targetId} supported: ${textOf(got.body)}`;
    }
  };

  /**
   * A registration's reply: one's own card for the event, replacing the clicked one on Slack, showing a
   * place or the waiting list; with a place (only then), the calendar file for that event.
   */
  const checkRegistration = async (p: Plan, rec: RequestRecord, body: unknown, file: ReturnType<typeof waitDelivery>): Promise<string | undefined> => {
    const state = registrationIn(body, m.eventId);
    if (!state) {
      file.cancel();
      return `registration reply without event ${m.eventId}: ${textOf(body)}`;
    }
    rec.registration = state;
    if (p.platform === 'slack' && (body as { replace_original?: unknown }).replace_original !== true) {
      file.cancel();
      return 'registration reply does not replace the clicked card';
    }
    if (state === 'waiting') {
      // No file for the waiting list: one already here is wrong; one arriving later counts as an unexpected extra reply.
      file.cancel();
      const early = await file;
      return early ? `calendar file sent to a person on the waiting list: ${textOf(early.body)}` : undefined;
    }
    const got = await file;
    if (!got) return 'registered, but no calendar file within 30 s';
    rec.fileMs = got.ms;
    const want = new RegExp(`-${m.eventId}\\.ics$`);
    if (p.platform === 'slack') {
      const files = (got.body as { files: Array<{ filename: string; content?: string }> }).files;
      const ics = files.length === 1 ? files[0] : undefined;
      if (!ics || !want.test(ics.filename)) return `calendar file not the event's .ics: ${files.map((f) => f.filename).join(', ')}`;
      if (!ics.content?.includes('BEGIN:VCALENDAR') || !new RegExp(`UID:ensemble-event-${m.eventId}\\.[0-9a-f-]{36}@ensemble`).test(ics.content))
        return `calendar file ${ics.filename} without the event's VEVENT`;
      return undefined;
    }
    const attachment = (got.body as { attachments?: Array<{ contentType?: string; name?: string }> }).attachments?.[0];
    if (attachment?.contentType !== 'application/vnd.microsoft.teams.card.file.consent' || !want.test(attachment.name ?? '')) {
      return `expected the .ics file consent card, got: ${textOf(got.body)}`;
    }
    return undefined;
  };

  for (const p of plans) {
    pending.push(
      new Promise<void>((resolve) => {
        setTimeout(() => void fire(p).then(resolve, resolve), t0 + p.at - performance.now());
      }),
    );
  }
  await Promise.all(pending);
  const windowActualMs = performance.now() - t0;
  return { type: 'done', records, apiCalls: Object.fromEntries(fake.apiCalls), extraDeliveries: 0, windowActualMs };
}

if (parentPort) {
  const port = parentPort;
  const deliveries = new Map<string, (d: Delivery) => void>();
  let extra = 0;
  const fake = new FakePlatforms((d) => {
    const waiter = deliveries.get(d.key);
    if (waiter) waiter(d);
    else if (!warmupKeys.has(d.key)) extra++;
  });
  void fake.start().then(() => port.postMessage({ type: 'ready', url: fake.url, slackApiUrl: fake.slackApiUrl }));
  port.on('message', (m: StartMessage | { type: 'stop' }) => {
    if (m.type === 'start') {
      run(m, fake, deliveries).then(
        (done) => port.postMessage({ ...done, extraDeliveries: extra }),
        (e: Error) => port.postMessage({ type: 'failed', error: e.stack ?? String(e) }),
      );
    } else if (m.type === 'stop') {
      void fake.stop().then(() => port.close());
    }
  });
}
