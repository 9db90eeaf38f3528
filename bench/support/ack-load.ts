/**
 * The load generator of bench/ack-latency.ts, run in a worker thread so that its own work (signing,
 * JSON, timers) does not run on the bot's event loop. It hosts the fake Slack / Teams connector, plans
 * the agents' arrivals, fires them, and measures acknowledgement and reply-delivery latencies.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { FakePlatforms, supportIdsIn, type Delivery } from './fake-platforms';
import { blockActionBody, slackHeaders, slashCommandBody } from './slack';
import { prng, sleep } from './stats';
import { cardActionActivity, conversationIdOf, messageActivity, teamsUser, TENANT, type TeamsUser } from './teams';

export type Platform = 'slack' | 'teams';
export type Kind = 'propose' | 'support';

export interface StartMessage {
  type: 'start';
  botUrl: string;
  agents: number;
  windowS: number;
  teamsShare: number;
  proposeShare: number;
  seed: number;
  warmup: number;
  /** Ideas that exist before the run (support targets from the start). */
  seededIds: number[];
  /** Axis hashtags of the programme, used in proposals. */
  hashtags: string[];
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
  /** support: the idea clicked. */
  targetId?: number;
  /** propose: the idea number read from the reply's support button. */
  newIdeaId?: number;
  /** Time from sending the request to the reply reaching the fake (Slack response_url, Teams connector); for a Teams invoke, the reply is the HTTP response. */
  replyMs?: number;
  /** Why the reply is not the expected one (missing, error card, wrong idea). */
  replyProblem?: string;
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
    const kind: Kind = rnd() < m.proposeShare ? 'propose' : 'support';
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

  const waitDelivery = (key: string, sentAt: number) =>
    new Promise<{ ms: number; body: unknown } | undefined>((resolve) => {
      const timer = setTimeout(() => {
        deliveries.delete(key);
        resolve(undefined);
      }, 30_000);
      deliveries.set(key, (d) => {
        clearTimeout(timer);
        deliveries.delete(key);
        resolve({ ms: d.at - sentAt, body: d.body });
      });
    });

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

    let reply: Promise<{ ms: number; body: unknown } | undefined> | undefined;
    let res: Awaited<ReturnType<typeof post>>;
    const sentAt = performance.now();
    if (p.platform === 'slack') {
      const key = `a${p.agent}`;
      reply = waitDelivery(key, sentAt);
      const common = { user: p.slackUser!, team: 'T1', userName: `agent${p.agent}`, responseUrl: fake.responseUrl(key) };
      const body =
        kind === 'propose'
          ? slashCommandBody({ ...common, text: `idee ${p.text}` })
          : blockActionBody({ ...common, actionId: 'idea.support', value: JSON.stringify({ id: String(rec.targetId), view: 'idea' }) });
      res = await post(slackUrl, body, slackHeaders(body));
    } else if (kind === 'propose') {
      reply = waitDelivery(conversationIdOf(p.teams!), sentAt);
      res = await post(teamsUrl, JSON.stringify(messageActivity(fake.url, p.teams!, `idee ${p.text}`)), json);
    } else {
      const activity = cardActionActivity(fake.url, p.teams!, 'idea.support', { id: String(rec.targetId), view: 'idea' });
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
      rec.replyProblem = 'no reply within 30 s';
      return;
    }
    rec.replyMs = got.ms;
    const ids = supportIdsIn(got.body);
    if (kind === 'propose') {
      const fresh = ids.filter((id) => !knownSet.has(id));
      if (ids.length === 1 && fresh.length === 1) {
        rec.newIdeaId = ids[0];
        known.push(ids[0]);
        knownSet.add(ids[0]);
      } else rec.replyProblem = `proposal reply without one new idea: ${textOf(got.body)}`;
    } else if (!ids.includes(rec.targetId!)) {
      rec.replyProblem = `support reply without idea ${rec.targetId}: ${textOf(got.body)}`;
    }
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
