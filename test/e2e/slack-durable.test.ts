import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite';
import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { startTestBot, type TestBot } from '../support/harness';
import { SIGNING_SECRET, slackHeaders, slashCommandBody } from '../support/slack-request';

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');

/** The real bot in a process of its own, on the embedded store in `dataDir`, Slack over HTTP to the fake. */
function startProcess(dataDir: string, apiUrl: string): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, [MAIN], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      DELIVERY_LEASE_SECONDS: '5',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: apiUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listens on port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the bot exited (${code}) before listening: ${out} ${err}`)));
  });
  return { child, port };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Nothing acknowledged is lost: the store write a Slack request causes is made before the request is
 * acknowledged, and its answer is queued in the outbox, so a crash right after the acknowledgement loses
 * neither; an answer refused by Slack is sent again.
 */
describe('Slack: acknowledged, then the process is killed', () => {
  let slack: FakeSlack;
  let dataDir: string;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-durable-'));
  });
  afterAll(async () => {
    await slack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('12 idea commands acknowledged, the bot killed (SIGKILL) at once: after a restart, 12 ideas and 12 answers', async () => {
    // answers take a while to reach Slack: the kill comes before most of them
    slack.responseDelayMs = 400;
    const first = startProcess(dataDir, slack.apiUrl);
    const port = await first.port;
    const bodies = Array.from({ length: 12 }, (_, i) =>
      slashCommandBody({ text: `idee Idée durable numéro ${i + 1} #accueil`, user: `UD${i}`, responseUrl: slack.responseUrl(`durable${i}`) }),
    );
    const answers = await Promise.all(
      bodies.map((body) => fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: slackHeaders(body), body }).then((r) => r.status)),
    );
    expect(answers).toEqual(Array(12).fill(200));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    // what was acknowledged is in the store
    const store = SqliteStore.open(dataDir);
    const titles = (await store.ideas.all()).map((i) => i.title).sort();
    await store.close();
    expect(titles).toEqual(Array.from({ length: 12 }, (_, i) => `Idée durable numéro ${i + 1}`).sort());

    // and every answer reaches Slack once the bot is back (the ones in flight at the kill may come twice)
    slack.responseDelayMs = 0;
    const second = startProcess(dataDir, slack.apiUrl);
    await second.port;
    const answered = () => new Set(slack.responses().map((r) => r.path)).size;
    try {
      await until(() => answered() === 12, '12 answers at the response URLs');
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
    for (let i = 0; i < 12; i++) expect(slack.responses(`durable${i}`)[0].body.text).toContain('Merci ! Votre idée');
  });
});

describe('Slack: an answer refused by Slack', () => {
  let slack: FakeSlack;
  let bot: TestBot;
  const { nextId } = talk(() => ({ bot, slack }));

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    bot = await startTestBot({ slackApiUrl: slack.apiUrl });
  });
  afterAll(async () => {
    await bot.close();
    await slack.stop();
  });

  test('a response_url answering 500 gets the answer again, until Slack takes it', async () => {
    const id = nextId('flaky');
    slack.failingResponses.set(id, 2);
    const body = slashCommandBody({ text: 'aide', user: 'U1', responseUrl: slack.responseUrl(id) });
    expect((await bot.post('/slack/events', body, slackHeaders(body))).status).toBe(200);
    const attempts = await slack.waitFor((r) => r.path === `/respond/${id}`, 3, 15_000);
    expect(attempts).toHaveLength(3);
    expect(attempts[2].body.text).toContain('Faire Administration');
  });
});
