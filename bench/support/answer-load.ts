/**
 * The load generator of bench/answering.ts, in a worker thread (its signing and JSON do not run on the
 * bot's event loop): hosts the fake Slack / Teams, and has each agent open the questionnaire (« Répondre »)
 * then send its pages, arriving at random over the window, measuring each acknowledgement.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { FakePlatforms } from './fake-platforms';
import { SIGNING_SECRET } from './slack';
import { createHmac } from 'node:crypto';
import { prng, sleep } from './stats';
import { cardActionActivity, teamsUser } from './teams';

export interface AnswerStart {
  type: 'start';
  botUrl: string;
  consultationId: number;
  agents: number;
  windowS: number;
  teamsShare: number;
  seed: number;
  /** Per page: the inputs an agent sends (input id → value). */
  pages: Array<Record<string, string>>;
  /** Seconds between two pages of one agent. */
  thinkS: number;
}

export interface AnswerRecord {
  agent: number;
  platform: 'slack' | 'teams';
  step: number;
  status: number;
  ackMs: number;
  error?: string;
}

export interface AnswerDone {
  type: 'done';
  records: AnswerRecord[];
  windowActualMs: number;
}

function headers(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${sig}` };
}

export function slackUser(agent: number): string {
  return `U${String(agent).padStart(5, '0')}`;
}

/** A Slack view state for the inputs of a page (block_id = action_id = input id). */
function viewState(values: Record<string, string>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, value] of Object.entries(values)) {
    out[id] = /^\d+(,\d+)*$/.test(value)
      ? {
          [id]: value.includes(',') ? { type: 'checkboxes', selected_options: value.split(',').map((v) => ({ value: v })) } : { type: 'radio_buttons', selected_option: { value } },
        }
      : { [id]: { type: 'plain_text_input', value } };
  }
  return out;
}

async function post(url: string, body: string, h: Record<string, string>): Promise<{ status: number; ms: number; text: string; error?: string }> {
  const start = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: h, body });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - start, text };
  } catch (e) {
    return { status: 0, ms: performance.now() - start, text: '', error: (e as Error).message };
  }
}

async function run(m: AnswerStart, fake: FakePlatforms): Promise<AnswerDone> {
  const rnd = prng(m.seed);
  const records: AnswerRecord[] = [];
  const slackUrl = `${m.botUrl}/slack/events`;
  const teamsUrl = `${m.botUrl}/api/messages`;
  const id = String(m.consultationId);
  const t0 = performance.now() + 100;
  const agents = Array.from({ length: m.agents }, (_, i) => ({
    agent: i + 1,
    platform: rnd() < m.teamsShare ? ('teams' as const) : ('slack' as const),
    at: rnd() * m.windowS * 1000,
  }));

  const answer = async (a: (typeof agents)[number]) => {
    const record = (step: number, r: Awaited<ReturnType<typeof post>>, ok: boolean) =>
      records.push({
        agent: a.agent,
        platform: a.platform,
        step,
        status: r.status,
        ackMs: r.ms,
        error: r.error ?? (r.status !== 200 || !ok ? `HTTP ${r.status}: ${r.text.slice(0, 160)}` : undefined),
      });
    // « Répondre »
    if (a.platform === 'slack') {
      const user = slackUser(a.agent);
      const payload = {
        type: 'block_actions',
        team: { id: 'T1', domain: 'exemple' },
        user: { id: user, username: user, name: user, team_id: 'T1' },
        api_app_id: 'A1',
        token: 'deprecated',
        trigger_id: `${Date.now()}.1.${user}`,
        response_url: fake.responseUrl(`a${a.agent}`),
        container: { type: 'message', message_ts: '1.2', channel_id: `D${user}`, is_ephemeral: false },
        channel: { id: `D${user}`, name: 'directmessage' },
        actions: [{ type: 'button', action_id: 'consultation.answer', block_id: 'b1', value: JSON.stringify({ id }), action_ts: `${Date.now() / 1000}` }],
      };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      record(0, await post(slackUrl, body, headers(body)), true);
      for (const [page, values] of m.pages.entries()) {
        await sleep(m.thinkS * 1000);
        const view = {
          type: 'view_submission',
          team: { id: 'T1', domain: 'exemple' },
          user: { id: user, username: user, name: user, team_id: 'T1' },
          api_app_id: 'A1',
          token: 'deprecated',
          trigger_id: `${Date.now()}.2.${user}`,
          view: {
            id: 'V1',
            hash: 'h1',
            type: 'modal',
            callback_id: 'consultation.page',
            private_metadata: JSON.stringify({ id, page: String(page) }),
            state: { values: viewState(values) },
          },
        };
        const body2 = new URLSearchParams({ payload: JSON.stringify(view) }).toString();
        const r = await post(slackUrl, body2, headers(body2));
        // every page but the last answers with the next page (response_action update)
        record(page + 1, r, page === m.pages.length - 1 ? true : r.text.includes('"update"'));
      }
    } else {
      const user = teamsUser(a.agent);
      const r0 = await post(teamsUrl, JSON.stringify(cardActionActivity(fake.url, user, 'consultation.answer', { id })), { 'content-type': 'application/json' });
      record(0, r0, r0.text.includes('consultation.page'));
      for (const [page, values] of m.pages.entries()) {
        await sleep(m.thinkS * 1000);
        const r = await post(teamsUrl, JSON.stringify(cardActionActivity(fake.url, user, 'consultation.page', { id, page: String(page), ...values })), {
          'content-type': 'application/json',
        });
        record(page + 1, r, page === m.pages.length - 1 ? r.text.includes('Merci') : r.text.includes('consultation.page'));
      }
    }
  };

  await Promise.all(agents.map((a) => new Promise<void>((resolve) => setTimeout(() => void answer(a).then(resolve, resolve), t0 + a.at - performance.now()))));
  return { type: 'done', records, windowActualMs: performance.now() - t0 };
}

if (parentPort) {
  const port = parentPort;
  const fake = new FakePlatforms();
  void fake.start().then(() => port.postMessage({ type: 'ready', url: fake.url, slackApiUrl: fake.slackApiUrl }));
  port.on('message', (m: AnswerStart | { type: 'stop' }) => {
    if (m.type === 'start')
      run(m, fake).then(
        (done) => port.postMessage(done),
        (e: Error) => port.postMessage({ type: 'failed', error: e.stack ?? String(e) }),
      );
    else void fake.stop().then(() => port.close());
  });
}
